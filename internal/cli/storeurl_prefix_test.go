package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// TestSessionsRedisPrefix: an app sharing a Redis with others keeps its
// keys under its own redisstore.Options.Prefix; "?prefix=" in the store URL
// administers those sessions, and only those.
func TestSessionsRedisPrefix(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	base := "redis://" + srv.Addr() + "/0"
	ctx := context.Background()
	for _, p := range []string{"app:", "other:"} {
		st, err := redisstore.Dial(ctx, base, &redisstore.Options{Prefix: p, Now: func() time.Time { return tNow }})
		if err != nil {
			t.Fatal(err)
		}
		r := &session.Record{Key: session.Key(p + "id"), Principal: "alice", Created: tNow, LastAccess: tNow,
			IdleTimeout: time.Hour, Deadline: tNow.Add(time.Hour)}
		if err := st.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	out, _, err := runSessions(t, false, "--store", base+"?prefix=app:", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, session.Key("app:id")+"\t") || strings.Count(out, "\n") != 1 {
		t.Errorf("list ?prefix=app: = %q, want app:'s one session", out)
	}
	out, _, err = runSessions(t, false, "--store", base+"?prefix=app:", "revoke", "--user", "alice", "--json")
	if err != nil || !strings.Contains(out, `"revoked": 1`) {
		t.Errorf("revoke --user alice ?prefix=app: = %q, %v", out, err)
	}
	out, _, err = runSessions(t, false, "--store", base+"?prefix=other:", "list")
	if err != nil || !strings.HasPrefix(out, session.Key("other:id")+"\t") {
		t.Errorf("list ?prefix=other: after revoking in app: = %q, %v; want other:'s session", out, err)
	}
	if out, _, err := runSessions(t, false, "--store", base, "list"); err != nil || out != "" {
		t.Errorf("list with the default prefix = %q, %v; want nothing", out, err)
	}
}

func TestParseStoreURLPrefix(t *testing.T) {
	for _, tt := range []struct{ in, prefix, display string }{
		{"redis://h:6379/0?prefix=app:", "app:", "redis://h:6379/0?prefix=app:"},
		{"redis://u:pw@h/1?prefix=a%2Fb", "a/b", "redis://u:xxxxx@h/1?prefix=a%2Fb"},
		{"redis+cluster://a:1,b:2?prefix=x:", "x:", "redis+cluster://a:1,b:2?prefix=x:"},
		{"redis://h:6379/0", "", "redis://h:6379/0"},
	} {
		spec, err := parseStoreURL(tt.in)
		if err != nil || spec.prefix != tt.prefix || spec.String() != tt.display || strings.Contains(spec.url, "?") {
			t.Errorf("parseStoreURL(%q) = prefix %q display %q url %q, %v; want prefix %q display %q",
				tt.in, spec.prefix, spec.String(), spec.url, err, tt.prefix, tt.display)
		}
	}
	for _, in := range []string{"redis://h/0?prefix=", "redis://h/0?prefix=a&prefix=b", "redis://h/0?db=1", "redis://h/0?prefix=%zz", "redis://h/0#x"} {
		if _, err := parseStoreURL(in); err == nil {
			t.Errorf("parseStoreURL(%q) succeeded, want an error", in)
		}
	}
}
