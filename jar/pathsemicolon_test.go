package jar

import (
	"bytes"
	"testing"
)

// TestDefaultPathSemicolonFiles checks that a cookie whose default-path
// holds a ';' (a URL such as /app;jsessionid=1/page, RFC 6265bis section
// 5.1.4) survives the jar's own files: the readers refused a ';' in a
// path, so one such cookie made the whole JSON or cookies.txt file fail
// to load ("invalid path"), losing every cookie in it.
func TestDefaultPathSemicolonFiles(t *testing.T) {
	j, _ := New(nil)
	u := mustURL("http://example.com/app;jsessionid=1/page")
	j.SetCookieLines(u, []string{"a=1; Max-Age=100", "b=2; Path=/; Max-Age=100"})
	es := j.All()
	if len(es) != 2 || es[0].Path != "/app;jsessionid=1" {
		t.Fatalf("stored %+v, want a with path /app;jsessionid=1 and b", es)
	}
	for _, f := range []Format{FormatJSON, FormatCookiesTxt} {
		var buf bytes.Buffer
		if err := j.Export(&buf, &SaveOptions{Format: f}); err != nil {
			t.Fatal(err)
		}
		k, _ := New(nil)
		if n, err := k.Import(&buf); n != 2 || err != nil {
			t.Fatalf("%v Import: %d, %v; want 2, nil", f, n, err)
		}
		if got := k.CookieHeader(u); got != "a=1; b=2" {
			t.Errorf("%v: Cookie after reload %q, want a=1; b=2", f, got)
		}
	}
}
