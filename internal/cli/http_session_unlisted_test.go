package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTTPSessionRejectedUnlistedWarning: a session file with more refused
// cookies than the jar's report lists (ImportReport.RejectedUnlisted) says
// how many more were left out, and that the save drops them too: they
// were lost without a word.
func TestHTTPSessionRejectedUnlistedWarning(t *testing.T) {
	srv := httpTestServer(t)
	u, _ := parseCLIURL(srv.URL)
	host := u.Hostname()
	const refused = 1005
	var cookies []string
	cookies = append(cookies, `{"name": "sid", "value": "s-123", "domain": "`+host+`", "hostOnly": true, "path": "/", "sameSite": "default"}`)
	for i := range refused {
		cookies = append(cookies, fmt.Sprintf(`{"name": "__Secure-c%d", "value": "v", "domain": "%s", "hostOnly": true, "path": "/", "secure": false, "sameSite": "default"}`, i, host))
	}
	file := `{"version": 1, "cookies": {"version": 1, "cookies": [` + strings.Join(cookies, ",\n") + `]}}`
	for _, flag := range []string{"--session-read-only", "--session"} {
		path := filepath.Join(t.TempDir(), "old.json")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runHTTPCmd(t, srv, false, flag, path, srv.URL+"/whoami")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", flag, code, stderr)
		}
		if !strings.Contains(stdout, `cookie="sid=s-123"`) {
			t.Errorf("%s: the other cookie was not sent: %q", flag, stdout)
		}
		listed := strings.Count(stderr, "__Secure-c")
		want := fmt.Sprintf("%d more cookies", refused-listed)
		if listed == 0 || listed >= refused || !strings.Contains(stderr, want) {
			t.Errorf("%s: %d cookies named; stderr's end %q: want %q", flag, listed, stderr[max(0, len(stderr)-300):], want)
		}
		last := stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:]
		if dropped := strings.Contains(last, "dropped from the session"); dropped != (flag == "--session") {
			t.Errorf("%s: last warning %q: says dropped = %v", flag, last, dropped)
		}
	}
}
