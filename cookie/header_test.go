package cookie

import (
	"reflect"
	"strings"
	"testing"
)

var parseCookieTests = []struct {
	name   string
	header string
	want   []Pair
}{
	{"empty", "", []Pair{}},
	{"one", "a=b", []Pair{{Name: "a", Value: "b"}}},
	{"user agent form", "a=b; c=d; e=f", []Pair{{Name: "a", Value: "b"}, {Name: "c", Value: "d"}, {Name: "e", Value: "f"}}},
	{"no space after ';'", "a=b;c=d", []Pair{{Name: "a", Value: "b"}, {Name: "c", Value: "d"}}},
	{"order and duplicates kept", "b=2; a=1; b=3", []Pair{{Name: "b", Value: "2"}, {Name: "a", Value: "1"}, {Name: "b", Value: "3"}}},
	{"OWS and BWS trimmed", " \ta = b \t;  c=d ", []Pair{{Name: "a", Value: "b"}, {Name: "c", Value: "d"}}},
	{"empty pieces skipped", ";; a=b ;; ;", []Pair{{Name: "a", Value: "b"}}},
	{"empty value", "a=; b=c", []Pair{{Name: "a"}, {Name: "b", Value: "c"}}},
	{"quoted value", `a="b"; c=""`, []Pair{{Name: "a", Value: "b", Quoted: true}, {Name: "c", Quoted: true}}},
	{"'=' in value", "a=b=c", []Pair{{Name: "a", Value: "b=c"}}},
	{"nameless skipped", "abc; a=b", []Pair{{Name: "a", Value: "b"}}},
	{"empty name skipped", "=abc; a=b", []Pair{{Name: "a", Value: "b"}}},
	{"invalid name skipped", "a b=c; (x)=y; ñ=1; d=e", []Pair{{Name: "d", Value: "e"}}},
	{"space in value skipped", "a=b c; d=e", []Pair{{Name: "d", Value: "e"}}},
	{"comma in value skipped", "a=b,c; d=e", []Pair{{Name: "d", Value: "e"}}},
	{"backslash skipped", `a=b\c; d=e`, []Pair{{Name: "d", Value: "e"}}},
	{"lone DQUOTE skipped", `a="; d="e`, []Pair{}},
	{"DQUOTE inside quotes skipped", `a=""b""; d=e`, []Pair{{Name: "d", Value: "e"}}},
	{"CTL skipped", "a=b\x00; c=\x7f; d=e", []Pair{{Name: "d", Value: "e"}}},
	{"non-ASCII value skipped", "a=ü; d=e", []Pair{{Name: "d", Value: "e"}}},
	{"cookie-octet punctuation", "a=!#$%&'()*+-./:<=>?@[]^_`{|}~", []Pair{{Name: "a", Value: "!#$%&'()*+-./:<=>?@[]^_`{|}~"}}},
	{"legacy $Version is a token", `$Version=1; a=b`, []Pair{{Name: "$Version", Value: "1"}, {Name: "a", Value: "b"}}},
}

func TestParseCookie(t *testing.T) {
	for _, tt := range parseCookieTests {
		got := ParseCookie(tt.header)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseCookie(%q)\n got %+v\nwant %+v", tt.name, tt.header, got, tt.want)
		}
	}
}

var formatCookieTests = []struct {
	name  string
	pairs []Pair
	want  string
}{
	{"none", nil, ""},
	{"two", []Pair{{Name: "a", Value: "b"}, {Name: "c", Value: "d"}}, "a=b; c=d"},
	{"quoted", []Pair{{Name: "a", Value: "b", Quoted: true}, {Name: "c", Quoted: true}}, `a="b"; c=""`},
	{"invalid left out", []Pair{{Name: "", Value: "x"}, {Name: "a b", Value: "x"}, {Name: "a", Value: "b c"}, {Name: "q", Value: `"`}, {Name: "ok", Value: "1"}}, "ok=1"},
	{"duplicates kept", []Pair{{Name: "a", Value: "1"}, {Name: "a", Value: "2"}}, "a=1; a=2"},
}

func TestFormatCookie(t *testing.T) {
	for _, tt := range formatCookieTests {
		got := FormatCookie(tt.pairs)
		if got != tt.want {
			t.Errorf("%s: FormatCookie = %q, want %q", tt.name, got, tt.want)
		}
		var valid []Pair
		for _, p := range tt.pairs {
			if validPair(p) {
				valid = append(valid, p)
			}
		}
		if back := ParseCookie(got); len(valid) > 0 && !reflect.DeepEqual(back, valid) {
			t.Errorf("%s: ParseCookie(%q) = %+v, want %+v", tt.name, got, back, valid)
		}
	}
}

// TestParseCookieHostileAllocation: a Cookie header of separators alone holds
// no cookie-pair (RFC 6265bis section 4.2.1), so ParseCookie must not size its
// result by the number of ';' (1 MiB of them once cost 40 MiB of Pairs).
func TestParseCookieHostileAllocation(t *testing.T) {
	for _, header := range []string{
		strings.Repeat(";", 1<<20),
		strings.Repeat("; x", 1<<18), // pieces without '=' are skipped
		"a=b" + strings.Repeat(";", 1<<20),
	} {
		pairs := ParseCookie(header)
		if len(pairs) > 1 {
			t.Fatalf("ParseCookie(%.20q...) returned %d pairs", header, len(pairs))
		}
		if c := cap(pairs); c > 64 {
			t.Errorf("ParseCookie(%.20q...) (%d octets, %d pairs) allocated room for %d pairs", header, len(header), len(pairs), c)
		}
	}
}
