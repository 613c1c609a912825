package client_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

// oldSession is a session file an older version could have written (its
// jar took any cookie Add was given): a cookie breaking the __Host- rule
// (it has a Domain), one breaking the __Secure- rule (not Secure), and
// one with an expiry-time 70 years ahead, and one for a host with a Fake
// A-label (which the jar took before it checked A-labels), besides a
// plain cookie.
const oldSession = `{
  "version": 1,
  "headers": {"X-Team": ["blue"]},
  "cookies": {
    "version": 1,
    "cookies": [
      {"name": "sid", "value": "s3cret", "domain": "example.com", "hostOnly": true,
       "path": "/", "secure": false, "httpOnly": false, "persistent": false, "sameSite": "default"},
      {"name": "__Host-id", "value": "h0st-secret", "domain": "example.com", "hostOnly": false,
       "path": "/", "secure": true, "httpOnly": false, "persistent": false, "sameSite": "default"},
      {"name": "__Secure-id", "value": "s3cure-secret", "domain": "example.com", "hostOnly": true,
       "path": "/", "secure": false, "httpOnly": false, "persistent": false, "sameSite": "default"},
      {"name": "far", "value": "1", "domain": "example.com", "hostOnly": true,
       "path": "/", "expires": "2096-01-01T00:00:00Z", "persistent": true, "sameSite": "default"},
      {"name": "fake", "value": "fake-secret", "domain": "xn--a.example", "hostOnly": true,
       "path": "/", "secure": false, "httpOnly": false, "persistent": false, "sameSite": "default"}
    ]
  }
}
`

// TestLoadLeavesOutPrefixBreakingCookies: a session file with cookies the
// jar no longer admits (RFC 6265bis section 5.7 steps 20-22) still loads:
// headers and the other cookies are there, Load returns nil, and
// LoadWithReport names each cookie left out (not its value), with an error
// matching jar.ErrPrefix for a prefix rule. A far expiry is cut to 400
// days.
func TestLoadLeavesOutPrefixBreakingCookies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(path, []byte(oldSession), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	newClient := func() (*client.Client, *jar.Jar) {
		j, err := jar.New(&jar.Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return mustNew(t, &client.Options{Jar: j}), j
	}

	c, j := newClient()
	if err := c.Load(path); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.Header().Get("X-Team"); got != "blue" {
		t.Errorf("header X-Team after Load = %q, want blue", got)
	}
	names := map[string]jar.Entry{}
	for _, e := range j.All() {
		names[e.Name] = e
	}
	if len(names) != 2 || names["sid"].Value != "s3cret" {
		t.Errorf("cookies after Load: %+v, want sid and far only", j.All())
	}
	if e, ok := names["far"]; !ok || !e.Expires.Equal(now.Add(400*24*time.Hour)) {
		t.Errorf("far cookie expires %v, want %v (400 days)", e.Expires, now.Add(400*24*time.Hour))
	}

	c2, _ := newClient()
	rep, err := c2.LoadWithReport(path)
	if err != nil {
		t.Fatalf("LoadWithReport: %v", err)
	}
	if rep.Read != 5 || len(rep.Rejected) != 3 {
		t.Fatalf("report: Read %d, Rejected %v; want 5 read, 3 rejected", rep.Read, rep.Rejected)
	}
	for i, name := range []string{"__Host-id", "__Secure-id", "fake"} {
		err := rep.Rejected[i]
		msg := err.Error()
		if errors.Is(err, jar.ErrPrefix) != (name != "fake") || !strings.Contains(msg, `"`+name+`"`) || !strings.Contains(msg, path) {
			t.Errorf("rejected[%d] = %v: want an error naming %s and the file (ErrPrefix for a prefix)", i, err, name)
		}
		if strings.Contains(msg, "secret") {
			t.Errorf("rejected[%d] shows a cookie value: %v", i, err)
		}
	}
}
