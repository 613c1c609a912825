package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxRequestBody bounds a request body and every file or stdin read into
// one: the body is held in memory (for retries and --print B), so reading
// /dev/zero must be an error, not the end of the machine's memory.
const maxRequestBody = 64 << 20

// errBodyTooLarge reports a request body, file or stdin over maxRequestBody.
var errBodyTooLarge = errors.New("larger than the 64 MiB a request body may have")

// readAllLimited reads r to its end, failing with errBodyTooLarge past
// maxRequestBody bytes (reading at most one byte more).
func readAllLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRequestBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxRequestBody {
		return nil, errBodyTooLarge
	}
	return data, nil
}

// readFileLimited reads the file at path, failing with errBodyTooLarge
// for a regular file over maxRequestBody before reading any of it.
func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxRequestBody {
		return nil, errBodyTooLarge
	}
	return readAllLimited(f)
}

// maxJSONIndex bounds an array index in a nested JSON path, so that
// "a[999999999]=x" is an error rather than a gigabyte of nulls.
const maxJSONIndex = 1 << 16

// maxJSONElems bounds the array elements (nulls included) that indexes
// create in one body, so that many "a[65536]" keys or a path nesting them
// cannot allocate gigabytes either.
const maxJSONElems = 1 << 20

// pathStep is one step of a nested JSON path: an object key, an array
// index, or an append ("[]").
type pathStep struct {
	kind  stepKind
	key   string
	index int
}

type stepKind int

const (
	stepKey stepKind = iota
	stepIndex
	stepAppend
)

func (s pathStep) String() string {
	switch s.kind {
	case stepIndex:
		return "[" + strconv.Itoa(s.index) + "]"
	case stepAppend:
		return "[]"
	}
	// A key is written so that parseJSONPath reads it back as this key:
	// brackets and backslashes escaped, and a key that reads as a number
	// escaped as a whole ("[\12]").
	var b strings.Builder
	b.WriteByte('[')
	if looksLikeInt(s.key) {
		b.WriteByte('\\')
	}
	for i := 0; i < len(s.key); i++ {
		if c := s.key[i]; c == '\\' || c == '[' || c == ']' {
			b.WriteByte('\\')
		}
		b.WriteByte(s.key[i])
	}
	b.WriteByte(']')
	return b.String()
}

// parseJSONPath reads HTTPie 3's nested JSON syntax from an item's key
// (parseItem has resolved the separator escapes): name[key][0][] (a key,
// an index, an append). A key starting with "[" has no name: it addresses
// the top level ("[]:=1" builds a top-level array). A key without brackets
// is a flat key, as before.
//
// As in HTTPie, "\[", "\]" and "\\" put a bracket or a backslash in a
// name or key, and make a bracketed segment a key, never an index or an
// append: "[\]]" is the key "]". A segment (or a name) that is a backslash
// and a number is that number as a key: "[\1]" is the key "1". Before any
// other character a backslash stays: "a\b" is the key `a\b`, "[1\2]" the
// key `1\2`. An unescaped segment of ASCII digits is an index ("[007]" is
// 7); one that only looks like an integer ("[-1]", "[+1]", "[ 1]") is an
// error, as is a backslash with nothing after it, rather than a key its
// writer probably did not mean.
func parseJSONPath(raw string) ([]pathStep, error) {
	var steps []pathStep
	var name strings.Builder
	i, nameEscaped := 0, false
	for ; i < len(raw) && raw[i] != '['; i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			if isPathSpecial(raw[i+1]) {
				nameEscaped = true
			} else {
				name.WriteByte('\\')
			}
			i++
		}
		name.WriteByte(raw[i])
	}
	if i > 0 || i == len(raw) {
		key := name.String()
		if n, ok := escapedNumber(key); ok && !nameEscaped {
			key = n
		}
		steps = append(steps, pathStep{kind: stepKey, key: key})
	}
	for i < len(raw) {
		if raw[i] != '[' {
			return nil, fmt.Errorf("expected '[' at offset %d of %q", i, raw)
		}
		open := i
		i++
		var b strings.Builder
		escaped, closed := false, false
		for ; i < len(raw); i++ {
			c := raw[i]
			if c == '\\' {
				if i+1 == len(raw) {
					return nil, fmt.Errorf("lone backslash at the end of %q (write \\\\ for a backslash)", raw)
				}
				i++
				if isPathSpecial(raw[i]) {
					escaped = true
				} else {
					b.WriteByte('\\')
				}
				b.WriteByte(raw[i])
				continue
			}
			if c == ']' {
				closed = true
				i++
				break
			}
			if c == '[' {
				return nil, fmt.Errorf("unexpected '[' at offset %d of %q (escape it as \\[)", i, raw)
			}
			b.WriteByte(c)
		}
		if !closed {
			if escaped && raw[len(raw)-1] == ']' {
				return nil, fmt.Errorf("missing ']' in %q (\\] is a literal ']', not the end of a key)", raw)
			}
			return nil, fmt.Errorf("missing ']' in %q", raw)
		}
		st, err := pathSegment(raw, raw[open:i], b.String(), escaped)
		if err != nil {
			return nil, err
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// isPathSpecial reports whether a backslash escapes c in a JSON path.
func isPathSpecial(c byte) bool { return c == '[' || c == ']' || c == '\\' }

// looksLikeInt reports whether s reads as an integer to a lenient parser
// (HTTPie's Python int): digits, with spaces around or a sign.
func looksLikeInt(s string) bool {
	return isDigits(strings.TrimLeft(strings.TrimSpace(s), "+-"))
}

// escapedNumber returns n for a segment written `\n`, n a number: HTTPie's
// way of writing the key "n" rather than the index n.
func escapedNumber(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "\\"); ok && looksLikeInt(rest) {
		return rest, true
	}
	return "", false
}

// pathSegment classifies the text s between one pair of brackets (seg, as
// written, for errors): an escaped bracket or backslash makes it a key, as
// does a backslash before a number; otherwise "" is an append and ASCII
// digits an index.
func pathSegment(raw, seg, s string, escaped bool) (pathStep, error) {
	if escaped {
		return pathStep{kind: stepKey, key: s}, nil
	}
	if n, ok := escapedNumber(s); ok {
		return pathStep{kind: stepKey, key: n}, nil
	}
	if s == "" {
		return pathStep{kind: stepAppend}, nil
	}
	if isDigits(s) {
		n, err := strconv.Atoi(s)
		if err != nil || n > maxJSONIndex {
			return pathStep{}, fmt.Errorf("array index %s in %q is larger than %d", seg, raw, maxJSONIndex)
		}
		return pathStep{kind: stepIndex, index: n}, nil
	}
	if looksLikeInt(s) {
		t := strings.TrimLeft(strings.TrimSpace(s), "+-")
		return pathStep{}, fmt.Errorf("%s in %q is not an array index (an index is digits only, as in [%s]); write [\\%s] for the key %q", seg, raw, t, s, s)
	}
	return pathStep{kind: stepKey, key: s}, nil
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// jsonNode is a JSON value under construction. Objects keep their keys in
// the order they were first set, as HTTPie's output does. A raw (":=")
// value keeps its text as given until a later item looks inside it.
type jsonNode struct {
	kind  nodeKind
	keys  []string
	vals  map[string]*jsonNode
	elems []*jsonNode // nil elements are null
	raw   string
}

type nodeKind int

const (
	nodeObject nodeKind = iota
	nodeArray
	nodeRaw // a JSON text: a scalar, or a container not looked into yet
)

func (n *jsonNode) typeName() string {
	switch n.kind {
	case nodeObject:
		return "an object"
	case nodeArray:
		return "an array"
	}
	return "a " + jsonTypeOf(n.raw)
}

func jsonTypeOf(raw string) string {
	switch t := strings.TrimSpace(raw); {
	case t == "":
		return "value"
	case t[0] == '"':
		return "string"
	case t[0] == 't' || t[0] == 'f':
		return "boolean"
	case t[0] == 'n':
		return "null"
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	}
	return "number"
}

// expand turns a raw object or array into a node that can be added to.
func (n *jsonNode) expand() error {
	if n.kind != nodeRaw {
		return nil
	}
	t := strings.TrimSpace(n.raw)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	v, err := decodeNode(dec, 0)
	if err != nil {
		return err
	}
	*n = *v
	return nil
}

// maxJSONDepth bounds the nesting decodeNode follows.
const maxJSONDepth = 1000

func decodeNode(dec *json.Decoder, depth int) (*jsonNode, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jsonNode{kind: nodeObject, vals: map[string]*jsonNode{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.set(k, v)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jsonNode{kind: nodeArray}
			for dec.More() {
				v, err := decodeNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return &jsonNode{kind: nodeRaw, raw: t.String()}, nil
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		return &jsonNode{kind: nodeRaw, raw: string(b)}, nil
	}
}

func (n *jsonNode) set(k string, v *jsonNode) {
	if _, ok := n.vals[k]; !ok {
		n.keys = append(n.keys, k)
	}
	n.vals[k] = v
}

// write writes n as HTTPie does: ", " and ": " separators, raw values as
// given.
func (n *jsonNode) write(b *bytes.Buffer) {
	switch n.kind {
	case nodeRaw:
		b.WriteString(n.raw)
	case nodeObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteString(": ")
			n.vals[k].write(b)
		}
		b.WriteByte('}')
	case nodeArray:
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if e == nil {
				b.WriteString("null")
			} else {
				e.write(b)
			}
		}
		b.WriteByte(']')
	}
}

// jsonBody builds the JSON request body from data items.
type jsonBody struct {
	root  *jsonNode // nil until the first item
	elems int       // array elements created by indexes, up to maxJSONElems
}

// add sets value (JSON text) at the path of rawKey; src is the item as
// given, for errors. Containers take their type from their first use:
// using an object as an array or the reverse is an error. Replacing a
// value is not.
func (jb *jsonBody) add(src, rawKey, value string) error {
	steps, err := parseJSONPath(rawKey)
	if err != nil {
		return fmt.Errorf("%q: %w", src, err)
	}
	leaf := &jsonNode{kind: nodeRaw, raw: value}
	if jb.root == nil {
		jb.root = newContainer(steps[0])
	}
	cur := jb.root
	named := steps[0].kind == stepKey && (rawKey == "" || rawKey[0] != '[')
	for i, st := range steps {
		if err := cur.expand(); err != nil {
			return fmt.Errorf("%q: %s: %w", src, describePath(steps[:i], named), err)
		}
		want := nodeObject
		if st.kind != stepKey {
			want = nodeArray
		}
		if cur.kind != want {
			op, need := "key "+strconv.Quote(st.key), "an object"
			if want == nodeArray {
				op, need = "index "+st.String(), "an array"
			}
			return fmt.Errorf("%q: cannot use %s on %s, which is %s and not %s",
				src, op, describePath(steps[:i], named), cur.typeName(), need)
		}
		last := i == len(steps)-1
		var next *jsonNode
		if !last {
			next = newContainer(steps[i+1])
		}
		switch st.kind {
		case stepKey:
			if last {
				cur.set(st.key, leaf)
				return nil
			}
			if v, ok := cur.vals[st.key]; ok {
				next = v
			} else {
				cur.set(st.key, next)
			}
		case stepAppend:
			if last {
				cur.elems = append(cur.elems, leaf)
				return nil
			}
			cur.elems = append(cur.elems, next)
		case stepIndex:
			if grow := st.index + 1 - len(cur.elems); grow > 0 {
				if jb.elems += grow; jb.elems > maxJSONElems {
					return fmt.Errorf("%q: array indexes create more than %d elements", src, maxJSONElems)
				}
			}
			for len(cur.elems) <= st.index {
				cur.elems = append(cur.elems, nil)
			}
			if last {
				cur.elems[st.index] = leaf
				return nil
			}
			if v := cur.elems[st.index]; v != nil {
				next = v
			} else {
				cur.elems[st.index] = next
			}
		}
		cur = next
	}
	return nil
}

// describePath names the container the steps lead to, for errors; named
// is whether the first step is a name rather than a bracket. It is built
// only for an error: building it step by step would take time quadratic
// in the depth of the path.
func describePath(steps []pathStep, named bool) string {
	var b strings.Builder
	for i, st := range steps {
		if i == 0 && named {
			b.WriteString(st.key)
		} else {
			b.WriteString(st.String())
		}
	}
	if b.Len() == 0 {
		return "the top level"
	}
	return strconv.Quote(b.String())
}

func newContainer(st pathStep) *jsonNode {
	if st.kind == stepKey {
		return &jsonNode{kind: nodeObject, vals: map[string]*jsonNode{}}
	}
	return &jsonNode{kind: nodeArray}
}

func (jb *jsonBody) bytes() []byte {
	var b bytes.Buffer
	jb.root.write(&b)
	return b.Bytes()
}

// expandHome replaces a leading "~/" with the home directory, as HTTPie
// does for quoted paths the shell left alone.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// resolveItem reads the file of a file item (other than an upload) and
// returns the plain item it stands for: Header:@f a header with the file's
// text less its trailing newlines, param==@f a query parameter, field=@f a
// data field (UTF-8 text), field:=@f a raw JSON field (checked). src is
// the item as given, for errors.
func resolveItem(it item, src string) (item, error) {
	var to itemKind
	switch it.Kind {
	case itemHeaderFile:
		to = itemHeader
	case itemQueryFile:
		to = itemQuery
	case itemDataFile:
		to = itemData
	case itemRawJSONFile:
		to = itemRawJSON
	default:
		return it, nil
	}
	data, err := readFileLimited(expandHome(it.Value))
	if err != nil {
		return item{}, fmt.Errorf("%q: %w", src, err)
	}
	out := item{Kind: to, Key: it.Key, Value: string(data)}
	switch to {
	case itemHeader:
		out.Value = strings.TrimRight(out.Value, "\r\n")
		if out.Value == "" {
			// An empty file sends an empty header, not an unset one.
			out.Kind = itemEmptyHeader
		}
		if strings.ContainsAny(out.Value, "\r\n\x00") {
			return item{}, fmt.Errorf("%q: the file holds more than one line or a NUL", src)
		}
	case itemQuery, itemData:
		if !utf8.Valid(data) {
			return item{}, fmt.Errorf("%q: the file is not UTF-8 text", src)
		}
	case itemRawJSON:
		if err := jsonSyntax(data); err != nil {
			return item{}, fmt.Errorf("%q: the file is not valid JSON (%w)", src, err)
		}
		out.Value = strings.TrimSpace(out.Value)
	}
	return out, nil
}

// formFile is a multipart file field.
type formFile struct {
	field, path, ctype string
}

// parseFormFile reads field@path[;type=MIME]: the content type defaults to
// the one of the path's extension, else application/octet-stream. A given
// type must be a valid media type (it goes into a header as it is).
func parseFormFile(it item) (formFile, error) {
	path, ctype := it.Value, ""
	if i := strings.LastIndex(path, ";type="); i >= 0 {
		path, ctype = path[:i], path[i+len(";type="):]
		if _, _, err := mime.ParseMediaType(ctype); err != nil || strings.ContainsFunc(ctype, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return formFile{}, fmt.Errorf("invalid type %q: want a media type such as text/plain", ctype)
		}
	}
	if ctype == "" {
		ctype = mime.TypeByExtension(filepath.Ext(path))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return formFile{field: it.Key, path: expandHome(path), ctype: ctype}, nil
}

// multipartBody writes fields and files, in command-line order, as
// multipart/form-data and returns the body and its Content-Type.
func multipartBody(parts []any) ([]byte, string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		switch p := p.(type) {
		case [2]string:
			if err := w.WriteField(p[0], p[1]); err != nil {
				return nil, "", err
			}
		case formFile:
			f, err := os.Open(p.path)
			if err != nil {
				return nil, "", fmt.Errorf("%q: %w", p.field+"@"+p.path, err)
			}
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxRequestBody {
				f.Close()
				return nil, "", fmt.Errorf("%q: %w", p.field+"@"+p.path, errBodyTooLarge)
			}
			h := make(textproto.MIMEHeader)
			h.Set("Content-Disposition", multipart.FileContentDisposition(p.field, filepath.Base(p.path)))
			h.Set("Content-Type", p.ctype)
			pw, err := w.CreatePart(h)
			if err == nil {
				// At most one byte past the limit: the check below fails.
				_, err = io.Copy(pw, io.LimitReader(f, int64(maxRequestBody-b.Len()+1)))
			}
			f.Close()
			if err == nil && b.Len() > maxRequestBody {
				err = errBodyTooLarge
			}
			if err != nil {
				return nil, "", fmt.Errorf("%q: %w", p.field+"@"+p.path, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	if b.Len() > maxRequestBody {
		return nil, "", fmt.Errorf("multipart body: %w", errBodyTooLarge)
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

// formBody url-encodes fields in command-line order.
func formBody(fields [][2]string) []byte {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = url.QueryEscape(f[0]) + "=" + url.QueryEscape(f[1])
	}
	return []byte(strings.Join(s, "&"))
}
