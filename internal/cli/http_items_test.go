package cli

import (
	"strings"
	"testing"
)

var parseItemTests = []struct {
	in      string
	want    item
	wantErr string
}{
	{in: "X-API-Key:abc", want: item{itemHeader, "X-API-Key", "abc"}},
	{in: "Accept:", want: item{itemHeader, "Accept", ""}},
	{in: "X-Empty;", want: item{itemEmptyHeader, "X-Empty", ""}},
	{in: "a=b;", want: item{itemData, "a", "b;"}},
	{in: "q==search term", want: item{itemQuery, "q", "search term"}},
	{in: "name=Ann", want: item{itemData, "name", "Ann"}},
	{in: "url=http://x/?a=b", want: item{itemData, "url", "http://x/?a=b"}},
	{in: "age:=30", want: item{itemRawJSON, "age", "30"}},
	{in: `tags:=["a","b"]`, want: item{itemRawJSON, "tags", `["a","b"]`}},
	{in: "x==", want: item{itemQuery, "x", ""}},
	{in: `a\=b=c`, want: item{itemData, "a=b", "c"}},
	{in: `a\:b:=1`, want: item{itemRawJSON, "a:b", "1"}},
	{in: `a\\=c`, want: item{itemData, `a\`, "c"}},
	{in: "=v", want: item{itemData, "", "v"}},
	{in: "Header:a:b", want: item{itemHeader, "Header", "a:b"}},
	{in: "plain", wantErr: "is not a request item"},
	{in: "bad header:x", wantErr: "invalid header name"},
	{in: ":x", wantErr: "invalid header name"},
	{in: "n:=nope", wantErr: "not valid JSON"},
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
