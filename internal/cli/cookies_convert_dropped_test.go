package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/jar"
)

// TestCookiesConvertTxtReportsDropped: "cookies convert --to txt" of a
// JSON jar holding partitioned cookies cookies.txt cannot hold (one under
// another top-level site's partition, one beside an unpartitioned
// namesake) still writes the others, and says on stderr how many were
// left out: they vanished without a word. Nothing is said when all fit.
func TestCookiesConvertTxtReportsDropped(t *testing.T) {
	exp := cookiesNow.Add(time.Hour)
	plain := jar.Entry{Name: "a", Value: "1", Domain: "example.com", HostOnly: true, Path: "/", Secure: true, Persistent: true, Expires: exp}
	foreign := plain
	foreign.Name, foreign.Partitioned, foreign.PartitionKey = "b", true, "https://other.example"
	namesake := plain
	namesake.Value, namesake.Partitioned, namesake.PartitionKey = "2", true, "https://example.com"
	for _, tc := range []struct {
		es      []jar.Entry
		dropped string
	}{
		{[]jar.Entry{plain, foreign, namesake}, "2 partitioned cookies left out"},
		{[]jar.Entry{plain}, ""},
	} {
		var buf bytes.Buffer
		if err := jar.WriteEntries(&buf, tc.es, jar.FormatJSON); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "jar.json")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, stderr, err := runCookies(t, "convert", "--to", "txt", path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "example.com\tFALSE\t/\tTRUE\t") || strings.Count(out, "\t") != 6 {
			t.Errorf("output %q: want the one plain cookie", out)
		}
		if tc.dropped == "" && stderr != "" || tc.dropped != "" && !strings.Contains(stderr, tc.dropped) {
			t.Errorf("%d cookies: stderr %q, want %q", len(tc.es), stderr, tc.dropped)
		}
	}
}
