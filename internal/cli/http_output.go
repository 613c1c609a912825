package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// prettyMode is the --pretty processing.
type prettyMode struct {
	format   bool // indent JSON, its keys sorted
	colors   bool // ANSI colours
	unsorted bool // format keeps the keys' order
}

// ANSI colours of the output.
const (
	ansiReset   = "\x1b[0m"
	ansiKey     = "\x1b[34m" // JSON keys, header names
	ansiString  = "\x1b[32m"
	ansiNumber  = "\x1b[36m"
	ansiLiteral = "\x1b[35m" // true, false, null
	ansiStatus  = "\x1b[1m"
)

// printer writes the exchange as HTTPie does: head lines, a blank line,
// the body.
type printer struct {
	w      io.Writer
	pretty prettyMode
	tty    bool // w is a terminal
	// hideAuth is an Authorization value not to print (netrc's
	// credentials) and what to print in its place.
	hideAuth [2]string
}

// stickyWriter keeps the first error of its writes, and fails every write
// after it, so that the printer's many small writes report a failed output
// (a full disk) once, at the end.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(b)
	if err != nil {
		s.err = err
	}
	return n, err
}

func (p *printer) color(c, s string) string {
	if !p.pretty.colors {
		return s
	}
	return c + s + ansiReset
}

// printableHeader is printable keeping TABs, which a header value may
// hold (RFC 9110, section 5.5) and which drive nothing: a server's status
// line and header values reach the printer with C1 controls, bidi controls
// and bytes that are not UTF-8 (net/http passes obs-text, and any byte but
// CR and LF in the reason phrase), and a request's from the command line
// or a session with more.
func printableHeader(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && unprintable(r) {
			return '?'
		}
		return r
	}, s)
}

// headers prints the header lines of h, sorted, after those of first,
// their names and values made printable (printableHeader).
func (p *printer) headers(h http.Header, first ...[2]string) {
	line := func(k, v string) {
		fmt.Fprintf(p.w, "%s: %s\n", p.color(ansiKey, printableHeader(k)), printableHeader(v))
	}
	for _, kv := range first {
		line(kv[0], kv[1])
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			line(k, v)
		}
	}
	fmt.Fprintln(p.w)
}

// requestHead prints the request line and headers of r as sent.
func (p *printer) requestHead(r *http.Request) {
	fmt.Fprintln(p.w, p.color(ansiStatus, printableHeader(fmt.Sprintf("%s %s HTTP/1.1", r.Method, r.URL.RequestURI()))))
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	h := r.Header.Clone()
	h.Del("Host") // net/http sends r.Host, printed first
	if p.hideAuth[0] != "" {
		for i, v := range h["Authorization"] {
			if v == p.hideAuth[0] {
				h["Authorization"][i] = p.hideAuth[1]
			}
		}
	}
	if r.ContentLength > 0 {
		h.Set("Content-Length", fmt.Sprint(r.ContentLength))
	}
	p.headers(h, [2]string{"Host", host})
}

// responseHead prints the status line and headers of resp, made printable
// as headers are.
func (p *printer) responseHead(resp *http.Response) {
	fmt.Fprintln(p.w, p.color(ansiStatus, printableHeader(fmt.Sprintf("%s %s", resp.Proto, resp.Status))))
	p.headers(resp.Header)
}

// body prints a body: JSON indented and coloured when asked, binary data
// replaced by a note on a terminal (as in HTTPie, whatever --pretty says)
// or when processed, a separating blank line after a request body.
func (p *printer) body(data []byte, ctype string, request bool) {
	if len(data) == 0 {
		return
	}
	if (p.tty || p.pretty.format || p.pretty.colors) && bytes.IndexByte(data, 0) >= 0 {
		p.binaryNote()
		return
	}
	isJSON := strings.Contains(strings.ToLower(ctype), "json") && json.Valid(data)
	if isJSON && p.pretty.format {
		if out, err := indentJSON(data, !p.pretty.unsorted); err == nil {
			data = out
		}
	}
	if isJSON && p.pretty.colors {
		data = colorJSON(data)
	}
	p.w.Write(data)
	if p.pretty.format || p.pretty.colors || request {
		if !bytes.HasSuffix(data, []byte("\n")) {
			fmt.Fprintln(p.w)
		}
	}
	if request {
		fmt.Fprintln(p.w)
	}
}

// maxFormatBody is the largest response body printed formatted (JSON
// indented and coloured) or checked whole for binary data: a larger one
// is printed as it arrives, as it is, so that a multi-GB response to a
// terminal or with --pretty is not held in memory. Tests lower it.
var maxFormatBody = 16 << 20

// responseBody prints a response body of type ctype read from r: as body
// does when it is at most maxFormatBody bytes; a larger one unformatted,
// streamed, with a note on warn, and binary data (a NUL byte) replaced by
// body's note where body would replace it. The error is the first from r.
func (p *printer) responseBody(r io.Reader, ctype string, warn io.Writer) error {
	data, err := io.ReadAll(io.LimitReader(r, int64(maxFormatBody)+1))
	if err != nil {
		return err
	}
	if len(data) <= maxFormatBody {
		p.body(data, ctype, false)
		return nil
	}
	processed := p.tty || p.pretty.format || p.pretty.colors
	if processed && bytes.IndexByte(data, 0) >= 0 {
		p.binaryNote()
		return nil
	}
	if p.pretty.format || p.pretty.colors {
		fmt.Fprintf(warn, "httpstate: warning: response body over %s: printed as it is, not formatted\n", sizeString(int64(maxFormatBody)))
	}
	last := data[len(data)-1]
	if _, err := p.w.Write(data); err != nil {
		return nil // the writer keeps it
	}
	buf := data[:min(len(data), 64<<10)]
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if processed && bytes.IndexByte(chunk, 0) >= 0 {
				// As HTTPie streaming: binary data met on the way ends
				// the output with the note.
				if last != '\n' {
					fmt.Fprintln(p.w)
				}
				p.binaryNote()
				return nil
			}
			last = chunk[n-1]
			if _, err := p.w.Write(chunk); err != nil {
				return nil // the writer keeps it
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if processed && last != '\n' {
		fmt.Fprintln(p.w)
	}
	return nil
}

// binaryNote prints, in place of a body, HTTPie's note that binary data
// is not shown.
func (p *printer) binaryNote() {
	fmt.Fprintln(p.w, "+-----------------------------------------+")
	fmt.Fprintln(p.w, "| NOTE: binary data not shown in terminal |")
	fmt.Fprintln(p.w, "+-----------------------------------------+")
}

// colorJSON colours the tokens of valid JSON text, keeping its layout.
func colorJSON(data []byte) []byte {
	var out bytes.Buffer
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(data))
			k := j
			for k < len(data) && (data[k] == ' ' || data[k] == '\n' || data[k] == '\t' || data[k] == '\r') {
				k++
			}
			col := ansiString
			if k < len(data) && data[k] == ':' {
				col = ansiKey
			}
			out.WriteString(col)
			out.Write(data[i:j])
			out.WriteString(ansiReset)
			i = j
		case c == '-' || ('0' <= c && c <= '9'):
			j := i
			for j < len(data) && strings.IndexByte("+-.eE0123456789", data[j]) >= 0 {
				j++
			}
			out.WriteString(ansiNumber)
			out.Write(data[i:j])
			out.WriteString(ansiReset)
			i = j
		case c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(data) && 'a' <= data[j] && data[j] <= 'z' {
				j++
			}
			out.WriteString(ansiLiteral)
			out.Write(data[i:j])
			out.WriteString(ansiReset)
			i = j
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.Bytes()
}

// jsonTree is a JSON value as sent: duplicate keys kept, and scalars
// (numbers, strings with their escapes) as their text.
type jsonTree struct {
	obj, arr bool
	members  []jsonMember // an object's, in order
	elems    []*jsonTree  // an array's
	raw      []byte       // a scalar's text
}

type jsonMember struct {
	name string // the key decoded, for sorting
	raw  []byte // the key as sent
	val  *jsonTree
}

// indentJSON formats JSON text as HTTPie does by default: 4-space indents,
// ": " and object keys sorted (sorted, stable: duplicates keep their
// order); unlike a decode and encode, it keeps every key and the text of
// every number and string.
func indentJSON(data []byte, sorted bool) ([]byte, error) {
	data = bytes.Trim(data, " \t\r\n") // JSON's whitespace only
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &jsonTokens{dec: dec, data: data}
	v, err := r.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	var b bytes.Buffer
	v.write(&b, 0, sorted)
	return b.Bytes(), nil
}

// jsonTokens reads tokens with their text as sent.
type jsonTokens struct {
	dec  *json.Decoder
	data []byte
	off  int64 // the end of the last token
}

func (r *jsonTokens) next() (json.Token, []byte, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, nil, err
	}
	start, end := r.off, r.dec.InputOffset()
	for start < end && strings.IndexByte(" \t\r\n,:", r.data[start]) >= 0 {
		start++ // what separates tokens
	}
	r.off = end
	return tok, r.data[start:end], nil
}

func (r *jsonTokens) value(depth int) (*jsonTree, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, raw, err := r.next()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		v := &jsonTree{obj: true}
		for r.dec.More() {
			kt, kraw, err := r.next()
			if err != nil {
				return nil, err
			}
			name, _ := kt.(string)
			val, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.members = append(v.members, jsonMember{name: name, raw: kraw, val: val})
		}
		_, _, err := r.next() // }
		return v, err
	case json.Delim('['):
		v := &jsonTree{arr: true}
		for r.dec.More() {
			e, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		_, _, err := r.next() // ]
		return v, err
	}
	return &jsonTree{raw: raw}, nil
}

func (v *jsonTree) write(b *bytes.Buffer, depth int, sorted bool) {
	indent := func(d int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("    ", d))
	}
	switch {
	case v.obj:
		if len(v.members) == 0 {
			b.WriteString("{}")
			return
		}
		ms := v.members
		if sorted {
			ms = slices.Clone(ms)
			slices.SortStableFunc(ms, func(a, b jsonMember) int { return strings.Compare(a.name, b.name) })
		}
		b.WriteByte('{')
		for i, m := range ms {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			b.Write(m.raw)
			b.WriteString(": ")
			m.val.write(b, depth+1, sorted)
		}
		indent(depth)
		b.WriteByte('}')
	case v.arr:
		if len(v.elems) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			e.write(b, depth+1, sorted)
		}
		indent(depth)
		b.WriteByte(']')
	default:
		b.Write(v.raw)
	}
}
