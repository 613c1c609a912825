package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// prettyMode is the --pretty processing.
type prettyMode struct {
	format bool // indent JSON
	colors bool // ANSI colours
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
}

func (p *printer) color(c, s string) string {
	if !p.pretty.colors {
		return s
	}
	return c + s + ansiReset
}

func (p *printer) headers(h http.Header, first ...[2]string) {
	for _, kv := range first {
		fmt.Fprintf(p.w, "%s: %s\n", p.color(ansiKey, kv[0]), kv[1])
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			fmt.Fprintf(p.w, "%s: %s\n", p.color(ansiKey, k), v)
		}
	}
	fmt.Fprintln(p.w)
}

// requestHead prints the request line and headers of r as sent.
func (p *printer) requestHead(r *http.Request) {
	fmt.Fprintln(p.w, p.color(ansiStatus, fmt.Sprintf("%s %s HTTP/1.1", r.Method, r.URL.RequestURI())))
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	h := r.Header.Clone()
	h.Del("Host") // net/http sends r.Host, printed first
	if r.ContentLength > 0 {
		h.Set("Content-Length", fmt.Sprint(r.ContentLength))
	}
	p.headers(h, [2]string{"Host", host})
}

// responseHead prints the status line and headers of resp.
func (p *printer) responseHead(resp *http.Response) {
	fmt.Fprintln(p.w, p.color(ansiStatus, fmt.Sprintf("%s %s", resp.Proto, resp.Status)))
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
		fmt.Fprintln(p.w, "+-----------------------------------------+")
		fmt.Fprintln(p.w, "| NOTE: binary data not shown in terminal |")
		fmt.Fprintln(p.w, "+-----------------------------------------+")
		return
	}
	isJSON := strings.Contains(strings.ToLower(ctype), "json") && json.Valid(data)
	if isJSON && p.pretty.format {
		var buf bytes.Buffer
		if json.Indent(&buf, bytes.TrimSpace(data), "", "    ") == nil {
			data = buf.Bytes()
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
