package client_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

// TestLoadWithReportRejectedUnlisted: a session file with more cookies
// the jar leaves out than its report lists (1000) hands the jar's count of
// the others (jar.ImportReport.RejectedUnlisted) on to the caller, beside
// the listed ones, each of which names the session file; the kept cookie
// loads.
func TestLoadWithReportRejectedUnlisted(t *testing.T) {
	const bad = 1003
	var b strings.Builder
	b.WriteString(`{"version": 1, "cookies": {"version": 1, "cookies": [`)
	b.WriteString(`{"name": "sid", "value": "ok", "domain": "example.com", "hostOnly": true, "path": "/", "sameSite": "default"}`)
	for i := range bad {
		// A __Host- cookie with a Domain breaks the prefix rule.
		fmt.Fprintf(&b, `,{"name": "__Host-x%d", "value": "v", "domain": "example.com", "hostOnly": false, "path": "/", "secure": true, "sameSite": "default"}`, i)
	}
	b.WriteString(`]}}`)
	path := filepath.Join(t.TempDir(), "many.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := jar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := mustNew(t, &client.Options{Jar: j})
	rep, err := c.LoadWithReport(path)
	if err != nil {
		t.Fatalf("LoadWithReport: %v", err)
	}
	if rep.Read != bad+1 || len(rep.Rejected) != 1000 || rep.RejectedUnlisted != bad-1000 {
		t.Fatalf("report: Read %d, %d rejected, %d unlisted; want %d, 1000, %d",
			rep.Read, len(rep.Rejected), rep.RejectedUnlisted, bad+1, bad-1000)
	}
	for i, e := range rep.Rejected {
		if !strings.Contains(e.Error(), path) {
			t.Fatalf("rejected[%d] = %v: does not name the session file", i, e)
		}
	}
	if all := j.All(); len(all) != 1 || all[0].Name != "sid" {
		t.Errorf("cookies after LoadWithReport: %d, want sid only", len(all))
	}
}
