package cli

import (
	"encoding/json"
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
	// Key is the name with its escapes resolved: a header, query or form
	// field name, or a flat JSON key.
	Key string
	// RawKey is the name as written, escapes kept: nested JSON paths
	// ("a[b][]") are read from it, so that 'a\[b\]' stays a flat key.
	RawKey string
	// Value is the value, or for the file kinds the path.
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
	{"@", itemFormFile},
}

// itemSep is the separator of each kind, for format.
var itemSep = map[itemKind]string{}

func init() {
	for _, sp := range itemSeparators {
		itemSep[sp.kind] = sp.sep
	}
}

// parseItem parses a request item. The earliest unescaped separator splits
// the key from the value; a backslash makes the next character of the key
// literal ("a\=b=c" is the field "a=b", "a\@b=c" the field "a@b"). A header
// name must be an HTTP token, and a raw JSON value valid JSON. Files named by
// the file kinds are not read here (see resolveItem).
//
// As in HTTPie, "Header:" (no value) removes the header, default ones
// included, and "Header;" sends it with an empty value.
func parseItem(s string) (item, error) {
	if name, ok := strings.CutSuffix(s, ";"); ok && isToken(name) {
		return item{Kind: itemEmptyHeader, Key: name}, nil
	}
	var key strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			key.WriteByte(s[i])
			continue
		}
		for _, sp := range itemSeparators {
			if !strings.HasPrefix(s[i:], sp.sep) {
				continue
			}
			it := item{Kind: sp.kind, Key: key.String(), RawKey: s[:i], Value: s[i+len(sp.sep):]}
			return it, it.validate(s)
		}
		key.WriteByte(s[i])
	}
	return item{}, fmt.Errorf("%q is not a request item (Header:value, field=value, field:=json, param==value)", s)
}

func (it item) validate(s string) error {
	switch it.Kind {
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
		if !json.Valid([]byte(it.Value)) {
			return fmt.Errorf("%q: value after := is not valid JSON", s)
		}
	case itemQueryFile, itemDataFile, itemRawJSONFile, itemFormFile:
		if it.Value == "" {
			return fmt.Errorf("%q: no file name after %s", s, itemSep[it.Kind])
		}
	}
	return nil
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

// escapeItemKey escapes the separator characters of a key so that
// parseItem reads it back unchanged.
func escapeItemKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if c := k[i]; c == '\\' || c == '=' || c == ':' || c == '@' || c == '[' || c == ']' {
			b.WriteByte('\\')
		}
		b.WriteByte(k[i])
	}
	return b.String()
}

// format writes the item back in command-line form.
func (it item) format() string {
	if it.Kind == itemEmptyHeader {
		return it.Key + ";"
	}
	return escapeItemKey(it.Key) + itemSep[it.Kind] + it.Value
}
