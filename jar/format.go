package jar

import (
	"bufio"
	"bytes"
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
