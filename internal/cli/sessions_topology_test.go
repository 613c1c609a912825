package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// adminRoundTrip writes 30 sessions (10 of alice) through redisstore at
// storeURL, then checks list, stats, show, revoke by prefix and revoke
// --user through the sessions command on the same URL.
func adminRoundTrip(t *testing.T, storeURL string) {
	t.Helper()
	ctx := context.Background()
	st, err := redisstore.Dial(ctx, storeURL, &redisstore.Options{Now: func() time.Time { return tNow }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		p := "bob"
		if i%3 == 0 {
			p = "alice"
		}
		r := &session.Record{Key: session.Key(fmt.Sprint("topo", i)), Principal: p, Created: tNow, LastAccess: tNow,
			IdleTimeout: time.Hour, Deadline: tNow.Add(time.Hour), Attrs: map[string][]byte{"n": []byte(fmt.Sprint(i))}}
		if err := st.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := runSessions(t, false, append([]string{"--store", storeURL}, args...)...)
		if err != nil {
			t.Fatalf("sessions %q: %v (stderr %q)", args, err, errOut)
		}
		return out
	}
	if out := run("list"); strings.Count(out, "\n") != 30 {
		t.Errorf("list: %d lines, want 30", strings.Count(out, "\n"))
	}
	if out := run("list", "--user", "alice"); strings.Count(out, "\n") != 10 {
		t.Errorf("list --user alice: %d lines, want 10", strings.Count(out, "\n"))
	}
	key := session.Key("topo1")
	if out := run("show", key[:9]); !strings.Contains(out, "User:") || !strings.Contains(out, "bob") {
		t.Errorf("show %s = %q", key[:9], out)
	}
	run("revoke", key[:9])
	out := run("revoke", "--user", "alice", "--json")
	var res map[string]int
	if err := json.Unmarshal([]byte(out), &res); err != nil || res["revoked"] != 10 {
		t.Errorf("revoke --user alice = %q", out)
	}
	var stats statsJSON
	if err := json.Unmarshal([]byte(run("stats", "--json")), &stats); err != nil || stats.Sessions != 19 || stats.ByUser["bob"] != 19 {
		t.Errorf("stats after revocations: %+v, %v; want 19 of bob", stats, err)
	}
}

func TestSessionsRedisCluster(t *testing.T) {
	c := testutil.StartRedisCluster(t, 3)
	adminRoundTrip(t, "redis+cluster://"+strings.Join(c.Addrs(), ","))
}

func TestSessionsRedisSentinel(t *testing.T) {
	r := testutil.StartRedisSentinel(t, nil)
	adminRoundTrip(t, "redis+sentinel://"+r.Sentinels[0].Addr()+"/"+r.MasterName+"/3")
}
