package jar

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// repeatReader yields line n times, then tail, without holding them all.
type repeatReader struct {
	line string
	n    int
	tail string
	buf  string
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for r.buf == "" {
		switch {
		case r.n > 0:
			r.buf, r.n = r.line, r.n-1
		case r.tail != "":
			r.buf, r.tail = r.tail, ""
		default:
			return 0, io.EOF
		}
	}
	k := copy(p, r.buf)
	r.buf = r.buf[k:]
	return k, nil
}

// TestCookiesTxtSizeLimit checks that a cookies.txt file is bounded as a
// JSON one is (64 MiB): every entry of a file is held in memory before it
// is loaded, so an unbounded file was unbounded memory. It failed before:
// the reader read any length.
func TestCookiesTxtSizeLimit(t *testing.T) {
	pad := "#" + strings.Repeat("x", 1022) + "\n" // 1 KiB comment lines
	const cookieLine = "example.com\tFALSE\t/\tFALSE\t0\ta\tb\n"
	big := &repeatReader{line: pad, n: maxCookiesTxt / len(pad), tail: cookieLine}
	_, err := ReadCookiesTxt(big)
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("reading a file over 64 MiB: %v, want a *ParseError saying it is too large", err)
	}
	j, _ := New(nil)
	if _, err := j.Import(&repeatReader{line: pad, n: maxCookiesTxt / len(pad), tail: cookieLine}); err == nil || j.Len() != 0 {
		t.Fatalf("Import of a file over 64 MiB: %v, %d cookies; want an error and none", err, j.Len())
	}
	// Exactly at the limit is fine.
	n := (maxCookiesTxt - len(cookieLine)) / len(pad)
	rest := maxCookiesTxt - len(cookieLine) - n*len(pad)
	atLimit := &repeatReader{line: pad, n: n, tail: strings.Repeat("\n", rest) + cookieLine}
	es, err := ReadCookiesTxt(atLimit)
	if err != nil || len(es) != 1 {
		t.Fatalf("reading a file of exactly 64 MiB: %d entries, %v; want 1, nil", len(es), err)
	}
}
