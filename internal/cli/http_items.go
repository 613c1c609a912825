package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// itemKind is the kind of an HTTPie-style request item.
type itemKind int

const (
	itemHeader      itemKind = iota // Header:value
	itemQuery                       // param==value
	itemData                        // field=value (a JSON string, or a form field)
	itemRawJSON                     // field:=json
	itemEmptyHeader                 // Header; (sent with an empty value)
	itemHeaderFile                  // Header:@path (the file's text, trailing newlines removed)
	itemQueryFile                   // param==@path (the file's text)
	itemDataFile                    // field=@path (the file's text, a JSON string)
	itemRawJSONFile                 // field:=@path (the file's JSON)
	itemFormFile                    // field@path[;type=MIME] (a multipart upload); @path alone is the body
)

// item is one parsed request item.
type item struct {
	Kind itemKind
	// Key is the name with the separator escapes resolved (see
	// parseItem): a header, query or form field name, or for JSON data a
	// path that parseJSONPath reads ("a[b][]").
	Key string
	// Value is the value, escapes resolved as in Key, or for the file
	// kinds the path.
	Value string
}

// itemSeparators in the order tried at one position: the longest first, so
// "a==b" is a query, "a:=1" raw JSON and "a:=@f" a JSON file.
var itemSeparators = []struct {
	sep  string
	kind itemKind
}{
	{"==@", itemQueryFile},
	{":=@", itemRawJSONFile},
	{"==", itemQuery},
	{":=", itemRawJSON},
	{":@", itemHeaderFile},
	{"=@", itemDataFile},
	{"=", itemData},
	{":", itemHeader},
	{";", itemEmptyHeader},
	{"@", itemFormFile},
}

// itemSep is the separator of each kind, for format.
var itemSep = map[itemKind]string{}

func init() {
	for _, sp := range itemSeparators {
		itemSep[sp.kind] = sp.sep
	}
}

// isItemSpecial reports whether c is a character of a separator: the
// characters a backslash escapes in an item.
func isItemSpecial(c byte) bool {
	return c == ':' || c == ';' || c == '=' || c == '@'
}

// parseItem parses a request item as HTTPie does. The earliest unescaped
// separator splits the key from the value, the longest one at that
// position winning. A backslash before a separator character (":", ";",
// "=", "@") makes it literal, in the key and in the value: "a\=b=c" is the
// field "a=b", "foo\==bar" the field "foo=" and "a=b\=c" the value "b=c".
// Before any other character, a backslash included, the backslash stays:
// "a\b=c" is the field `a\b` and "a\\=c" the field `a\\` (the JSON path
// syntax then reads "\\", "\[" and "\]" in data field names, see
// parseJSONPath). A header name must be an HTTP token, and a raw JSON value
// valid JSON. Files named by the file kinds are not read here (see
// resolveItem).
//
// As in HTTPie, "Header:" (no value) removes the header, default ones
// included, and "Header;" sends it with an empty value.
func parseItem(s string) (item, error) {
	var key strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i += writeEscape(&key, s, i)
			continue
		}
		for _, sp := range itemSeparators {
			if !strings.HasPrefix(s[i:], sp.sep) {
				continue
			}
			it := item{Kind: sp.kind, Key: key.String(), Value: unescapeItem(s[i+len(sp.sep):])}
			return it, it.validate(s)
		}
		key.WriteByte(s[i])
	}
	return item{}, fmt.Errorf("%q is not a request item (Header:value, field=value, field:=json, param==value)", s)
}

// writeEscape writes the escape starting with the backslash at s[i] to b
// and returns how many bytes after s[i] it used: the escaped separator
// character alone, or the backslash and the byte after it, kept.
func writeEscape(b *strings.Builder, s string, i int) int {
	if i+1 < len(s) && isItemSpecial(s[i+1]) {
		b.WriteByte(s[i+1])
		return 1
	}
	b.WriteByte('\\')
	if i+1 < len(s) {
		b.WriteByte(s[i+1])
		return 1
	}
	return 0
}

// unescapeItem resolves the escapes of an item's value, as parseItem does
// those of its key.
func unescapeItem(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i += writeEscape(&b, s, i)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (it item) validate(s string) error {
	switch it.Kind {
	case itemEmptyHeader:
		if it.Value != "" {
			return fmt.Errorf("%q: to send an empty header, write %s; (nothing after the ';')", s, it.Key)
		}
		if !isToken(it.Key) {
			return fmt.Errorf("%q: invalid header name %q", s, it.Key)
		}
	case itemHeader, itemHeaderFile:
		if !isToken(it.Key) {
			return fmt.Errorf("%q: invalid header name %q", s, it.Key)
		}
		if it.Kind == itemHeaderFile && it.Value == "" {
			return fmt.Errorf("%q: no file name after :@", s)
		}
		if strings.ContainsAny(it.Value, "\r\n\x00") {
			return fmt.Errorf("%q: header value contains a line break or NUL", s)
		}
	case itemRawJSON:
		if err := jsonSyntax([]byte(it.Value)); err != nil {
			hint := ""
			if v := strings.TrimSpace(it.Value); v == "" || !strings.ContainsRune(`{["-0123456789tfn`, rune(v[0])) {
				hint = "; for a string, use = rather than :="
			}
			return fmt.Errorf("%q: value after := is not valid JSON (%w)%s", s, err, hint)
		}
	case itemQueryFile, itemDataFile, itemRawJSONFile, itemFormFile:
		if it.Value == "" {
			return fmt.Errorf("%q: no file name after %s", s, itemSep[it.Kind])
		}
	}
	return nil
}

// jsonSyntax reports where data is not valid JSON: "line L, column C:
// what".
func jsonSyntax(data []byte) error {
	var v json.RawMessage
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	pos := int(se.Offset) - 1 // the byte that failed
	if strings.HasPrefix(se.Error(), "unexpected end") {
		pos = int(se.Offset) // just past the end
	}
	pos = max(0, min(pos, len(data)))
	line := 1 + bytes.Count(data[:pos], []byte("\n"))
	col := pos - bytes.LastIndexByte(data[:pos], '\n')
	return fmt.Errorf("line %d, column %d: %s", line, col, se)
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// escapeItem escapes the separator characters of s so that parseItem
// reads it back unchanged.
func escapeItem(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isItemSpecial(s[i]) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// format writes the item back in command-line form.
func (it item) format() string {
	return escapeItem(it.Key) + itemSep[it.Kind] + escapeItem(it.Value)
}
