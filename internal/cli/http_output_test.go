package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

var colorJSONSeeds = []string{
	`{"a": 1, "b": [true, false, null], "c": "x\"y:", "d": -1.5e3}`,
	"{\n    \"k\": \"v\"\n}",
	`"just a string"`,
	`[]`,
	`{"nested": {"a": {"b": "\\"}}}`,
}

func TestColorJSON(t *testing.T) {
	got := string(colorJSON([]byte(`{"k": "v", "n": 2, "t": true}`)))
	want := ansiKey + `"k"` + ansiReset + `: ` + ansiString + `"v"` + ansiReset + `, ` +
		ansiKey + `"n"` + ansiReset + `: ` + ansiNumber + `2` + ansiReset + `, ` +
		ansiKey + `"t"` + ansiReset + `: ` + ansiLiteral + `true` + ansiReset + `}`
	if got != "{"+want {
		t.Errorf("colorJSON: got %q, want %q", got, "{"+want)
	}
}

// FuzzColorJSON: colouring valid JSON only adds escape codes.
func FuzzColorJSON(f *testing.F) {
	for _, s := range colorJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		out := colorJSON([]byte(s))
		if plain := ansiRE.ReplaceAll(out, nil); !bytes.Equal(plain, []byte(s)) {
			t.Fatalf("colorJSON(%q) without colours = %q", s, plain)
		}
	})
}

// TestIndentJSON: formatted JSON has its object keys sorted, as HTTPie's
// default (json.sort_keys), with 4-space indents; duplicate keys, number
// text and string escapes are kept as sent. unsorted keeps the order.
func TestIndentJSON(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		unsorted bool
	}{
		{in: `{"b": 1, "a": {"d": [3, {"z": 1, "y": 2}], "c": null}}`,
			want: "{\n    \"a\": {\n        \"c\": null,\n        \"d\": [\n            3,\n            {\n                \"y\": 2,\n                \"z\": 1\n            }\n        ]\n    },\n    \"b\": 1\n}"},
		{in: `{"b":1,"a":2}`, unsorted: true, want: "{\n    \"b\": 1,\n    \"a\": 2\n}"},
		{in: `{"k": 1.50, "j": 1e400, "i": 12345678901234567890}`, want: "{\n    \"i\": 12345678901234567890,\n    \"j\": 1e400,\n    \"k\": 1.50\n}"},
		{in: `{"b": "\u00e9\/<", "a": "x"}`, want: "{\n    \"a\": \"x\",\n    \"b\": \"\\u00e9\\/<\"\n}"},
		{in: `{"a": 2, "a": 1}`, want: "{\n    \"a\": 2,\n    \"a\": 1\n}"},
		{in: `{"\u0062": 1, "a": 2}`, want: "{\n    \"a\": 2,\n    \"\\u0062\": 1\n}"}, // sorted by the decoded key
		{in: ` [] `, want: "[]"},
		{in: `{}`, want: "{}"},
		{in: `"s"`, want: `"s"`},
		{in: "[{}, [], 1]", want: "[\n    {},\n    [],\n    1\n]"},
	} {
		got, err := indentJSON([]byte(tt.in), !tt.unsorted)
		if err != nil || string(got) != tt.want {
			t.Errorf("indentJSON(%s, sorted %v) = %q, %v; want %q", tt.in, !tt.unsorted, got, err, tt.want)
		}
	}
	if _, err := indentJSON([]byte(`{"a": }`), true); err == nil {
		t.Error("invalid JSON: no error")
	}
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	if _, err := indentJSON([]byte(deep), true); err == nil {
		t.Error("JSON nested 2000 deep: no error, want the depth limit")
	}
}

// TestHTTPFormatSorted: --pretty=format sorts the keys; --unsorted keeps
// the server's order.
func TestHTTPFormatSorted(t *testing.T) {
	srv := httpTestServer(t)
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--pretty=format"}, "{\n    \"a\": \"2\",\n    \"b\": \"1\"\n}\n"},
		{[]string{"--pretty=format", "--unsorted"}, "{\n    \"b\": \"1\",\n    \"a\": \"2\"\n}\n"},
		{[]string{"--unsorted"}, `{"b": "1", "a": "2"}`},
	} {
		stdout, stderr, code := runHTTPCmd(t, srv, false, append(tt.flags, srv.URL+"/echo", "b=1", "a=2")...)
		if code != 0 || stdout != tt.want {
			t.Errorf("%q: exit %d, stdout %q (stderr %q), want %q", tt.flags, code, stdout, stderr, tt.want)
		}
	}
}

// FuzzIndentJSON: valid JSON formats to valid JSON holding the same
// tokens; anything else is an error, never a panic.
func FuzzIndentJSON(f *testing.F) {
	for _, s := range colorJSONSeeds {
		f.Add(s)
	}
	f.Add(`{"b": {"d": 1, "c": [1, {"f": 2, "e": 3}]}, "a": "\u00e9"}`)
	f.Fuzz(func(t *testing.T, s string) {
		out, err := indentJSON([]byte(s), true)
		if err != nil {
			if json.Valid([]byte(s)) && strings.Count(s, "[")+strings.Count(s, "{") < maxJSONDepth {
				t.Fatalf("valid JSON %q: %v", s, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("%q formatted to invalid JSON %q", s, out)
		}
		var compact, back bytes.Buffer
		json.Compact(&compact, []byte(s))
		json.Compact(&back, out)
		if compact.Len() != back.Len() {
			t.Fatalf("%q formatted to %q: not the same tokens", s, out)
		}
	})
}

// signalWriter is a goroutine-safe buffer that closes reached once it
// holds at least n bytes.
type signalWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	n       int
	reached chan struct{}
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if w.buf.Len() >= w.n && w.reached != nil {
		close(w.reached)
		w.reached = nil
	}
	return len(b), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestHTTPLargeBodyStreamed: a response body over maxFormatBody printed to
// a terminal or with --pretty is printed unformatted as it arrives, not
// read whole into memory first (a multi-GB response exhausted memory); one
// under the limit is formatted as before, byte for byte.
func TestHTTPLargeBodyStreamed(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 4 << 10
	t.Cleanup(func() { maxFormatBody = old })
	// Valid JSON that formatting would change.
	big := `{"b":1,"a":[` + strings.Repeat(`"xxxxxxx",`, 2*maxFormatBody/10) + `0]}`
	small := `{"b":1,"a":[2]}`
	var (
		mu       sync.Mutex
		printed  chan struct{}
		waitedOK = true
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/small" {
			io.WriteString(w, small)
			return
		}
		half := len(big) / 2
		io.WriteString(w, big[:half])
		w.(http.Flusher).Flush()
		mu.Lock()
		ch := printed
		mu.Unlock()
		// The first half must be printed before the rest is sent.
		select {
		case <-ch:
		case <-time.After(15 * time.Second): // a safety net only: the print comes at once
			mu.Lock()
			waitedOK = false
			mu.Unlock()
		}
		io.WriteString(w, big[half:])
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name  string
		tty   bool
		flags []string
	}{
		{"terminal", true, []string{"--print=b"}},
		{"pretty piped", false, []string{"--pretty=all"}},
		{"format piped", false, []string{"--pretty=format"}},
	} {
		mu.Lock()
		printed, waitedOK = make(chan struct{}), true
		out := &signalWriter{n: maxFormatBody + 1, reached: printed}
		mu.Unlock()
		var errb bytes.Buffer
		s := &Streams{In: strings.NewReader(""), Out: out, ErrOut: &errb, OutTTY: tc.tty, ErrTTY: tc.tty}
		code := run(s, append(append([]string{"http"}, tc.flags...), srv.URL+"/big"))
		mu.Lock()
		ok := waitedOK
		mu.Unlock()
		if code != 0 || !ok {
			t.Errorf("%s: exit %d, printed before the body's end %v (stderr %q); want 0, true", tc.name, code, ok, errb.String())
		}
		if got := out.String(); got != big+"\n" {
			t.Errorf("%s: stdout holds %d bytes, want the %d of the body as sent and a newline", tc.name, len(got), len(big))
		}
		if !strings.Contains(errb.String(), "not formatted") {
			t.Errorf("%s: stderr %q lacks a note that the body is not formatted", tc.name, errb.String())
		}
		// Under the limit: formatted as before.
		stdout, stderr, code := runHTTPCmd(t, srv, tc.tty, append(tc.flags, srv.URL+"/small")...)
		want := "{\n    \"a\": [\n        2\n    ],\n    \"b\": 1\n}\n"
		if code != 0 || ansiRE.ReplaceAllString(stdout, "") != want || stderr != "" {
			t.Errorf("%s: small body: exit %d, stdout %q, stderr %q; want it formatted", tc.name, code, stdout, stderr)
		}
	}
}

// TestHTTPLargeBinaryBody: binary data past maxFormatBody on a terminal
// still ends in HTTPie's note, not the bytes.
func TestHTTPLargeBinaryBody(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 4 << 10
	t.Cleanup(func() { maxFormatBody = old })
	body := strings.Repeat("text\n", 2*maxFormatBody/5) + "\x00binary" + strings.Repeat("z", 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	stdout, _, code := runHTTPCmd(t, srv, true, "--print=b", srv.URL)
	if code != 0 || strings.Contains(stdout, "\x00") || !strings.HasSuffix(stdout, "| NOTE: binary data not shown in terminal |\n+-----------------------------------------+\n") {
		t.Errorf("exit %d, stdout ends %q; want 0, no NUL, the binary note", code, stdout[max(0, len(stdout)-200):])
	}
	stdout, _, code = runHTTPCmd(t, srv, false, srv.URL)
	if code != 0 || stdout != body {
		t.Errorf("piped: exit %d, %d bytes; want 0 and the body as sent", code, len(stdout))
	}
}
