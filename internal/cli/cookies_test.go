package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/httpstate/httpstate/cookie"
	"github.com/httpstate/httpstate/jar"
)

// cookiesNow is the clock of the cookies command tests.
var cookiesNow = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

func init() {
	// -update rewrites the golden files; another test file of the package
	// may have registered the flag already.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// updating reports whether -update was given.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// runCookies runs "httpstate cookies ARGS" on the fixed clock.
func runCookies(tb testing.TB, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := NewRootCmd(s)
	// Replace the cookies command with one on the test clock.
	for _, c := range root.Commands() {
		if c.Name() == "cookies" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newCookiesCmdWith(s, &cookiesOptions{now: func() time.Time { return cookiesNow }}))
	root.SetArgs(append([]string{"cookies"}, args...))
	err = root.Execute()
	return out.String(), errOut.String(), err
}

// cookiesGolden compares got with testdata/name.
func cookiesGolden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

var cookiesGoldenTests = []struct {
	name   string
	args   []string
	golden string
}{
	{"list", []string{"list", "testdata/cookies.txt"}, "cookies-list.golden"},
	{"convert to json", []string{"convert", "--to", "json", "testdata/cookies.txt"}, "cookies-convert.json.golden"},
	{"convert json back to txt", []string{"convert", "--to", "txt", "testdata/cookies-convert.json.golden"}, "cookies-convert.txt.golden"},
	{"list json", []string{"list", "testdata/cookies-convert.json.golden"}, "cookies-list.golden"},
	{"get https", []string{"get", "https://www.example.com/app/cart", "testdata/cookies.txt"}, "cookies-get-https.golden"},
	{"get http", []string{"get", "http://www.example.com/", "testdata/cookies.txt"}, "cookies-get-http.golden"},
	{"get api", []string{"get", "https://api.example.org/v1/users", "testdata/cookies.txt"}, "cookies-get-api.golden"},
}

func TestCookiesGolden(t *testing.T) {
	for _, tt := range cookiesGoldenTests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runCookies(t, tt.args...)
			if err != nil {
				t.Fatalf("got error %v (stderr %q)", err, errOut)
			}
			cookiesGolden(t, tt.golden, out)
		})
	}
}

func TestCookiesGetExactHeader(t *testing.T) {
	out, _, err := runCookies(t, "get", "https://www.example.com/app/cart", "testdata/cookies.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := "cart=3-items; session_id=s3cr3t-0f8a6b2c9d1e4f7a8b3c5d2e6f9a1b4c; theme=dark; __Secure-pref=lang=en\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestCookiesGetNone(t *testing.T) {
	out, errOut, err := runCookies(t, "get", "https://other.example/", "testdata/cookies.txt")
	if err != nil || out != "" || !strings.Contains(errOut, "no cookie") {
		t.Errorf("got out %q, stderr %q, err %v; want no output and a note", out, errOut, err)
	}
}

var cookiesErrorTests = []struct {
	name string
	args []string
	want string // substring of the error
}{
	{"bad json entry", []string{"list", "testdata/cookies-bad.json"}, `testdata/cookies-bad.json: jar: json line 3: cookie "bad": invalid domain ""`},
	{"bad json entry get", []string{"get", "http://example.com/", "testdata/cookies-bad.json"}, "json line 3"},
	{"truncated json", []string{"convert", "--to", "txt", "testdata/cookies-truncated.json"}, "testdata/cookies-truncated.json: jar: json line 3: unexpected end of JSON input"},
	{"missing file", []string{"list", "testdata/cookies-missing.txt"}, "no such file"},
	{"bad format", []string{"convert", "--to", "xml", "testdata/cookies.txt"}, `--to "xml": want json or txt`},
	{"no --to", []string{"convert", "testdata/cookies.txt"}, `required flag(s) "to" not set`},
	{"relative URL", []string{"get", "/path", "testdata/cookies.txt"}, "want an absolute URL"},
	{"args", []string{"get", "https://example.com/"}, "accepts 2 arg(s)"},
}

func TestCookiesErrors(t *testing.T) {
	for _, tt := range cookiesErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCookies(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestFlags: "cookies list" shows each attribute, and a partitioned
// cookie's partition (the top-level site it is sent under).
func TestFlags(t *testing.T) {
	tests := []struct {
		e    jar.Entry
		want string
	}{
		{jar.Entry{}, "-"},
		{jar.Entry{Secure: true, HttpOnly: true, SameSite: cookie.SameSiteLax}, "Secure,HttpOnly,SameSite=Lax"},
		{jar.Entry{Secure: true, Partitioned: true, PartitionKey: "https://top.example"}, "Secure,Partitioned=https://top.example"},
		{jar.Entry{Secure: true, Partitioned: true}, "Secure,Partitioned"},
		{jar.Entry{Partitioned: true, PartitionKey: "https://x\x1b[2J.example"}, "Partitioned=https://x?[2J.example"},
		{jar.Entry{Partitioned: true, PartitionKey: "https://x\u009b2J\u0085.example"}, "Partitioned=https://x?2J?.example"},
		{jar.Entry{Partitioned: true, PartitionKey: "https://x\x9b2J.example"}, "Partitioned=https://x?2J.example"},
	}
	for _, tt := range tests {
		if got := flags(&tt.e); got != tt.want {
			t.Errorf("flags(%+v) = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// FuzzCookiesFile: any file content makes every cookies command either
// succeed or fail with an error naming the file; none panics, list
// writes no control character but the table's newlines, and stderr none
// but newlines.
func FuzzCookiesFile(f *testing.F) {
	for _, name := range []string{"cookies.txt", "cookies-bad.txt", "cookies-bad.json", "cookies-truncated.json", "cookies-convert.json.golden"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("example.com\tTRUE\t/\tFALSE\t99999999999999999999\ta\tb\n"))
	f.Add([]byte("#HttpOnly_.example.com\tTRUE\t/\tTRUE\t0\t\x1b[2J\t\x00\n"))
	f.Add([]byte(`[{"name":"a","value":"b","domain":"example.com","path":"/","expires":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "jar")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"list", path}, {"convert", "--to", "json", path}, {"convert", "--to", "txt", path}, {"get", "https://example.com/", path}} {
			out, errOut, err := runCookies(t, args...)
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Fatalf("%q: error %q does not name the file", args, err)
			}
			// A warning about a left-out line is printable.
			if strings.ContainsFunc(errOut, func(r rune) bool { return r != '\n' && unprintable(r) }) {
				t.Fatalf("%q: stderr holds a control character: %q", args, errOut)
			}
			if args[0] == "list" && strings.ContainsFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' }) {
				t.Fatalf("list wrote a control character: %q", out)
			}
		}
	})
}

// TestCookiesUnknownSubcommand: a mistyped subcommand fails (status 1,
// "unknown command" on stderr) instead of printing the help with status 0;
// "cookies" alone still prints the help.
func TestCookiesUnknownSubcommand(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string // in stdout+stderr
	}{
		{[]string{"cookies", "lsit", "x.txt"}, 1, "unknown command"},
		{[]string{"cookies"}, 0, "Inspect and convert"},
	} {
		var out, errb bytes.Buffer
		code := run(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, tt.args)
		if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.want) {
			t.Errorf("%q: status %d, output %q; want status %d and %q", tt.args, code, out.String()+errb.String(), tt.code, tt.want)
		}
	}
}

// TestCookiesGetSkipsRefusedCookie: a cookie the jar refuses (here a
// __Host- cookie with a Domain, which a browser never stores) is left out
// of "get" with a warning naming it, never its value; the other cookies of
// the file are still sent, as a browser holding the file would send them.
func TestCookiesGetSkipsRefusedCookie(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	data := "# Netscape HTTP Cookie File\n" +
		".example.com\tTRUE\t/\tTRUE\t0\t__Host-bad\tsecret-value\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tsid\tabc\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCookies(t, "get", "https://example.com/", path)
	if err != nil {
		t.Fatalf("get: %v (stderr %q); want the other cookies", err, errOut)
	}
	if out != "sid=abc\n" {
		t.Errorf("get printed %q, want %q", out, "sid=abc\n")
	}
	if !strings.Contains(errOut, "warning") || !strings.Contains(errOut, `"__Host-bad"`) || strings.Contains(errOut, "secret-value") {
		t.Errorf("stderr %q: want a warning naming __Host-bad without its value", errOut)
	}
}

// TestCookiesFileTooLarge: a cookie file is read whole into memory, each
// entry costing some 30 times its line (a 200 MB file took 6 GB), so a file
// over maxCookieFile is refused before it is parsed to the end: no browser
// or curl jar comes near it.
func TestCookiesFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("# " + strings.Repeat("x", 1021) + "\n") // 1 KiB of comment
	for range maxCookieFile/len(line) + 16 {
		if _, err := f.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list", path}, {"convert", "--to", "json", path}, {"get", "https://example.com/", path}} {
		_, _, err := runCookies(t, args...)
		if err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("cookies %s of a %d-byte file: error %v, want one saying it is too large", args[0], maxCookieFile+16<<10, err)
		}
	}
}

// TestCookiesListBidi: a bidirectional control (U+202E RIGHT-TO-LEFT
// OVERRIDE) in a cookie's name or value would reorder the rest of the
// table's line on a terminal; list masks it, as sessions quotes it.
func TestCookiesListBidi(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(path, []byte("example.com\tFALSE\t/\tFALSE\t0\tn\u202eame\tva\u2066lue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCookies(t, "list", path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsFunc(out, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }) {
		t.Errorf("list wrote a bidirectional control: %q", out)
	}
	if !strings.Contains(out, "n?ame") || !strings.Contains(out, "va?lue") {
		t.Errorf("list output %q: want the name and value with the controls masked as ?", out)
	}
}
