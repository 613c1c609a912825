package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var parseJSONPathTests = []struct {
	raw     string
	want    string // the steps, printed
	wantErr string
}{
	{raw: "", want: `[""]`},
	{raw: "a", want: `["a"]`},
	{raw: "a]b", want: `["a]b"]`}, // only "[" opens a path in a name
	{raw: `a\[b\]`, want: `["a[b]"]`},
	{raw: "user[name]", want: `["user"]["name"]`},
	{raw: "user[tags][]", want: `["user"]["tags"][]`},
	{raw: "items[0][id]", want: `["items"][0]["id"]`},
	{raw: "[]", want: `[]`},
	{raw: "[0][type]", want: `[0]["type"]`},
	{raw: "[a]", want: `["a"]`},
	{raw: `o[\1]`, want: `["o"]["1"]`},
	{raw: `o[\100]`, want: `["o"]["100"]`},
	{raw: `o[\[]`, want: `["o"]["["]`},
	{raw: `o[\]]`, want: `["o"]["]"]`},
	{raw: `o[\\]`, want: `["o"]["\\"]`},
	{raw: "o[1a]", want: `["o"]["1a"]`},
	{raw: "o[007]", want: `["o"][7]`},
	{raw: "a[65536]", want: `["a"][65536]`},
	{raw: "a[65537]", wantErr: "larger than"},
	{raw: "a[99999999999999999999999]", wantErr: "larger than"},
	{raw: "foo[baz][quux", wantErr: "missing ']'"},
	{raw: "a[b]c", wantErr: "expected '['"},
	{raw: "a[b[c]]", wantErr: "unexpected '['"},
	{raw: "[", wantErr: "missing ']'"},
	// HTTPie 3's escapes: "\[", "\]" and "\\" make a key, never an index;
	// "\" and a number ("[\1]") is that number as a key; a backslash before
	// anything else stays.
	{raw: `[\1]`, want: `["1"]`},
	{raw: `[1\2]`, want: `["1\\2"]`},
	{raw: `o[1\2]`, want: `["o"]["1\\2"]`},
	{raw: `a\b`, want: `["a\\b"]`},
	{raw: `a\\`, want: `["a\\"]`},
	{raw: `a\b[c\d]`, want: `["a\\b"]["c\\d"]`},
	{raw: `o[\1a]`, want: `["o"]["\\1a"]`},
	{raw: `o[\1\[]`, want: `["o"]["\\1["]`},
	{raw: `o[12\]]`, want: `["o"]["12]"]`},
	{raw: `o[\\1]`, want: `["o"]["\\1"]`},
	{raw: `o[\12][3]`, want: `["o"]["12"][3]`},
	{raw: `o[6553\7]`, want: `["o"]["6553\\7"]`}, // a key, so no index bound
	{raw: `o[a\]b]`, want: `["o"]["a]b"]`},
	{raw: `o[x=y]`, want: `["o"]["x=y"]`}, // parseItem resolved "\=" already
	{raw: `o[\-1]`, want: `["o"]["-1"]`},
	{raw: `o[\ 1]`, want: `["o"][" 1"]`},
	{raw: "o[-a]", want: `["o"]["-a"]`},
	{raw: "o[1 2]", want: `["o"]["1 2"]`},
	{raw: `\1[a]`, want: `["1"]["a"]`},
	{raw: `a\[b\][c]`, want: `["a[b]"]["c"]`},
	// Odd segments are errors, not a guess.
	{raw: "o[-1]", wantErr: `[-1] in "o[-1]" is not an array index`},
	{raw: "o[+1]", wantErr: `write [\+1] for the key "+1"`},
	{raw: "o[ 1]", wantErr: "not an array index"},
	{raw: "o[1 ]", wantErr: "not an array index"},
	{raw: `o[\]`, wantErr: `\] is a literal ']'`},
	{raw: `o[a\`, wantErr: "lone backslash"},
	{raw: `o[\1]x`, wantErr: "expected '['"},
}

func formatSteps(steps []pathStep) string {
	var b strings.Builder
	for _, s := range steps {
		if s.kind == stepKey {
			k, _ := json.Marshal(s.key)
			b.WriteString("[" + string(k) + "]")
		} else {
			b.WriteString(s.String())
		}
	}
	return b.String()
}

func TestParseJSONPath(t *testing.T) {
	for _, tt := range parseJSONPathTests {
		steps, err := parseJSONPath(tt.raw)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseJSONPath(%q): got %v, %v; want an error containing %q", tt.raw, formatSteps(steps), err, tt.wantErr)
			}
			continue
		}
		if got := formatSteps(steps); err != nil || got != tt.want {
			t.Errorf("parseJSONPath(%q) = %s, %v; want %s", tt.raw, got, err, tt.want)
			continue
		}
		// The bracketed steps, printed as errors print them, read back the
		// same after any name.
		brackets := steps
		if !strings.HasPrefix(tt.raw, "[") {
			brackets = steps[1:]
		}
		var b strings.Builder
		b.WriteString("x")
		for _, s := range brackets {
			b.WriteString(s.String())
		}
		back, err := parseJSONPath(b.String())
		if got, want := formatSteps(back), `["x"]`+formatSteps(brackets); err != nil || got != want {
			t.Errorf("parseJSONPath(%q) = %s, %v; want %s", b.String(), got, err, want)
		}
	}
}

// td is a file of testdata/http.
func td(name string) string { return filepath.Join("testdata", "http", name) }

// bodyTests build a request body from items (and stdin) and compare it
// byte for byte: HTTPie's separators, the items' key order.
var bodyTests = []struct {
	name      string
	items     []string
	form      bool
	stdin     string
	wantBody  string
	wantCType string
	wantErr   string
}{
	// Flat items: as before nested keys existed.
	{name: "flat", items: []string{"a=1", "b:=true", `c:=["x","y"]`, "d:= 2 "}, wantBody: `{"a": "1", "b": true, "c": ["x","y"], "d":  2 }`},
	{name: "flat last wins", items: []string{"a=1", "b=2", "a=3"}, wantBody: `{"a": "3", "b": "2"}`},
	{name: "escaped brackets are flat", items: []string{`foo\[bar\]:=1`, `baz[\[]:=2`, `baz[\]]:=3`}, wantBody: `{"foo[bar]": 1, "baz": {"[": 2, "]": 3}}`},
	{name: "empty key", items: []string{"=v"}, wantBody: `{"": "v"}`},

	// HTTPie 3's nested JSON examples.
	{name: "nested object", items: []string{"category=tools", "search[type]=id", "search[id]:=1"},
		wantBody: `{"category": "tools", "search": {"type": "id", "id": 1}}`},
	{name: "append", items: []string{"search[keywords][]=APIs", "search[keywords][]=CLI"},
		wantBody: `{"search": {"keywords": ["APIs", "CLI"]}}`},
	{name: "indexes out of order", items: []string{"k[1]=APIs", "k[0]=CLI"}, wantBody: `{"k": ["CLI", "APIs"]}`},
	{name: "missing indexes are null", items: []string{"p[]=Terminal", "p[1]=Desktop", "p[3]=Mobile"},
		wantBody: `{"p": ["Terminal", "Desktop", null, "Mobile"]}`},
	{name: "append to raw array", items: []string{`p:=["Terminal", "Desktop"]`, "p[]=Web"},
		wantBody: `{"p": ["Terminal", "Desktop", "Web"]}`},
	{name: "set in raw object", items: []string{`u:={"name": "Ann", "n": 1.50}`, "u[age]:=30"},
		wantBody: `{"u": {"name": "Ann", "n": 1.50, "age": 30}}`},
	{name: "deep", items: []string{"very[nested][json][3][httpie][power][]=Amaze"},
		wantBody: `{"very": {"nested": {"json": [null, null, null, {"httpie": {"power": ["Amaze"]}}]}}}`},
	{name: "array of objects", items: []string{"items[0][id]:=1", "items[0][name]=a", "items[1][id]:=2"},
		wantBody: `{"items": [{"id": 1, "name": "a"}, {"id": 2}]}`},
	{name: "append objects", items: []string{"l[][a]=1", "l[][a]=2"}, wantBody: `{"l": [{"a": "1"}, {"a": "2"}]}`},
	{name: "top-level array", items: []string{"[]:=1", "[]:=2", "[]:=3"}, wantBody: `[1, 2, 3]`},
	{name: "top-level array of objects", items: []string{"[0][type]=platform", "[0][name]=terminal", "[1][type]=platform"},
		wantBody: `[{"type": "platform", "name": "terminal"}, {"type": "platform"}]`},
	{name: "top-level key", items: []string{"[a]=1", "b=2"}, wantBody: `{"a": "1", "b": "2"}`},
	{name: "escaped index is a key", items: []string{`o[\1]=s`, "a[1]=i"}, wantBody: `{"o": {"1": "s"}, "a": [null, "i"]}`},
	{name: "a backslash in a number stays", items: []string{`o[1\2]=s`, `o[\3]=t`}, wantBody: `{"o": {"1\\2": "s", "3": "t"}}`},
	{name: "escaped key on array", items: []string{"a[0]=i", `a[1\2]=s`},
		wantErr: `"a[1\\2]=s": cannot use key "1\\2" on "a", which is an array and not an object`},
	{name: "unknown escapes keep the backslash", items: []string{`a\b=c`, `d\\=e`, `f=g\=h\i`, `j\:k:=1`},
		wantBody: `{"a\\b": "c", "d\\": "e", "f": "g=h\\i", "j:k": 1}`},
	{name: "form keys keep backslashes", form: true, items: []string{`a\[b\]=c`, `d\e=f\=g`, `h\\=i`},
		wantBody: `a%5C%5Bb%5C%5D=c&d%5Ce=f%3Dg&h%5C%5C=i`, wantCType: "application/x-www-form-urlencoded; charset=utf-8"},
	{name: "escaped key names its container", items: []string{`a[\12][]=1`, `a[\12][b]=2`},
		wantErr: `cannot use key "b" on "a[\\12]", which is an array`},
	{name: "signed index", items: []string{"a[-1]=x"}, wantErr: `"a[-1]=x": [-1] in "a[-1]" is not an array index`},
	{name: "override changes type", items: []string{"user[name]:=411", "user[name]=string"}, wantBody: `{"user": {"name": "string"}}`},

	// Type conflicts name the item and the container.
	{name: "key on array", items: []string{"array[]:=1", "array[key]:=3"},
		wantErr: `"array[key]:=3": cannot use key "key" on "array", which is an array and not an object`},
	{name: "index on object", items: []string{"o[a]=1", "o[0]=2"},
		wantErr: `"o[0]=2": cannot use index [0] on "o", which is an object and not an array`},
	{name: "append on object", items: []string{"o[a]=1", "o[]=2"}, wantErr: `"o[]=2": cannot use index [] on "o"`},
	{name: "key on string", items: []string{"a=x", "a[b]=2"}, wantErr: `"a[b]=2": cannot use key "b" on "a", which is a string and not an object`},
	{name: "key on number", items: []string{"a:=1", "a[b]=2"}, wantErr: `which is a number`},
	{name: "index on raw object", items: []string{`a:={"x":1}`, "a[0]=2"}, wantErr: `which is an object and not an array`},
	{name: "deep conflict", items: []string{"a[b][]=1", "a[b][c]=2"}, wantErr: `"a[b][c]=2": cannot use key "c" on "a[b]", which is an array`},
	{name: "top-level conflict", items: []string{"[]:=1", "a=2"}, wantErr: `"a=2": cannot use key "a" on the top level, which is an array`},
	{name: "top-level conflict reverse", items: []string{"a=2", "[]:=1"}, wantErr: `cannot use index [] on the top level, which is an object`},
	{name: "syntax error", items: []string{"foo[baz][quux=FAIL"}, wantErr: `"foo[baz][quux=FAIL": missing ']'`},
	{name: "huge index", items: []string{"a[100000000]=x"}, wantErr: "larger than"},

	// Files.
	{name: "text file", items: []string{"bio=@" + td("text.txt")}, wantBody: `{"bio": "John is a nice guy who likes pies.\n"}`},
	{name: "json file", items: []string{"b:=@" + td("data.json"), "b[more]:=true"},
		wantBody: `{"b": {"HTTPie": "https://httpie.io", "n": [1, 2], "more": true}}`},
	{name: "json file flat", items: []string{"b:=@" + td("data.json")}, wantBody: `{"b": {"HTTPie": "https://httpie.io", "n": [1, 2]}}`},
	{name: "bad json file", items: []string{"b:=@" + td("bad.json")}, wantErr: "the file is not valid JSON (line 1, column 2: invalid character 'o' in literal null"},
	{name: "binary text file", items: []string{"b=@" + td("latin.txt")}, wantErr: "not UTF-8 text"},
	{name: "missing file", items: []string{"b=@" + td("nope.txt")}, wantErr: "no such file"},
	{name: "missing json file", items: []string{"b:=@" + td("nope.json")}, wantErr: `"b:=@testdata/http/nope.json": open testdata/http/nope.json: no such file`},
	{name: "missing body file", items: []string{"@" + td("nope.xml")}, wantErr: "@testdata/http/nope.xml: open testdata/http/nope.xml: no such file"},
	{name: "missing query file", items: []string{"a=1", "q==@" + td("nope.txt")}, wantErr: `"q==@testdata/http/nope.txt": open`},
	{name: "text file in form", form: true, items: []string{"bio=@" + td("text.txt")},
		wantBody: "bio=John+is+a+nice+guy+who+likes+pies.%0A", wantCType: "application/x-www-form-urlencoded; charset=utf-8"},
	{name: "json file in form", form: true, items: []string{"b:=@" + td("data.json")}, wantErr: `"b:=@testdata/http/data.json": an object cannot be sent with --form`},
	// HTTPie 3: a JSON string or number is a form field's text.
	{name: "json scalars in form", form: true, items: []string{"n:=1.50", `s:="a b"`, "e:=-2e3"},
		wantBody: "n=1.50&s=a+b&e=-2e3", wantCType: "application/x-www-form-urlencoded; charset=utf-8"},
	{name: "json array in form", form: true, items: []string{"a:=[1]"}, wantErr: `"a:=[1]": an array cannot be sent with --form`},
	{name: "json boolean in form", form: true, items: []string{"a:=true"}, wantErr: "a boolean cannot be sent with --form"},
	{name: "json null in form", form: true, items: []string{"a:=null"}, wantErr: "a null cannot be sent with --form"},
	{name: "upload needs form", items: []string{"cv@" + td("text.txt")}, wantErr: "need --form"},
	{name: "upload needs a name", form: true, items: []string{"@" + td("text.txt")}, wantErr: "needs a name"},
	{name: "body from file", items: []string{"@" + td("body.xml")}, wantBody: "<a>1</a>\n", wantCType: mime.TypeByExtension(".xml")},
	{name: "body file and data", items: []string{"@" + td("body.xml"), "a=1"}, wantErr: "cannot be mixed"},
	{name: "two body files", items: []string{"@" + td("body.xml"), "@" + td("text.txt")}, wantErr: "only one @file body"},

	// Stdin: the raw body, alone.
	{name: "stdin", stdin: `{"raw": true}`, items: []string{"X-A:1", "q==1"}, wantBody: `{"raw": true}`, wantCType: "application/json"},
	{name: "stdin form", form: true, stdin: "a=1&b=2", wantBody: "a=1&b=2", wantCType: "application/x-www-form-urlencoded; charset=utf-8"},
	{name: "stdin and field", stdin: "x", items: []string{"a=1"}, wantErr: "cannot be mixed; pass --ignore-stdin"},
	{name: "stdin and raw json", stdin: "x", items: []string{"a:=1"}, wantErr: "cannot be mixed"},
	{name: "stdin and file field", stdin: "x", items: []string{"a=@" + td("text.txt")}, wantErr: "cannot be mixed"},
	{name: "stdin and upload", stdin: "x", form: true, items: []string{"a@" + td("text.txt")}, wantErr: "cannot be mixed"},
	{name: "stdin and body file", stdin: "x", items: []string{"@" + td("body.xml")}, wantErr: "cannot be mixed"},
	{name: "empty stdin", stdin: "", items: []string{"a=1"}, wantBody: `{"a": "1"}`},
}

func TestHTTPBody(t *testing.T) {
	for _, tt := range bodyTests {
		args := append([]string{"example.org"}, tt.items...)
		r, err := parseHTTPArgsStdin(args, tt.form, []byte(tt.stdin))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(r.body) != tt.wantBody {
			t.Errorf("%s: body %s, want %s", tt.name, r.body, tt.wantBody)
		}
		if !json.Valid(r.body) && r.ctype == "application/json" && tt.stdin == "" {
			t.Errorf("%s: body %s is not valid JSON", tt.name, r.body)
		}
		want := tt.wantCType
		if want == "" {
			want = "application/json"
		}
		if r.ctype != want || r.header.Get("Content-Type") != want {
			t.Errorf("%s: Content-Type %q (header %q), want %q", tt.name, r.ctype, r.header.Get("Content-Type"), want)
		}
		if r.method != http.MethodPost {
			t.Errorf("%s: method %s, want POST (there is a body)", tt.name, r.method)
		}
	}
}

// TestHTTPFileItems: the file forms of headers and query parameters.
func TestHTTPFileItems(t *testing.T) {
	r, err := parseHTTPArgs([]string{"example.org", "X-Token:@" + td("token.txt"), "q==@" + td("text.txt")}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.header.Get("X-Token"); got != "secret-token" {
		t.Errorf("X-Token:@file: got %q, want the file's line without trailing newlines", got)
	}
	if got := r.url.Query().Get("q"); got != "John is a nice guy who likes pies.\n" {
		t.Errorf("q==@file: got %q", got)
	}
	if r.method != http.MethodGet || r.body != nil {
		t.Errorf("header and query files made a body: %s %q", r.method, r.body)
	}
	for _, bad := range []string{"X-T:@" + td("two-lines.txt"), "X-T:@" + td("missing")} {
		if _, err := parseHTTPArgs([]string{"example.org", bad}, false); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: got %v, want an error naming the item", bad, err)
		}
	}
}

// TestMultipartBody: with --form, a field@file item makes the request
// multipart; fields and files keep their order, files get their name and a
// type from the extension (or ;type=).
func TestMultipartBody(t *testing.T) {
	r, err := parseHTTPArgs([]string{"example.org", "name=Ann Lee", "pic@" + td("pixel.png"),
		"raw@" + td("blob"), "cv@" + td("text.txt") + ";type=application/pdf"}, true)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(r.body))
	req.Header.Set("Content-Type", r.header.Get("Content-Type"))
	mr, err := req.MultipartReader()
	if err != nil {
		t.Fatalf("Content-Type %q: %v", r.ctype, err)
	}
	type part struct{ name, file, ctype, data string }
	want := []part{
		{"name", "", "", "Ann Lee"},
		{"pic", "pixel.png", mime.TypeByExtension(".png"), "\x89PNG\r\n\x1a\n\x00\x01\x02\xff"},
		{"raw", "blob", "application/octet-stream", "\x00\x01\x02\x03"},
		{"cv", "text.txt", "application/pdf", "John is a nice guy who likes pies.\n"},
	}
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			if i != len(want) {
				t.Errorf("%d parts, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		got := part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)}
		if i >= len(want) || got != want[i] {
			t.Errorf("part %d: got %+v", i, got)
			if i < len(want) {
				t.Errorf("want %+v", want[i])
			}
		}
	}
	if _, err := parseHTTPArgs([]string{"example.org", "f@" + td("missing.bin")}, true); err == nil || !strings.Contains(err.Error(), "missing.bin") {
		t.Errorf("a missing upload: got %v, want an error naming the file", err)
	}
}

// TestReadStdinBody: a reader is read; --ignore-stdin and a terminal are
// not.
func TestReadStdinBody(t *testing.T) {
	got, err := readStdinBody(context.Background(), strings.NewReader("data"), false, false)
	if err != nil || string(got) != "data" {
		t.Errorf("reader: got %q, %v", got, err)
	}
	if got, err := readStdinBody(context.Background(), strings.NewReader("data"), true, false); err != nil || got != nil {
		t.Errorf("--ignore-stdin: got %q, %v; want nothing", got, err)
	}
	f, err := os.Open(td("body.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := readStdinBody(context.Background(), f, false, false); err != nil || string(got) != "<a>1</a>\n" {
		t.Errorf("redirected file: got %q, %v", got, err)
	}
}

// exchange is what the end-to-end server received.
type exchange struct {
	method, ctype, accept, xToken string
	body                          []byte
	form                          map[string][]string
	files                         map[string][2]string // field: filename, content
	fileTypes                     map[string]string
}

// recordingServer answers 200 and sends each request it parsed on the
// channel.
func recordingServer(t *testing.T) (*httptest.Server, <-chan exchange) {
	ch := make(chan exchange, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex := exchange{method: r.Method, ctype: r.Header.Get("Content-Type"), accept: r.Header.Get("Accept"),
			xToken: r.Header.Get("X-Token")}
		if strings.HasPrefix(ex.ctype, "multipart/form-data") {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			ex.form = r.MultipartForm.Value
			ex.files, ex.fileTypes = map[string][2]string{}, map[string]string{}
			for field, fhs := range r.MultipartForm.File {
				f, err := fhs[0].Open()
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				data, _ := io.ReadAll(f)
				f.Close()
				ex.files[field] = [2]string{fhs[0].Filename, string(data)}
				ex.fileTypes[field] = fhs[0].Header.Get("Content-Type")
			}
		} else {
			ex.body, _ = io.ReadAll(r.Body)
		}
		ch <- ex
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

// runHTTPStdin runs "httpstate http args..." with stdin.
func runHTTPStdin(stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	s := &Streams{In: stdin, Out: &out, ErrOut: &errb}
	code = run(s, append([]string{"http"}, args...))
	return out.String(), errb.String(), code
}

// TestHTTPBodyEndToEnd sends nested JSON, a multipart upload and a stdin
// body to a loopback server and checks what it received.
func TestHTTPBodyEndToEnd(t *testing.T) {
	srv, got := recordingServer(t)

	t.Run("nested JSON", func(t *testing.T) {
		_, stderr, code := runHTTPStdin(strings.NewReader(""), "PUT", srv.URL, "user[name]=Ann",
			"user[tags][]=a", "user[tags][]=b", "items[0][id]:=1", "meta:=@"+td("data.json"), "X-Token:@"+td("token.txt"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		ex := <-got
		want := `{"user": {"name": "Ann", "tags": ["a", "b"]}, "items": [{"id": 1}], "meta": {"HTTPie": "https://httpie.io", "n": [1, 2]}}`
		if ex.method != "PUT" || ex.ctype != "application/json" || string(ex.body) != want || ex.xToken != "secret-token" {
			t.Errorf("got %s %q %s (X-Token %q); want PUT application/json %s", ex.method, ex.ctype, ex.body, ex.xToken, want)
		}
	})

	t.Run("multipart upload", func(t *testing.T) {
		_, stderr, code := runHTTPStdin(strings.NewReader(""), "-f", srv.URL, "name=Ann", "pic@"+td("pixel.png"), "doc@"+td("text.txt"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		ex := <-got
		if ex.method != "POST" || !strings.HasPrefix(ex.ctype, "multipart/form-data; boundary=") {
			t.Errorf("got %s %q, want POST multipart/form-data", ex.method, ex.ctype)
		}
		if v := ex.form["name"]; len(v) != 1 || v[0] != "Ann" {
			t.Errorf("field name: %q", v)
		}
		png, _ := os.ReadFile(td("pixel.png"))
		if f := ex.files["pic"]; f != [2]string{"pixel.png", string(png)} || ex.fileTypes["pic"] != "image/png" {
			t.Errorf("pic: got %q (%s), want pixel.png with the file's %d bytes", f, ex.fileTypes["pic"], len(png))
		}
		if f := ex.files["doc"]; f != [2]string{"text.txt", "John is a nice guy who likes pies.\n"} {
			t.Errorf("doc: got %q", f)
		}
	})

	t.Run("stdin body", func(t *testing.T) {
		stdout, stderr, code := runHTTPStdin(strings.NewReader(`{"from": "stdin"}`), "PATCH", srv.URL, "X-Token:t")
		if code != 0 || stdout != "ok" {
			t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
		}
		ex := <-got
		if ex.method != "PATCH" || string(ex.body) != `{"from": "stdin"}` || ex.ctype != "application/json" ||
			ex.accept != "application/json, */*;q=0.5" {
			t.Errorf("got %s %q %q accept %q", ex.method, ex.ctype, ex.body, ex.accept)
		}
		// No method: a body makes it a POST.
		if _, stderr, code := runHTTPStdin(strings.NewReader("raw text"), srv.URL, "Content-Type:text/plain"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if ex := <-got; ex.method != "POST" || string(ex.body) != "raw text" || ex.ctype != "text/plain" {
			t.Errorf("got %s %q %q, want POST text/plain", ex.method, ex.ctype, ex.body)
		}
	})

	t.Run("stdin with data items", func(t *testing.T) {
		_, stderr, code := runHTTPStdin(strings.NewReader("x"), srv.URL, "a=1")
		if code != 1 || !strings.Contains(stderr, "--ignore-stdin") {
			t.Errorf("exit %d, stderr %q; want 1 and a hint at --ignore-stdin", code, stderr)
		}
		for _, flag := range []string{"--ignore-stdin", "-I"} {
			_, stderr, code = runHTTPStdin(strings.NewReader("x"), flag, srv.URL, "a=1")
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", flag, code, stderr)
			}
			if ex := <-got; string(ex.body) != `{"a": "1"}` {
				t.Errorf("%s: body %q, want the items' JSON", flag, ex.body)
			}
		}
	})

	t.Run("bad nested key", func(t *testing.T) {
		_, stderr, code := runHTTPStdin(strings.NewReader(""), srv.URL, "a[]=1", "a[x]=2")
		if code != 1 || !strings.Contains(stderr, `"a[x]=2": cannot use key "x" on "a", which is an array`) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		select {
		case ex := <-got:
			t.Errorf("a request was sent: %+v", ex)
		default:
		}
	})
}

// TestHTTPHeadersFlag: --headers prints the response headers only; -h is
// still help.
func TestHTTPHeadersFlag(t *testing.T) {
	srv, got := recordingServer(t)
	stdout, stderr, code := runHTTPStdin(strings.NewReader(""), "--headers", srv.URL)
	<-got
	if code != 0 || !strings.HasPrefix(stdout, "HTTP/1.1 200 OK\n") || strings.Contains(stdout, "ok") {
		t.Errorf("--headers: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, _, code = runHTTPStdin(strings.NewReader(""), "-h")
	if code != 0 || !strings.Contains(stdout, "--headers") || !strings.Contains(stdout, "--ignore-stdin") {
		t.Errorf("-h: exit %d, want the help listing --headers and --ignore-stdin: %q", code, stdout)
	}
}

// FuzzJSONBody: any two data items either fail with an error or build
// valid JSON; nothing panics.
func FuzzJSONBody(f *testing.F) {
	for _, tt := range bodyTests {
		if len(tt.items) == 2 && tt.stdin == "" && !tt.form {
			f.Add(tt.items[0], tt.items[1])
		}
	}
	f.Add("a[0][b][]:=1", "a[0][b][5]=x")
	f.Fuzz(func(t *testing.T, a, b string) {
		var jb jsonBody
		for _, s := range []string{a, b} {
			it, err := parseItem(s)
			if err != nil || (it.Kind != itemData && it.Kind != itemRawJSON) {
				return
			}
			v := it.Value
			if it.Kind == itemData {
				bs, _ := json.Marshal(v)
				v = string(bs)
			}
			if err := jb.add(s, it.Key, v); err != nil {
				if !strings.Contains(err.Error(), strconv.Quote(s)) {
					t.Fatalf("error %q does not name the item %q", err, s)
				}
				return
			}
		}
		if out := jb.bytes(); !json.Valid(out) {
			t.Fatalf("items %q, %q built invalid JSON %s", a, b, out)
		}
	})
}

// TestMultipartTypeInjection: a ";type=" with a line break cannot add
// headers to the part.
func TestMultipartTypeInjection(t *testing.T) {
	for _, typ := range []string{"text/plain\r\nX-Injected: 1", "text/plain\nX-Injected: 1", "text/plain\x00", "not a type"} {
		_, err := parseHTTPArgs([]string{"example.org", "f@" + td("text.txt") + ";type=" + typ}, true)
		if err == nil || !strings.Contains(err.Error(), "type") {
			t.Errorf("type %q: got %v, want an error", typ, err)
		}
	}
	if _, err := parseHTTPArgs([]string{"example.org", "@" + td("text.txt") + ";type=a/b\r\nX: y"}, false); err == nil {
		t.Errorf("@file body with a line break in its type: no error")
	}
}

// TestJSONSparseArrayBudget: indexes near the cap, repeated over many
// keys or nested, are an error rather than gigabytes of nulls.
func TestJSONSparseArrayBudget(t *testing.T) {
	nested := "a" + strings.Repeat("[65536]", 200) + "=x"
	if _, err := parseHTTPArgs([]string{"example.org", nested}, false); err == nil {
		t.Errorf("%d nested sparse arrays: no error", 200)
	}
	args := []string{"example.org"}
	for i := 0; i < 200; i++ {
		args = append(args, fmt.Sprintf("a%d[65536]=x", i))
	}
	if _, err := parseHTTPArgs(args, false); err == nil {
		t.Errorf("200 sparse arrays: no error")
	}
	if _, err := parseHTTPArgs([]string{"example.org", "a[65536]=x", "b[1000]=y"}, false); err != nil {
		t.Errorf("one large index: %v", err)
	}
}

// TestJSONDeepPathLinear: a path of 20000 steps (an argument can hold
// 65536) costs memory linear in its depth; naming the container step by
// step cost hundreds of megabytes.
func TestJSONDeepPathLinear(t *testing.T) {
	key := "a" + strings.Repeat("[]", 20000) + "=x"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := parseHTTPArgs([]string{"example.org", key}, false); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("a %d-step path allocated %d MB", 20000, got>>20)
	}
}

// TestMultipartHostileFileName: quotes, backslashes and line breaks in an
// upload's file name stay inside its Content-Disposition.
func TestMultipartHostileFileName(t *testing.T) {
	name := "a\"b\\c\r\nX-Injected: 1\r\n\r\nd.txt"
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Skipf("file system refuses the name: %v", err)
	}
	r, err := parseHTTPArgs([]string{"example.org", "f\"\r\nq@" + path}, true)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(r.body))
	req.Header.Set("Content-Type", r.header.Get("Content-Type"))
	mr, err := req.MultipartReader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Header) != 2 || p.Header.Get("X-Injected") != "" || p.Header.Get("X-F") != "" {
		t.Errorf("part headers %q", p.Header)
	}
	if data, _ := io.ReadAll(p); string(data) != "data" {
		t.Errorf("part body %q", data)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more than one part: %v", err)
	}
}

// zeros is an endless reader of zero bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestRequestBodyLimit: a body read from a file, an upload or stdin is
// held in memory, so one larger than maxRequestBody is an error naming the
// limit, never an attempt to read it all (a sparse file of the size stands
// in for a huge one; an endless reader for /dev/zero).
func TestRequestBodyLimit(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxRequestBody + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, args := range [][]string{
		{"example.org", "@" + big},
		{"example.org", "data=@" + big},
		{"example.org", "data:=@" + big},
	} {
		if _, err := parseHTTPArgs(args, false); !errors.Is(err, errBodyTooLarge) {
			t.Errorf("%q: err = %v, want errBodyTooLarge", args, err)
		}
	}
	if _, err := parseHTTPArgs([]string{"example.org", "up@" + big}, true); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("upload of a file over the limit: err = %v, want errBodyTooLarge", err)
	}
	if _, err := readStdinBody(context.Background(), zeros{}, false, false); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("endless stdin: err = %v, want errBodyTooLarge", err)
	}
	// A file under the limit is read.
	if err := os.Truncate(big, 1024); err != nil {
		t.Fatal(err)
	}
	if r, err := parseHTTPArgs([]string{"example.org", "@" + big}, false); err != nil || len(r.body) != 1024 {
		t.Errorf("a 1 KiB body file: err = %v", err)
	}
}

// runHTTPContext runs "httpstate http args..." with stdin and ctx in a
// goroutine, failing the test if it has not returned within a minute: a
// command blocked on stdin is a failure, not a hung test run.
func runHTTPContext(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	type result struct {
		out, err string
		code     int
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		s := &Streams{In: stdin, Out: &out, ErrOut: &errb}
		c := runContext(ctx, s, append([]string{"http"}, args...))
		done <- result{out.String(), errb.String(), c}
	}()
	select {
	case r := <-done:
		return r.out, r.err, r.code
	case <-time.After(time.Minute):
		t.Fatalf("http %q did not return within a minute", args)
	}
	return "", "", 0
}

// TestHTTPStdinNeverClosed: stdin is a pipe whose writer never closes it
// (a shell loop, ssh, xargs). As in HTTPie, data items mean stdin is not
// read: the command fails at once with a hint at --ignore-stdin, and with
// -I it sends the items. Without data items stdin is the body, and a
// cancelled context (Ctrl-C) ends the wait.
func TestHTTPStdinNeverClosed(t *testing.T) {
	srv, got := recordingServer(t)
	pipe := func(t *testing.T) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close(); r.Close() })
		return r
	}
	noRequest := func(t *testing.T) {
		t.Helper()
		select {
		case ex := <-got:
			t.Errorf("a request was sent: %+v", ex)
		default:
		}
	}
	ctx := context.Background()

	for _, items := range [][]string{{"a=1"}, {"a:=1"}, {"X-A:1", "a=1"}, {"b=@" + td("text.txt")}, {"@" + td("body.xml")}} {
		_, stderr, code := runHTTPContext(t, ctx, pipe(t), append([]string{srv.URL}, items...)...)
		if code != 1 || !strings.Contains(stderr, "--ignore-stdin") {
			t.Errorf("%q: exit %d, stderr %q; want 1 and a hint at --ignore-stdin", items, code, stderr)
		}
		noRequest(t)
	}

	for _, flag := range []string{"-I", "--ignore-stdin"} {
		_, stderr, code := runHTTPContext(t, ctx, pipe(t), flag, srv.URL, "a=1")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", flag, code, stderr)
		}
		if ex := <-got; ex.method != "POST" || string(ex.body) != `{"a": "1"}` {
			t.Errorf("%s: got %s %q, want POST with the items' JSON", flag, ex.method, ex.body)
		}
		_, stderr, code = runHTTPContext(t, ctx, pipe(t), flag, srv.URL, "X-A:1")
		if code != 0 {
			t.Fatalf("%s without data: exit %d: %s", flag, code, stderr)
		}
		if ex := <-got; ex.method != "GET" || len(ex.body) != 0 {
			t.Errorf("%s without data: got %s %q, want GET without a body", flag, ex.method, ex.body)
		}
	}

	// No data items: stdin is the body and is read; cancelling ends it.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, stderr, code := runHTTPContext(t, cctx, pipe(t), srv.URL, "X-A:1")
	if code == 0 || !strings.Contains(stderr, "stdin") {
		t.Errorf("cancelled while reading stdin: exit %d, stderr %q; want a failure naming stdin", code, stderr)
	}
	noRequest(t)
}

// TestHTTPStdinEmptyWithData: with data items, a stdin that holds nothing
// (/dev/null, an empty file, a pipe closed empty, an empty reader) is no
// body and no error; a file or pipe with data is the mixed-sources error,
// read or not.
func TestHTTPStdinEmptyWithData(t *testing.T) {
	srv, got := recordingServer(t)
	empty := filepath.Join(t.TempDir(), "empty")
	full := filepath.Join(t.TempDir(), "full")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(`{"x": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	open := func(name string) *os.File {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	// A pipe its writer closed before the command ran (a CI runner's
	// stdin, "true |"), empty or not.
	closedPipe := func(data string) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		if _, err := io.WriteString(w, data); err != nil {
			t.Fatal(err)
		}
		w.Close()
		return r
	}
	for _, tt := range []struct {
		name  string
		stdin io.Reader
		ok    bool
	}{
		{"dev null", open(os.DevNull), true},
		{"closed empty pipe", closedPipe(""), true},
		{"closed pipe with data", closedPipe(`{"x": 1}`), false},
		{"empty file", open(empty), true},
		{"empty reader", strings.NewReader(""), true},
		{"nil", nil, true},
		{"file with data", open(full), false},
		{"reader with data", strings.NewReader("x"), false},
	} {
		_, stderr, code := runHTTPContext(t, context.Background(), tt.stdin, srv.URL, "a=1")
		if !tt.ok {
			if code != 1 || !strings.Contains(stderr, "--ignore-stdin") {
				t.Errorf("%s: exit %d, stderr %q; want 1 and a hint at --ignore-stdin", tt.name, code, stderr)
			}
			continue
		}
		if code != 0 {
			t.Errorf("%s: exit %d: %s", tt.name, code, stderr)
			continue
		}
		if ex := <-got; string(ex.body) != `{"a": "1"}` {
			t.Errorf("%s: body %q, want the items' JSON", tt.name, ex.body)
		}
	}
}

// TestHTTPDashItems: as in HTTPie, items starting with "-" go after "--";
// before it they are flags, and an unknown one is an error that sends
// nothing.
func TestHTTPDashItems(t *testing.T) {
	srv, got := recordingServer(t)
	_, stderr, code := runHTTPStdin(nil, srv.URL, "--", "-name=foo", "-n:=1", "--x=y")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if ex := <-got; ex.method != "POST" || string(ex.body) != `{"-name": "foo", "-n": 1, "--x": "y"}` {
		t.Errorf("got %s %s", ex.method, ex.body)
	}
	_, stderr, code = runHTTPStdin(nil, "--form", "PUT", "--", srv.URL, "-a=1")
	if code != 0 {
		t.Fatalf("--form PUT -- URL: exit %d: %s", code, stderr)
	}
	if ex := <-got; ex.method != "PUT" || string(ex.body) != "-a=1" {
		t.Errorf("got %s %s", ex.method, ex.body)
	}
	_, stderr, code = runHTTPStdin(nil, srv.URL, "-name=foo")
	if code != 1 || !strings.Contains(stderr, "-name=foo") || !strings.Contains(stderr, "--") {
		t.Errorf("an item like a flag: exit %d, stderr %q; want 1 and a hint at --", code, stderr)
	}
	select {
	case ex := <-got:
		t.Errorf("a request was sent: %+v", ex)
	default:
	}
}

// TestHTTPHostHeader: a Host item sets the Host the request is sent with
// (net/http ignores a Host in the header map), as in HTTPie; a session
// keeps it like any header.
func TestHTTPHostHeader(t *testing.T) {
	hosts := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts <- r.Host
	}))
	t.Cleanup(srv.Close)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())

	stdout, stderr, code := runHTTPStdin(nil, "--print=H", "--session=vhost", srv.URL, "Host:app.example.test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if h := <-hosts; h != "app.example.test" {
		t.Errorf("the server got Host %q, want app.example.test", h)
	}
	if !strings.Contains(stdout, "\nHost: app.example.test\n") || strings.Count(stdout, "Host:") != 1 {
		t.Errorf("--print=H shows %q, want one Host line with the item's value", stdout)
	}
	if _, stderr, code := runHTTPStdin(nil, "--session=vhost", srv.URL); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if h := <-hosts; h != "app.example.test" {
		t.Errorf("with the session, the server got Host %q, want app.example.test", h)
	}
}

// streamingServer answers with headers and a first line at once, then
// holds the body open until the client goes away or release is closed.
func streamingServer(t *testing.T) (srv *httptest.Server, release chan struct{}) {
	release = make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
			io.WriteString(w, "last\n")
		}
	}))
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
		srv.Close()
	})
	return srv, release
}

// TestHTTPHeadersOnlySkipsBody: as in HTTPie ("conditional body
// download"), a body that is not printed is not read: --headers returns as
// soon as the headers are in, however long the body.
func TestHTTPHeadersOnlySkipsBody(t *testing.T) {
	srv, _ := streamingServer(t)
	for _, args := range [][]string{{"--headers"}, {"--print=h"}, {"--print=Hh", "-v"}} {
		stdout, stderr, code := runHTTPContext(t, context.Background(), nil, append(args, srv.URL)...)
		if code != 0 || !strings.Contains(stdout, "HTTP/1.1 200 OK") || strings.Contains(stdout, "first") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want the headers only", args, code, stdout, stderr)
		}
	}
}

// TestHTTPPipedBodyStreams: a body printed as it is (piped, no --pretty)
// reaches stdout as it arrives, as in HTTPie, not once it has ended.
func TestHTTPPipedBodyStreams(t *testing.T) {
	srv, release := streamingServer(t)
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var errb bytes.Buffer
		done <- runContext(context.Background(), &Streams{Out: pw, ErrOut: &errb}, []string{"http", srv.URL})
		pw.Close()
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		br := bufio.NewReader(pr)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines <- l
		}
	}()
	select {
	case l := <-lines:
		if l != "first\n" {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(time.Minute):
		t.Fatal("the first line did not arrive while the body was still open")
	}
	close(release)
	select {
	case l := <-lines:
		if l != "last\n" {
			t.Errorf("second line %q, want last", l)
		}
	case <-time.After(time.Minute):
		t.Fatal("the last line did not arrive")
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(time.Minute):
		t.Fatal("the command did not return after the body ended")
	}
}
