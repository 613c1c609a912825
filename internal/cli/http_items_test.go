package cli

import (
	"strings"
	"testing"
)

func it(kind itemKind, key, value string) item { return item{Kind: kind, Key: key, Value: value} }

var parseItemTests = []struct {
	in      string
	want    item
	wantErr string
}{
	{in: "X-API-Key:abc", want: it(itemHeader, "X-API-Key", "abc")},
	{in: "Accept:", want: it(itemHeader, "Accept", "")},
	{in: "X-Empty;", want: it(itemEmptyHeader, "X-Empty", "")},
	{in: "a=b;", want: it(itemData, "a", "b;")},
	{in: "q==search term", want: it(itemQuery, "q", "search term")},
	{in: "name=Ann", want: it(itemData, "name", "Ann")},
	{in: "url=http://x/?a=b", want: it(itemData, "url", "http://x/?a=b")},
	{in: "age:=30", want: it(itemRawJSON, "age", "30")},
	{in: `tags:=["a","b"]`, want: it(itemRawJSON, "tags", `["a","b"]`)},
	{in: "x==", want: it(itemQuery, "x", "")},
	{in: `a\=b=c`, want: it(itemData, "a=b", "c")},
	{in: `a\:b:=1`, want: it(itemRawJSON, "a:b", "1")},
	// HTTPie's escapes: a backslash makes a separator character (":",
	// ";", "=", "@") literal, in the key and in the value; before any
	// other character, a backslash included, it stays.
	{in: `a\\=c`, want: it(itemData, `a\\`, "c")},
	{in: `a\b=c`, want: it(itemData, `a\b`, "c")},
	{in: `foo\==bar`, want: it(itemData, "foo=", "bar")}, // HTTPie's documented example
	{in: `a\;b=c`, want: it(itemData, "a;b", "c")},
	{in: `a=b\=c`, want: it(itemData, "a", "b=c")},
	{in: `a=b\c`, want: it(itemData, "a", `b\c`)},
	{in: `a=b\\c`, want: it(itemData, "a", `b\\c`)},
	{in: `a=b\`, want: it(itemData, "a", `b\`)},
	{in: `a=\@x`, want: it(itemData, "a", "@x")}, // not a file
	{in: `a\\\=b=c`, want: it(itemData, `a\\=b`, "c")},
	{in: `H:x\:y`, want: it(itemHeader, "H", "x:y")},
	{in: `q==a\@b`, want: it(itemQuery, "q", "a@b")},
	{in: `q\x==1`, want: it(itemQuery, `q\x`, "1")},
	{in: `f@a\@b.txt`, want: it(itemFormFile, "f", "a@b.txt")},
	{in: `a\[b\]=c`, want: it(itemData, `a\[b\]`, "c")}, // brackets are JSON path syntax, read later
	{in: `X\;:1`, wantErr: "invalid header name"},
	{in: "X;y", wantErr: "to send an empty header, write X;"},
	{in: "X;=1", wantErr: "to send an empty header"},
	{in: "=v", want: it(itemData, "", "v")},
	{in: "Header:a:b", want: it(itemHeader, "Header", "a:b")},
	// Files: the file kinds keep the path; resolveItem reads it.
	{in: "X-Data:@token.txt", want: it(itemHeaderFile, "X-Data", "token.txt")},
	{in: "q==@q.txt", want: it(itemQueryFile, "q", "q.txt")},
	{in: "bio=@bio.txt", want: it(itemDataFile, "bio", "bio.txt")},
	{in: "cfg:=@cfg.json", want: it(itemRawJSONFile, "cfg", "cfg.json")},
	{in: "cv@~/cv.pdf", want: it(itemFormFile, "cv", "~/cv.pdf")},
	{in: "cv@a.bin;type=application/pdf", want: it(itemFormFile, "cv", "a.bin;type=application/pdf")},
	{in: "@body.xml", want: it(itemFormFile, "", "body.xml")},
	{in: "email=ann@example.org", want: it(itemData, "email", "ann@example.org")},
	{in: `user\@host=1`, want: it(itemData, "user@host", "1")},
	{in: `a\=@b=c`, want: it(itemFormFile, "a=", "b=c")}, // the earliest separator wins
	{in: "H:@", wantErr: "no file name"},
	{in: "f=@", wantErr: "no file name"},
	{in: "bad h:@f", wantErr: "invalid header name"},
	// Nested JSON keys are parsed later, from RawKey; the key as given is
	// kept, with escapes resolved.
	{in: "user[name]=x", want: it(itemData, "user[name]", "x")},
	{in: "[]:=1", want: it(itemRawJSON, "[]", "1")},
	{in: `foo\[bar\]:=1`, want: it(itemRawJSON, `foo\[bar\]`, "1")},
	{in: "plain", wantErr: "is not a request item"},
	{in: "bad header:x", wantErr: "invalid header name"},
	{in: ":x", wantErr: "invalid header name"},
	{in: "n:=nope", wantErr: "not valid JSON (line 1, column 2: invalid character 'o' in literal null"},
	{in: "name:=Ann", wantErr: "column 1: invalid character 'A' looking for beginning of value); for a string, use = rather than :="},
	{in: "a:={\"x\":\n 1,}", wantErr: "(line 2, column 4: invalid character '}'"},
	{in: "a:=[1,2", wantErr: "(line 1, column 5: unexpected end of JSON input)"},
	{in: "a:=", wantErr: "(line 1, column 1: unexpected end of JSON input)"},
	{in: "H:a\nb", wantErr: "line break"},
}

func TestParseItem(t *testing.T) {
	for _, tt := range parseItemTests {
		got, err := parseItem(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseItem(%q): got error %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseItem(%q): got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseItem(f *testing.F) {
	for _, tt := range parseItemTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		it, err := parseItem(s)
		if err != nil {
			return
		}
		again, err := parseItem(it.format())
		if err != nil {
			t.Fatalf("parseItem(%q) = %+v, but its format %q fails: %v", s, it, it.format(), err)
		}
		if again != it {
			t.Fatalf("round trip of %q: got %+v, want %+v", s, again, it)
		}
	})
}
