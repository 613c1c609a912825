package jar

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSaveCookiesTxtSkipsTAB checks that one cookie the cookies.txt format
// cannot hold does not stop the save of all the others: a TAB inside a
// name, value or path is allowed on the wire (RFC 6265bis section 5.7 step
// 3 excludes HTAB from the CTLs), so any server could set one and make
// every later Save fail. Save failed with "TAB or line break" before; now
// the cookie is left out, as curl drops it, and JSON still keeps it.
func TestSaveCookiesTxtSkipsTAB(t *testing.T) {
	j, _ := New(&Options{Now: func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }})
	u := mustURL("http://example.com/dir/page")
	j.SetCookieLines(u, []string{
		"good=1; Max-Age=1000",
		"evil=a\tb; Max-Age=1000",
		"ev\til=1; Max-Age=1000",
		"p=1; Path=/dir\tx; Max-Age=1000",
	})
	if n := len(j.All()); n != 4 {
		t.Fatalf("stored %d cookies, want 4", n)
	}
	dir := t.TempDir()
	txt := filepath.Join(dir, "cookies.txt")
	if err := j.Save(txt, nil); err != nil {
		t.Fatalf("Save cookies.txt: %v", err)
	}
	back, _ := New(&Options{Now: func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if _, err := back.Load(txt); err != nil {
		t.Fatal(err)
	}
	if es := back.All(); len(es) != 1 || es[0].Name != "good" {
		t.Fatalf("cookies.txt read back %+v, want only good", es)
	}
	js := filepath.Join(dir, "cookies.json")
	if err := j.Save(js, nil); err != nil {
		t.Fatalf("Save JSON: %v", err)
	}
	data, _ := os.ReadFile(js)
	es, err := ReadJSON(bytes.NewReader(data))
	if err != nil || len(es) != 4 {
		t.Fatalf("JSON read back %d cookies (%v), want 4", len(es), err)
	}
}
