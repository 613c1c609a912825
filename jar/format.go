package jar

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Format is a cookie file format.
type Format int

const (
	// FormatAuto detects the format when reading: JSON if the first
	// non-space byte is "{" or "[", cookies.txt otherwise. Writing with
	// FormatAuto writes cookies.txt.
	FormatAuto Format = iota
	// FormatCookiesTxt is the Netscape cookies.txt format of curl and wget.
	FormatCookiesTxt
	// FormatJSON is httpstate's JSON format holding every Entry field.
	FormatJSON
)

// String returns "auto", "cookies.txt" or "json".
func (f Format) String() string {
	switch f {
	case FormatCookiesTxt:
		return "cookies.txt"
	case FormatJSON:
		return "json"
	case FormatAuto:
		return "auto"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat maps "txt", "cookies.txt", "netscape", "json" and "auto" (any
// case) to a Format.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "txt", "cookies.txt", "netscape":
		return FormatCookiesTxt, nil
	case "json":
		return FormatJSON, nil
	case "auto", "":
		return FormatAuto, nil
	}
	return FormatAuto, fmt.Errorf("jar: unknown cookie file format %q (want txt or json)", s)
}

// DetectFormat peeks at br and reports the format of the file it holds.
func DetectFormat(br *bufio.Reader) (Format, error) {
	for n := 64; ; n *= 2 {
		b, err := br.Peek(n)
		t := bytes.TrimLeft(b, " \t\r\n\ufeff")
		if len(t) > 0 {
			if t[0] == '{' || t[0] == '[' {
				return FormatJSON, nil
			}
			return FormatCookiesTxt, nil
		}
		if err != nil {
			if err == io.EOF || err == bufio.ErrBufferFull {
				return FormatCookiesTxt, nil
			}
			return FormatAuto, fmt.Errorf("jar: reading cookie file: %w", err)
		}
	}
}

// ReadEntries reads a cookie file in format f (FormatAuto detects it) and
// returns its entries and the format read.
func ReadEntries(r io.Reader, f Format) ([]Entry, Format, error) {
	es, _, f, err := readEntries(r, f, nil)
	return es, f, err
}

// ReadEntriesSkipping reads a cookie file in format f (FormatAuto detects
// it) as Jar.Import reads one, for a tool that lists or converts a file
// without a Jar: a malformed cookies.txt line, and a well-formed cookie a
// Jar refuses as a browser would (a Domain with a Fake A-label or a port,
// an RFC 2965 port outside 1-65535, a name or value no Cookie header can
// carry, one over 4096 octets), are left out, and skip is called with the
// error for each, in line order: a *ParseError for a malformed line, an
// error naming the format, line, cookie name and domain for a refused
// cookie, never the value (see ImportReport.Rejected). A file with
// malformed lines and not one cookie line (an HTML page, binary data) fails
// with its first malformed line's *ParseError, as Import does; so does a
// line over 64 KiB or a file over 64 MiB. A JSON file has no lines to
// skip: a malformed value fails it. Unlike Import, the entries are
// returned as read: expired ones and ones breaking a cookie name prefix
// rule included. skip may be nil; it is called while the file is read,
// before the call returns.
func ReadEntriesSkipping(r io.Reader, f Format, skip func(error)) ([]Entry, Format, error) {
	br := bufio.NewReader(r)
	if f == FormatAuto {
		var err error
		if f, err = DetectFormat(br); err != nil {
			return nil, f, err
		}
	}
	sk := func(line int, name, domain string, err error) {
		if skip == nil {
			return
		}
		if pe := (*ParseError)(nil); errors.As(err, &pe) {
			skip(err)
			return
		}
		skip(fmt.Errorf("jar: %s line %d: cookie %q for %s left out: %w", f, line, name, domain, err))
	}
	es, _, f, err := readEntries(br, f, sk)
	if err != nil {
		return nil, f, err
	}
	return es, f, nil
}

// readEntries is ReadEntries, also returning the line each entry starts on.
func readEntries(r io.Reader, f Format, skip skipFunc) ([]Entry, []int, Format, error) {
	br := bufio.NewReader(r)
	if f == FormatAuto {
		var err error
		if f, err = DetectFormat(br); err != nil {
			return nil, nil, f, err
		}
	}
	switch f {
	case FormatJSON:
		es, lines, err := readJSON(br, skip)
		return es, lines, f, err
	case FormatCookiesTxt:
		es, lines, err := readCookiesTxt(br, skip)
		return es, lines, f, err
	}
	return nil, nil, f, fmt.Errorf("jar: unknown cookie file format %v", f)
}

// WriteEntries writes es in format f (FormatAuto is cookies.txt).
func WriteEntries(w io.Writer, es []Entry, f Format) error {
	switch f {
	case FormatJSON:
		return WriteJSON(w, es)
	case FormatCookiesTxt, FormatAuto:
		return WriteCookiesTxt(w, es)
	}
	return fmt.Errorf("jar: unknown cookie file format %v", f)
}
