package jar

import (
	"bytes"
	"cmp"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// httpStateLines returns the Set-Cookie values of the http-state vectors,
// read in place from ../shared/conformance, as fuzz seeds.
func httpStateLines(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "shared", "conformance", "http-state", "parser", "*-test"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no http-state vectors under ../shared/conformance (glob error %v): shared/ must sit beside the repository", err)
	}
	var lines []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "Set-Cookie:"); ok {
				lines = append(lines, strings.TrimLeft(v, " \t"))
			}
		}
	}
	return lines
}

func FuzzSetCookieLines(f *testing.F) {
	for _, l := range httpStateLines(f) {
		f.Add("http://home.example.org:8888/cookie-parser?x", l, "http://home.example.org/cookie-parser-result/x")
	}
	f.Add("https://www.example.com/a/b", "__Host-a=1; Secure; Path=/", "https://www.example.com/")
	f.Add("http://127.0.0.1/", "a=1; Domain=127.0.0.1; SameSite=None; Secure", "http://127.0.0.1:81/x")
	f.Add("https://w.example/", "__Host-p=1; Secure; Path=/; SameSite=None; Partitioned", "https://top.example/")
	f.Add("http://example.com/", "a=x\ty; Max-Age=100", "http://example.com/") // a TAB cookies.txt cannot hold
	// Cookies the file readers refused, each failing a whole file once:
	// a ';' in the default-path, in an RFC 2965 value, a bare Port on
	// port 99999.
	f.Add("http://example.com/app;s=1/page", "a=1; Max-Age=100", "http://example.com/app;s=1/x")
	f.Add("http://example.com/", `a="x;y"; Version=1; Max-Age=100`, "http://example.com/")
	f.Add("http://example.com:99999/", "p=1; Version=1; Port; Max-Age=100", "http://example.com:99999/")
	f.Add("http://example.com:8080/", "p=1; Version=1; Port; Max-Age=100", "http://example.com:8080/") // PortBare
	f.Add("http://example.com:8080/", `p=1; Version=1; Port="80, 8080"; Max-Age=100`, "http://example.com:80/")
	f.Fuzz(func(t *testing.T, setURL, line, getURL string) {
		j := newTestJar(t, &Options{Limits: &Limits{PerDomain: 3, Total: 5, PartitionBytes: 20}, RFC2965: true, LaxAllowingUnsafe: time.Minute})
		su, err1 := mustParse(setURL)
		gu, err2 := mustParse(getURL)
		if err1 != nil || err2 != nil {
			return
		}
		j.SetCookieLines(su, []string{line, line + "; Path=/", "x=" + line})
		j.SetCookie2Lines(su, []string{line})
		// Embedded under getURL's site: a partition other than setURL's.
		j.SetCookieLinesFor(Request{URL: su, SiteForCookies: gu, HTTP: true}, []string{line, "p=" + line})
		h := j.CookieHeader(gu)
		j.CookieHeaderFor(Request{URL: gu, SiteForCookies: su, Method: "POST"})
		j.CookieHeaderFor(Request{URL: su, SiteForCookies: gu, Method: "POST", TopLevelNavigation: true, HTTP: true})
		j.Cookies(gu)
		checkInvariants(t, j)
		if strings.ContainsAny(h, "\x00\r\n") {
			t.Errorf("Cookie header %q holds a control character", h)
		}
		// Everything stored survives a JSON round trip unchanged.
		stored := j.All()
		var buf bytes.Buffer
		if err := j.Export(&buf, &SaveOptions{Format: FormatJSON, SessionCookies: true}); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("reading back the jar's own JSON: %v", err)
		}
		if !sameEntries(byKey(stored), byKey(back)) {
			t.Fatalf("JSON round trip changed the cookies:\n%+v\n%+v", stored, back)
		}
		// A jar admits from its own file everything it admitted from the
		// wire: the prefix rules, the 400-day limit and the host checks
		// Import applies (RFC 6265bis sections 5.1.2, 5.5, 5.7) are those
		// of the storage model.
		if err := j.Export(&buf, &SaveOptions{Format: FormatJSON, SessionCookies: true}); err != nil {
			t.Fatal(err)
		}
		j2 := newTestJar(t, &Options{Limits: &Limits{PerDomain: 3, Total: 5, PartitionBytes: 20}, RFC2965: true, LaxAllowingUnsafe: time.Minute})
		rep, err := j2.ImportWithReport(&buf)
		if err != nil || len(rep.Rejected) != 0 || rep.Read != len(stored) {
			t.Fatalf("importing the jar's own JSON: %+v, %v", rep, err)
		}
		if again := j2.All(); !sameEntries(byKey(stored), byKey(again)) {
			t.Fatalf("JSON Import changed the cookies:\n%+v\n%+v", stored, again)
		}
		// Whatever a server stored, the jar can save as cookies.txt and
		// read that file back (a cookie the format cannot hold is left
		// out, never a failed save).
		// Every cookie is either written or reported.
		buf.Reset()
		xrep, err := j.ExportWithReport(&buf, &SaveOptions{Format: FormatCookiesTxt, SessionCookies: true})
		if err != nil || xrep.Written+len(xrep.Dropped) != len(stored) {
			t.Fatalf("exporting cookies.txt: %+v, %v; want %d cookies written or dropped", xrep, err, len(stored))
		}
		j3 := newTestJar(t, &Options{Limits: &Limits{PerDomain: 3, Total: 5, PartitionBytes: 20}, RFC2965: true})
		if rep, err := j3.ImportWithReport(&buf); err != nil || rep.Read != xrep.Written {
			t.Fatalf("importing the jar's own cookies.txt: %+v, %v; want the %d written", rep, err, xrep.Written)
		}
		checkInvariants(t, j3)
	})
}

// conformanceFiles returns, for each http-state Set-Cookie line, the file
// a jar holding just that cookie exports in format, as fuzz seeds for the
// file readers. Lines the jar rejects give no seed.
func conformanceFiles(tb testing.TB, format Format) [][]byte {
	tb.Helper()
	u, err := url.Parse("http://home.example.org:8888/cookie-parser?x")
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, l := range httpStateLines(tb) {
		j := newTestJar(tb, nil)
		j.SetCookieLines(u, []string{l})
		if len(j.All()) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := j.Export(&buf, &SaveOptions{Format: format, SessionCookies: true}); err != nil {
			tb.Fatalf("exporting the jar of %q: %v", l, err)
		}
		out = append(out, buf.Bytes())
	}
	if len(out) < 100 {
		tb.Fatalf("only %d conformance seeds in format %v", len(out), format)
	}
	return out
}

// addTestdataSeeds adds the testdata files matching pattern to f.
func addTestdataSeeds(f *testing.F, pattern string) {
	f.Helper()
	seeds, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no testdata/%s seeds (glob error %v)", pattern, err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzReadCookiesTxt(f *testing.F) {
	addTestdataSeeds(f, "*.txt")
	for _, data := range conformanceFiles(f, FormatCookiesTxt) {
		f.Add(data)
	}
	f.Add([]byte("#HttpOnly_.example.com\tTRUE\t/\tTRUE\t0\ta\tb\n"))
	f.Add([]byte("example.com\tFALSE\t/\tFALSE\t99999999999999\ta\n"))
	f.Add([]byte(" \t#HttpOnly_.example.com\tTRUE\t/\tTRUE\t\ta\tb\n  # indented comment\n")) // curl skips leading blanks
	f.Fuzz(func(t *testing.T, data []byte) { checkFileRoundTrip(t, data, ReadCookiesTxt, WriteCookiesTxt) })
}

func FuzzReadJSON(f *testing.F) {
	addTestdataSeeds(f, "*.json")
	for _, data := range conformanceFiles(f, FormatJSON) {
		f.Add(data)
	}
	f.Add([]byte(`{"version":1,"cookies":[{"name":"a","value":"b","domain":"x.com","path":"/","port":[80],"sameSite":"lax"}]}`))
	f.Add([]byte(`{"version":3,"cookies":[{"name":"a","value":"b","domain":"x.com","path":"/","version":1,"port":[8080],"portBare":true},` +
		`{"name":"c","value":"d","domain":"x.com","path":"/","portBare":true}]}`))
	f.Add([]byte(`{"version":1,"cookies":[{"name":"a","value":"b","domain":"w.example","path":"/","secure":true,"partitioned":true,"partitionKey":"https://top.example"},` +
		`{"name":"a","value":"c","domain":"w.example","path":"/","secure":true,"partitioned":true},` +
		`{"name":"a","value":"d","domain":"w.example","path":"/","partitioned":true,"partitionKey":"http://[::1]"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkFileRoundTrip(t, data, ReadJSON, WriteJSON) })
}

// byKey sorts es by the storage key (domain, host-only, path, name), so
// that lists written in different orders compare equal.
func byKey(es []Entry) []Entry {
	slices.SortStableFunc(es, func(a, b Entry) int {
		if c := cmp.Compare(a.Domain, b.Domain); c != 0 {
			return c
		}
		if a.HostOnly != b.HostOnly {
			if a.HostOnly {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return es
}

// mustParse parses a fuzzed URL, refusing ones without a host.
func mustParse(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, errNoHost
	}
	return u, nil
}

// checkFileRoundTrip is the body of the file-format fuzz targets: whatever
// read accepts, write writes and read reads back unchanged, and loading it
// into a jar (with small limits, so evictions happen) keeps the jar
// consistent.
func checkFileRoundTrip(t *testing.T, data []byte, read func(io.Reader) ([]Entry, error), write func(io.Writer, []Entry) error) {
	es, err := read(bytes.NewReader(data))
	if err != nil {
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, es); err != nil {
		t.Fatalf("writing what was read: %v", err)
	}
	es2, err := read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("reading what was written: %v\n%s", err, buf.Bytes())
	}
	if !sameEntries(es, es2) {
		t.Fatalf("round trip changed the entries:\n%+v\n%+v", es, es2)
	}
	j := newTestJar(t, &Options{Limits: &Limits{PerDomain: 3, Total: 5, PartitionBytes: 20}})
	_ = j.Add(es...)
	checkInvariants(t, j)
}
