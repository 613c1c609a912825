package jar

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleJar holds one cookie of each kind.
func sampleJar(tb testing.TB) *Jar {
	tb.Helper()
	j := newTestJar(tb, nil)
	j.SetCookieLines(mustURL("https://www.example.com/app/page"), []string{
		"sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600",
		"pref=dark; Domain=example.com; Path=/; Expires=Wed, 01 Jul 2026 00:00:00 GMT",
		"sess=1",
		`q="quoted value"; Max-Age=60`,
		"nameless; Max-Age=60",
	})
	j.SetCookieLines(mustURL("http://127.0.0.1:8080/"), []string{"local=yes; Max-Age=120"})
	return j
}

// checkGolden compares got with testdata/name, rewriting it with -update.
func checkGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestExportGolden(t *testing.T) {
	j := sampleJar(t)
	for _, tc := range []struct {
		file string
		opt  SaveOptions
	}{
		{"export.txt", SaveOptions{SessionCookies: true}},
		{"export-persistent.txt", SaveOptions{}},
		{"export.json", SaveOptions{Format: FormatJSON, SessionCookies: true}},
	} {
		var buf bytes.Buffer
		if err := j.Export(&buf, &tc.opt); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tc.file, buf.Bytes())
	}
}

// sameEntries compares entries field by field, times with Equal.
func sameEntries(a, b []Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Expires.Equal(y.Expires) || !x.Created.Equal(y.Created) || !x.LastAccess.Equal(y.LastAccess) {
			return false
		}
		x.Expires, y.Expires, x.Created, y.Created, x.LastAccess, y.LastAccess = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if len(x.Port) == 0 && len(y.Port) == 0 {
			x.Port, y.Port = nil, nil
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

func TestJSONRoundTripKeepsEveryField(t *testing.T) {
	es := []Entry{{
		Name: "n", Value: "v", Domain: "example.com", HostOnly: false, Path: "/p",
		Expires: tNow.Add(time.Hour), Persistent: true, Secure: true, HttpOnly: true,
		SameSite: cookie.SameSiteStrict, Partitioned: true, Created: tNow.Add(-time.Hour),
		CreatedUnknown: true, LastAccess: tNow.Add(123456789), Version: 1, Port: []int{80, 8080}, Comment: "c", CommentURL: "http://x/",
	}, {Name: "", Value: "nameless", Domain: "127.0.0.1", HostOnly: true, Path: "/"},
		{Name: "bin\xff", Value: "\x82\xfe raw", Domain: "example.com", Path: "/\xe9t\xe9", Comment: "\xff"}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, es); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !sameEntries(got, es) {
		t.Errorf("JSON round trip:\ngot  %+v\nwant %+v", got, es)
	}
}

func TestCookiesTxtRoundTrip(t *testing.T) {
	j := sampleJar(t)
	var buf bytes.Buffer
	if err := j.Export(&buf, &SaveOptions{SessionCookies: true}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCookiesTxt(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := j.saved(SaveOptions{SessionCookies: true})
	if len(got) != len(want) {
		t.Fatalf("read %d cookies, want %d", len(got), len(want))
	}
	for i := range want {
		w := want[i]
		// The fields cookies.txt keeps; Expires at second precision.
		w.SameSite, w.Created, w.LastAccess = 0, time.Time{}, time.Time{}
		w.Expires = w.Expires.Truncate(time.Second)
		if !sameEntries([]Entry{got[i]}, []Entry{w}) {
			t.Errorf("cookie %d: got %+v, want %+v", i, got[i], w)
		}
	}
	// Loading into a fresh jar gives the same Cookie headers.
	j2 := newTestJar(t, nil)
	if _, err := j2.Import(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://www.example.com/app/x", "http://example.com/", "http://127.0.0.1/"} {
		if got, want := j2.CookieHeader(mustURL(u)), j.CookieHeader(mustURL(u)); got != want {
			t.Errorf("%s: loaded jar sends %q, original %q", u, got, want)
		}
	}
}

func TestReadCookiesTxtFormats(t *testing.T) {
	in := "# Netscape HTTP Cookie File\r\n" +
		"\n" +
		"#HttpOnly_.example.com\tTRUE\t/\tFALSE\t0\tsid\tabc\r\n" +
		"example.com\tFALSE\t/a\tTRUE\t1900000000\tname\tv=1\n" +
		"# a comment\n" +
		"Example.ORG\tfalse\t/\tfalse\t0\tempty\n"
	es, err := ReadCookiesTxt(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "sid", Value: "abc", Domain: "example.com", Path: "/", HttpOnly: true},
		{Name: "name", Value: "v=1", Domain: "example.com", HostOnly: true, Path: "/a", Secure: true, Persistent: true, Expires: time.Unix(1900000000, 0)},
		{Name: "empty", Domain: "example.org", HostOnly: true, Path: "/"},
	}
	if !sameEntries(es, want) {
		t.Errorf("got  %+v\nwant %+v", es, want)
	}
}

// badFiles are malformed cookie files and the line each error must name.
var badFiles = []struct {
	name   string
	format Format
	in     string
	line   int
}{
	{"too few fields", FormatCookiesTxt, "# Netscape HTTP Cookie File\nexample.com\tFALSE\t/\n", 2},
	{"bad bool", FormatCookiesTxt, "\n\nexample.com\tMAYBE\t/\tFALSE\t0\ta\tb\n", 3},
	{"bad secure", FormatCookiesTxt, "example.com\tFALSE\t/\tyes\t0\ta\tb\n", 1},
	{"bad expires", FormatCookiesTxt, "example.com\tFALSE\t/\tFALSE\t0\ta\tb\nexample.com\tFALSE\t/\tFALSE\tsoon\ta\tb\n", 2},
	{"negative expires", FormatCookiesTxt, "example.com\tFALSE\t/\tFALSE\t-5\ta\tb\n", 1},
	{"relative path", FormatCookiesTxt, "example.com\tFALSE\tpath\tFALSE\t0\ta\tb\n", 1},
	{"empty domain", FormatCookiesTxt, "\tFALSE\t/\tFALSE\t0\ta\tb\n", 1},
	{"control char", FormatCookiesTxt, "example.com\tFALSE\t/\tFALSE\t0\ta\tb\x01\n", 1},
	{"empty cookie", FormatCookiesTxt, "example.com\tFALSE\t/\tFALSE\t0\t\t\n", 1},
	{"json syntax", FormatJSON, "{\n  \"version\": 1,\n  \"cookies\": [\n    {\"name\": }\n  ]\n}\n", 4},
	{"json bad cookie", FormatJSON, "{\n\"version\": 1,\n\"cookies\": [\n{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x.com\",\"path\":\"/\"},\n{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x.com\",\"path\":\"rel\"}\n]}\n", 5},
	{"json unknown field", FormatJSON, "{\"version\": 1,\n\"cookies\": [{\"name\":\"a\",\n\"bogus\":1}]}", 2},
	{"json wrong version", FormatJSON, "{\n\"version\": 7, \"cookies\": []}", 2},
	{"json no version", FormatJSON, "{\"cookies\": []}", 1},
	{"json trailing data", FormatJSON, "{\"version\":1,\"cookies\":[]}\n{}", 2},
	{"json bad samesite", FormatJSON, "{\"version\":1,\"cookies\":[\n{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x.com\",\"path\":\"/\",\"sameSite\":\"sideways\"}]}", 2},
}

func TestReadErrorsNameTheLine(t *testing.T) {
	for _, tt := range badFiles {
		t.Run(tt.name, func(t *testing.T) {
			_, f, err := ReadEntries(strings.NewReader(tt.in), FormatAuto)
			if f != tt.format {
				t.Errorf("detected format %v, want %v", f, tt.format)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("got error %v, want a *ParseError matching ErrSyntax", err)
			}
			if pe.Line != tt.line {
				t.Errorf("got line %d (%v), want %d", pe.Line, err, tt.line)
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Errorf("error %q does not name the line", err)
			}
		})
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	j := sampleJar(t)
	for _, name := range []string{"cookies.txt", "cookies.json"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := j.Save(path, nil); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
		data, _ := os.ReadFile(path)
		isJSON := bytes.HasPrefix(data, []byte("{"))
		if isJSON != strings.HasSuffix(name, ".json") {
			t.Errorf("%s: JSON %v, want by extension", name, isJSON)
		}
		j2 := newTestJar(t, nil)
		n, err := j2.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		// Session cookies ("sess") are not saved by default.
		if n != 5 {
			t.Errorf("%s: loaded %d cookies, want 5", name, n)
		}
		u := mustURL("https://www.example.com/app/")
		want := strings.Replace(j.CookieHeader(u), "sess=1; ", "", 1)
		if got := j2.CookieHeader(u); got != want {
			t.Errorf("%s: loaded jar sends %q, want %q", name, got, want)
		}
		if name == "cookies.json" {
			if got, want := j2.saved(SaveOptions{}), j.saved(SaveOptions{}); !sameEntries(got, want) {
				t.Errorf("JSON load did not restore every field:\ngot  %+v\nwant %+v", got, want)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want 2 (no temp files left)", len(entries))
	}
	if err := j.Save(filepath.Join(dir, "missing", "x.txt"), nil); err == nil {
		t.Error("Save into a missing directory: got nil error")
	}
	if _, err := newTestJar(t, nil).Load(filepath.Join(dir, "nope.txt")); err == nil {
		t.Error("Load of a missing file: got nil error")
	}
}

// TestImportBadFileLeavesJarUnchanged: a file Import refuses after a good
// cookie changes nothing. (A malformed line, as the bad expires this test
// used, is left out and reported since; see
// TestCookiesTxtMalformedLineSkipped. A line over 64 KiB still fails the
// file.)
func TestImportBadFileLeavesJarUnchanged(t *testing.T) {
	j := newTestJar(t, nil)
	in := "example.com\tFALSE\t/\tFALSE\t0\ta\tb\nexample.com\tFALSE\t/\tFALSE\t0\tc\t" + strings.Repeat("d", maxLine) + "\n"
	if _, err := j.Import(strings.NewReader(in)); err == nil {
		t.Fatal("Import of a bad file: got nil error")
	}
	if j.Len() != 0 {
		t.Errorf("jar holds %d cookies after a failed import, want 0", j.Len())
	}
}

func TestImportDropsExpired(t *testing.T) {
	j := newTestJar(t, nil)
	in := "example.com\tFALSE\t/\tFALSE\t1000\told\tb\nexample.com\tFALSE\t/\tFALSE\t0\tsess\tc\n"
	if _, err := j.Import(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	if got := j.CookieHeader(mustURL("http://example.com/")); got != "sess=c" {
		t.Errorf("got %q, want sess=c", got)
	}
}

// crossSitePOST is the request "Lax-allowing-unsafe" is about: a cross-site
// top-level POST to https://site.example/.
func crossSitePOST() Request {
	r := plainRequest(mustURL("https://site.example/"))
	crossSiteTop(&r)
	r.Method = "POST"
	return r
}

// TestJSONKeepsUnknownCreation: a cookie added without a creation-time
// (from cookies.txt) is never "recent" for Lax-allowing-unsafe; a JSON
// save and load must not turn the time it was added into a known
// creation-time.
func TestJSONKeepsUnknownCreation(t *testing.T) {
	opt := &Options{LaxAllowingUnsafe: 2 * time.Minute}
	j := newTestJar(t, opt)
	txt := "site.example\tFALSE\t/\tFALSE\t1893456000\tu\t1\n"
	if _, err := j.Import(strings.NewReader(txt)); err != nil {
		t.Fatal(err)
	}
	j.SetCookieLines(mustURL("https://site.example/"), []string{"k=1; Max-Age=600"})
	const want = "k=1" // k is recent; u's creation-time is unknown
	if got := j.CookieHeaderFor(crossSitePOST()); got != want {
		t.Fatalf("before saving: cross-site POST got %q, want %q", got, want)
	}
	for trip := 1; trip <= 2; trip++ {
		var buf bytes.Buffer
		if err := j.Export(&buf, &SaveOptions{Format: FormatJSON}); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), `"createdUnknown": true`); n != 1 {
			t.Errorf("trip %d: %d cookies marked createdUnknown, want 1:\n%s", trip, n, buf.String())
		}
		j2 := newTestJar(t, opt)
		if _, err := j2.Import(&buf); err != nil {
			t.Fatal(err)
		}
		if got := j2.CookieHeaderFor(crossSitePOST()); got != want {
			t.Errorf("trip %d: cross-site POST got %q, want %q", trip, got, want)
		}
		// The creation-times (the order of equal paths) are kept too.
		if got, w := j2.All(), j.All(); !sameEntries(got, w) {
			t.Errorf("trip %d: entries\n%+v\nwant\n%+v", trip, got, w)
		}
		j = j2
	}
}

// TestJSONUnknownCreationFormats: files without "createdUnknown" (written
// before it existed) load as before: a "created" time is a known
// creation-time, a missing one is unknown.
func TestJSONUnknownCreationFormats(t *testing.T) {
	const head = `{"version": 1, "cookies": [{"name": "d", "value": "1", "domain": "site.example", "hostOnly": true, "path": "/", ` +
		`"expires": "2026-06-01T13:00:00Z", "persistent": true, "secure": false, "httpOnly": false, "sameSite": "default"`
	tests := []struct {
		name, fields, want string
	}{
		{"old: created is known", `, "created": "2026-06-01T11:59:00Z"`, "d=1"},
		{"old: no created is unknown", ``, ""},
		{"new: created marked unknown", `, "created": "2026-06-01T11:59:00Z", "createdUnknown": true`, ""},
		{"new: createdUnknown false", `, "created": "2026-06-01T11:59:00Z", "createdUnknown": false`, "d=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, &Options{LaxAllowingUnsafe: 2 * time.Minute})
			if _, err := j.Import(strings.NewReader(head + tt.fields + "}]}")); err != nil {
				t.Fatal(err)
			}
			if got := j.CookieHeaderFor(crossSitePOST()); got != tt.want {
				t.Errorf("cross-site POST got %q, want %q", got, tt.want)
			}
		})
	}
}
