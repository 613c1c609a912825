package jar

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportReport checks that Export and Save, which leave out the
// cookies cookies.txt cannot hold rather than failing, tell the caller
// which: before, they were dropped silently. JSON holds them all.
func TestExportReport(t *testing.T) {
	j, _ := New(&Options{RFC2965: true})
	u := mustURL("https://www.example.com/")
	j.SetCookieLines(u, []string{"a=1; Max-Age=1000"})
	j.SetCookieLines(u, []string{"tab=x\ty; Max-Age=1000"})
	j.SetCookie2Lines(u, []string{`semi="x;secret"; Version=1; Max-Age=1000`})
	j.SetCookieLines(u, []string{"a=part; Secure; Partitioned; Max-Age=1000"}) // namesake of a
	j.SetCookieLinesFor(Request{URL: u, SiteForCookies: mustURL("https://other.example/"), HTTP: true},
		[]string{"emb=1; Secure; Partitioned; SameSite=None; Max-Age=1000"})
	j.SetCookieLines(u, []string{"sess=1"}) // a session cookie: left out by choice, not listed
	if n := j.Len(); n != 6 {
		t.Fatalf("stored %d cookies, want 6", n)
	}
	var buf bytes.Buffer
	rep, err := j.ExportWithReport(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written != 1 || len(rep.Dropped) != 4 {
		t.Fatalf("report %+v; want 1 written, 4 dropped", rep)
	}
	for i, name := range []string{`"tab"`, `"semi"`, `"a"`, `"emb"`} {
		err := rep.Dropped[i]
		if !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Dropped[%d] = %v; want ErrNotWritable for %s, without the value", i, err, name)
		}
	}
	back, _ := New(nil)
	if n, err := back.Import(&buf); n != 1 || err != nil {
		t.Fatalf("read back %d, %v; want 1", n, err)
	}

	dir := t.TempDir()
	txt := filepath.Join(dir, "cookies.txt")
	rep, err = j.SaveWithReport(txt, &SaveOptions{SessionCookies: true})
	if err != nil || rep.Written != 2 || len(rep.Dropped) != 4 {
		t.Fatalf("SaveWithReport: %+v, %v; want 2 written, 4 dropped", rep, err)
	}
	if b, err := os.ReadFile(txt); err != nil || !strings.Contains(string(b), "\tsess\t1\n") {
		t.Fatalf("saved file %q, %v; want sess in it", b, err)
	}
	// Save is SaveWithReport without the report.
	if err := j.Save(txt, nil); err != nil {
		t.Fatal(err)
	}
	rep, err = j.SaveWithReport(filepath.Join(dir, "cookies.json"), &SaveOptions{SessionCookies: true})
	if err != nil || rep.Written != 6 || len(rep.Dropped) != 0 {
		t.Fatalf("JSON SaveWithReport: %+v, %v; want all 6 written", rep, err)
	}
}
