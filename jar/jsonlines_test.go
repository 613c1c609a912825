package jar

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestLineCounterLinear checks that readJSON's line numbers cost one pass
// over the file: each cookie's line used to be counted from offset 0, so
// reading n cookies scanned n times the file (80,000 cookies in 5 MB took
// a minute, a 64 MiB file hours). Offsets asked for in increasing order
// must scan each byte once, and every answer must match a count from the
// start, backwards queries included.
func TestLineCounterLinear(t *testing.T) {
	data := []byte(strings.Repeat("ab\ncd\n\nefg", 500))
	naive := func(off int64) int {
		off = max(0, min(off, int64(len(data))))
		return 1 + bytes.Count(data[:off], []byte("\n"))
	}
	lc := lineCounter{data: data}
	for off := int64(0); off <= int64(len(data)); off += 7 {
		if got, want := lc.at(off), naive(off); got != want {
			t.Fatalf("at(%d) = %d, want %d", off, got, want)
		}
	}
	if lc.scanned > int64(len(data)) {
		t.Fatalf("increasing queries scanned %d bytes of a %d-byte file", lc.scanned, len(data))
	}
	for _, off := range []int64{-5, 3, 4000, 2, int64(len(data)) + 10, 0} {
		if got, want := lc.at(off), naive(off); got != want {
			t.Fatalf("at(%d) = %d, want %d", off, got, want)
		}
	}
}

// TestReadJSONManyCookieLines checks the line numbers readJSON reports
// for a bad cookie after many good ones, and for the good ones.
func TestReadJSONManyCookieLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"version\": 1, \"cookies\": [\n")
	const n = 300
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "{\"name\": \"c%d\", \"value\": \"v\",\n \"domain\": \"example.com\", \"path\": \"/\"},\n", i)
	}
	b.WriteString("{\"name\": \"bad\", \"value\": \"v\", \"domain\": \"example.com\", \"path\": \"nope\"}\n]}\n")
	_, err := ReadJSON(strings.NewReader(b.String()))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2+2*n {
		t.Fatalf("ReadJSON: %v, want a *ParseError on line %d", err, 2+2*n)
	}
	good := strings.Replace(b.String(), `"nope"`, `"/"`, 1)
	es, lines, err := readJSON(strings.NewReader(good), nil)
	if err != nil || len(es) != n+1 {
		t.Fatalf("readJSON: %d entries, %v", len(es), err)
	}
	for i, l := range lines {
		if l != 2+2*i {
			t.Fatalf("cookie %d reported on line %d, want %d", i, l, 2+2*i)
		}
	}
}
