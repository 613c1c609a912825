package cookie

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// parseSetCookieTests cover the rules of RFC 6265bis section 5.6 (and the
// request-independent steps of section 5.7), one or more lines per rule.
var parseSetCookieTests = []struct {
	rule string
	line string
	want *Cookie
}{
	// Section 5.6 steps 2-4: name-value-pair, '=' split, WSP trimming.
	{"basic", "a=b", &Cookie{Name: "a", Value: "b"}},
	{"no '=' means nameless", "foo", &Cookie{Value: "foo"}},
	{"no '=' keeps inner space", " foo bar ", &Cookie{Value: "foo bar"}},
	{"empty name with '='", "=foo", &Cookie{Value: "foo"}},
	{"empty value", "foo=", &Cookie{Name: "foo"}},
	{"first '=' splits", "a=b=c", &Cookie{Name: "a", Value: "b=c"}},
	{"WSP trimmed, inner kept", " \ta b \t= c d\t ; Path=/", &Cookie{Name: "a b", Value: "c d", Path: "/"}},
	{"quotes kept in value", `a="b c"`, &Cookie{Name: "a", Value: `"b c"`}},
	{"non-ASCII kept", "ñ=ü", &Cookie{Name: "ñ", Value: "ü"}},
	{"commas are not separators", "a=b, c=d", &Cookie{Name: "a", Value: "b, c=d"}},
	{"name-value ends at first ';'", "a=b;c=d", &Cookie{Name: "a", Value: "b"}},
	{"HTAB is not a CTL", "a=\tb\tc", &Cookie{Name: "a", Value: "b\tc"}},
	// Section 5.6 step 5: exactly 4096 octets is allowed.
	{"4096 octets", "n=" + strings.Repeat("v", 4095), &Cookie{Name: "n", Value: strings.Repeat("v", 4095)}},
	{"4096 octets nameless", strings.Repeat("v", 4096), &Cookie{Value: strings.Repeat("v", 4096)}},
	{"trimmed WSP does not count", "n=" + strings.Repeat("v", 4095) + "   ", &Cookie{Name: "n", Value: strings.Repeat("v", 4095)}},

	// Attribute parsing: case-insensitive names, WSP around '=', unknown ignored.
	{"attribute case", "a=b; pAtH=/x; DOMAIN=example.com; sEcUrE; hTTPoNLY", &Cookie{Name: "a", Value: "b", Path: "/x", Domain: "example.com", Secure: true, HttpOnly: true}},
	{"attribute WSP", "a=b ;  Path \t=\t /x \t;Secure  ", &Cookie{Name: "a", Value: "b", Path: "/x", Secure: true}},
	{"unknown attributes", "a=b; Version=1; Comment=x; foo; =bar; ;;", &Cookie{Name: "a", Value: "b"}},
	{"non-ASCII fold is not a match", "a=b; \u017Fecure; Path=/", &Cookie{Name: "a", Value: "b", Path: "/"}},
	{"flag with a value", "a=b; Secure=no; HttpOnly=0", &Cookie{Name: "a", Value: "b", Secure: true, HttpOnly: true}},
	{"trailing ';'", "a=b;", &Cookie{Name: "a", Value: "b"}},

	// Section 5.6 step 6: attribute values over 1024 octets are ignored.
	{"1024-octet path kept", "a=b; Path=/" + strings.Repeat("p", 1023), &Cookie{Name: "a", Value: "b", Path: "/" + strings.Repeat("p", 1023)}},
	{"1025-octet path ignored", "a=b; Path=/x; Path=/" + strings.Repeat("p", 1024), &Cookie{Name: "a", Value: "b", Path: "/x"}},
	{"1025-octet domain ignored", "a=b; Domain=x.com; Domain=" + strings.Repeat("d", 1025), &Cookie{Name: "a", Value: "b", Domain: "x.com"}},
	{"long unknown ignored", "a=b; X=" + strings.Repeat("x", 5000) + "; Secure", &Cookie{Name: "a", Value: "b", Secure: true}},

	// Section 5.6.1: Expires.
	{"expires", "a=b; Expires=Wed, 09 Jun 2021 10:18:14 GMT", &Cookie{Name: "a", Value: "b", Expires: date(2021, 6, 9, 10, 18, 14)}},
	{"expires lenient form", "a=b; expires=Wed, 09-Jun-21 10:18:14", &Cookie{Name: "a", Value: "b", Expires: date(2021, 6, 9, 10, 18, 14)}},
	{"bad expires ignored", "a=b; Expires=Wed, 09 Jun 2021 10:18:14 GMT; Expires=never", &Cookie{Name: "a", Value: "b", Expires: date(2021, 6, 9, 10, 18, 14)}},
	{"expires last wins", "a=b; Expires=01 Jan 2020 00:00:00; Expires=02 Jan 2020 00:00:00", &Cookie{Name: "a", Value: "b", Expires: date(2020, 1, 2, 0, 0, 0)}},
	{"expires before 1601 ignored", "a=b; Expires=01 Jan 1600 00:00:00", &Cookie{Name: "a", Value: "b"}},

	// Section 5.6.2: Max-Age.
	{"max-age", "a=b; Max-Age=3600", &Cookie{Name: "a", Value: "b", MaxAge: 3600, HasMaxAge: true}},
	{"max-age zero", "a=b; max-age=0", &Cookie{Name: "a", Value: "b", MaxAge: 0, HasMaxAge: true}},
	{"max-age negative", "a=b; Max-Age=-1", &Cookie{Name: "a", Value: "b", MaxAge: -1, HasMaxAge: true}},
	{"max-age leading zeros", "a=b; Max-Age=007", &Cookie{Name: "a", Value: "b", MaxAge: 7, HasMaxAge: true}},
	{"max-age empty ignored", "a=b; Max-Age=", &Cookie{Name: "a", Value: "b"}},
	{"max-age '+' ignored", "a=b; Max-Age=+5", &Cookie{Name: "a", Value: "b"}},
	{"max-age lone '-' ignored", "a=b; Max-Age=-", &Cookie{Name: "a", Value: "b"}},
	{"max-age '--1' ignored", "a=b; Max-Age=--1", &Cookie{Name: "a", Value: "b"}},
	{"max-age non-digit ignored", "a=b; Max-Age=12a", &Cookie{Name: "a", Value: "b"}},
	{"max-age inner space ignored", "a=b; Max-Age=1 2", &Cookie{Name: "a", Value: "b"}},
	{"max-age decimal ignored", "a=b; Max-Age=1.5", &Cookie{Name: "a", Value: "b"}},
	{"max-age invalid keeps earlier", "a=b; Max-Age=10; Max-Age=x", &Cookie{Name: "a", Value: "b", MaxAge: 10, HasMaxAge: true}},
	{"max-age last wins", "a=b; Max-Age=10; Max-Age=20", &Cookie{Name: "a", Value: "b", MaxAge: 20, HasMaxAge: true}},
	{"max-age near the int64 limit is exact", "a=b; Max-Age=9223372036854775800", &Cookie{Name: "a", Value: "b", MaxAge: math.MaxInt64 - 7, HasMaxAge: true}},
	{"max-age int64 limit", "a=b; Max-Age=9223372036854775807", &Cookie{Name: "a", Value: "b", MaxAge: math.MaxInt64, HasMaxAge: true}},
	{"max-age one past the limit saturates", "a=b; Max-Age=9223372036854775808", &Cookie{Name: "a", Value: "b", MaxAge: math.MaxInt64, HasMaxAge: true}},
	{"max-age saturates", "a=b; Max-Age=99999999999999999999999", &Cookie{Name: "a", Value: "b", MaxAge: math.MaxInt64, HasMaxAge: true}},
	{"max-age negative saturates", "a=b; Max-Age=-99999999999999999999999", &Cookie{Name: "a", Value: "b", MaxAge: -math.MaxInt64, HasMaxAge: true}},
	{"max-age and expires both kept", "a=b; Max-Age=5; Expires=01 Jan 2020 00:00:00", &Cookie{Name: "a", Value: "b", MaxAge: 5, HasMaxAge: true, Expires: date(2020, 1, 1, 0, 0, 0)}},

	// Section 5.6.3: Domain.
	{"domain leading dot", "a=b; Domain=.Example.COM", &Cookie{Name: "a", Value: "b", Domain: "example.com"}},
	{"domain one dot only", "a=b; Domain=..example.com", &Cookie{Name: "a", Value: "b", Domain: ".example.com"}},
	{"domain empty overrides", "a=b; Domain=example.com; Domain=", &Cookie{Name: "a", Value: "b"}},
	{"domain dot only", "a=b; Domain=.", &Cookie{Name: "a", Value: "b"}},
	{"domain last wins", "a=b; Domain=x.com; Domain=y.com", &Cookie{Name: "a", Value: "b", Domain: "y.com"}},
	{"domain trailing dot kept", "a=b; Domain=example.com.", &Cookie{Name: "a", Value: "b", Domain: "example.com."}},

	// Section 5.6.4: Path.
	{"path", "a=b; Path=/a/b", &Cookie{Name: "a", Value: "b", Path: "/a/b"}},
	{"path without slash is default", "a=b; Path=a/b", &Cookie{Name: "a", Value: "b"}},
	{"path empty is default", "a=b; Path=", &Cookie{Name: "a", Value: "b"}},
	{"path invalid overrides earlier", "a=b; Path=/x; Path=y", &Cookie{Name: "a", Value: "b"}},
	{"path last wins", "a=b; Path=/x; Path=/y", &Cookie{Name: "a", Value: "b", Path: "/y"}},
	{"path keeps inner space and quotes", `a=b; Path=/a b"c`, &Cookie{Name: "a", Value: "b", Path: `/a b"c`}},

	// Sections 5.6.5, 5.6.6: Secure, HttpOnly.
	{"secure httponly", "a=b; Secure; HttpOnly", &Cookie{Name: "a", Value: "b", Secure: true, HttpOnly: true}},

	// Section 5.6.7: SameSite.
	{"samesite strict", "a=b; SameSite=Strict", &Cookie{Name: "a", Value: "b", SameSite: SameSiteStrict}},
	{"samesite lax", "a=b; samesite=LAX", &Cookie{Name: "a", Value: "b", SameSite: SameSiteLax}},
	{"samesite none", "a=b; SameSite=nOnE", &Cookie{Name: "a", Value: "b", SameSite: SameSiteNone}},
	{"samesite unknown", "a=b; SameSite=Lax; SameSite=bogus", &Cookie{Name: "a", Value: "b", SameSite: SameSiteDefault}},
	{"samesite empty", "a=b; SameSite", &Cookie{Name: "a", Value: "b", SameSite: SameSiteDefault}},
	{"samesite last wins", "a=b; SameSite=Strict; SameSite=None", &Cookie{Name: "a", Value: "b", SameSite: SameSiteNone}},
	{"samesite WSP", "a=b; SameSite = Strict ", &Cookie{Name: "a", Value: "b", SameSite: SameSiteStrict}},

	// CHIPS: Partitioned.
	{"partitioned", "a=b; Secure; Partitioned", &Cookie{Name: "a", Value: "b", Secure: true, Partitioned: true}},

	// Everything at once.
	{"all attributes", "__Host-id=v1; Path=/; Expires=Thu, 01 Jan 2030 00:00:00 GMT; Max-Age=60; Secure; HttpOnly; SameSite=Strict; Partitioned",
		&Cookie{Name: "__Host-id", Value: "v1", Path: "/", Expires: date(2030, 1, 1, 0, 0, 0), MaxAge: 60, HasMaxAge: true, Secure: true, HttpOnly: true, SameSite: SameSiteStrict, Partitioned: true}},
}

func TestParseSetCookie(t *testing.T) {
	for _, tt := range parseSetCookieTests {
		got, err := ParseSetCookie(tt.line)
		if err != nil {
			t.Errorf("%s: ParseSetCookie(%.80q) error %v, want %+v", tt.rule, tt.line, err, *tt.want)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseSetCookie(%.80q)\n got %+v\nwant %+v", tt.rule, tt.line, *got, *tt.want)
		}
	}
}

// parseSetCookieIgnoredTests are lines a user agent ignores entirely.
var parseSetCookieIgnoredTests = []struct {
	rule string
	line string
	want error
}{
	// Section 5.6 step 1: CTLs other than HTAB, anywhere.
	{"NUL in value", "a=b\x00c", ErrControlCharacter},
	{"CR in name", "a\rb=c", ErrControlCharacter},
	{"LF in attribute", "a=b; Path=/\n", ErrControlCharacter},
	{"DEL", "a=b\x7f", ErrControlCharacter},
	{"US %x1F", "a=\x1fb", ErrControlCharacter},
	{"CTL in unknown attribute", "a=b; x=\x01", ErrControlCharacter},
	// Section 5.6 step 5.
	{"4097 octets", "n=" + strings.Repeat("v", 4096), ErrNameValueTooLong},
	{"4097 octets nameless", strings.Repeat("v", 4097), ErrNameValueTooLong},
	{"long name", strings.Repeat("n", 4097) + "=", ErrNameValueTooLong},
	// Section 5.7 step 2.
	{"empty", "", ErrEmptyCookie},
	{"only '='", "=", ErrEmptyCookie},
	{"only WSP", " \t ", ErrEmptyCookie},
	{"only attributes", "; Secure; Path=/", ErrEmptyCookie},
	{"WSP and '='", "  =  ; Max-Age=5", ErrEmptyCookie},
	// Section 5.7 step 8.
	{"non-ASCII domain", "a=b; Domain=exämple.com", ErrDomainNotASCII},
}

func TestParseSetCookieIgnored(t *testing.T) {
	for _, tt := range parseSetCookieIgnoredTests {
		got, err := ParseSetCookie(tt.line)
		if err == nil {
			t.Errorf("%s: ParseSetCookie(%.60q) = %+v, want error %v", tt.rule, tt.line, *got, tt.want)
			continue
		}
		if got != nil {
			t.Errorf("%s: ParseSetCookie(%.60q) returned a cookie with error %v", tt.rule, tt.line, err)
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: ParseSetCookie(%.60q) error %v, want %v", tt.rule, tt.line, err, tt.want)
		}
		if !errors.Is(err, ErrIgnored) {
			t.Errorf("%s: ParseSetCookie(%.60q) error %v does not match ErrIgnored", tt.rule, tt.line, err)
		}
	}
}

func TestParseSetCookieNonASCIIDomainOverridden(t *testing.T) {
	// Section 5.7 step 8 looks at the retained (last) Domain only.
	got, err := ParseSetCookie("a=b; Domain=exämple.com; Domain=example.com")
	if err != nil {
		t.Fatalf("ParseSetCookie error %v, want the cookie", err)
	}
	if got.Domain != "example.com" {
		t.Errorf("Domain = %q, want %q", got.Domain, "example.com")
	}
}

func TestSentinelsMatchErrIgnored(t *testing.T) {
	for _, err := range []error{ErrControlCharacter, ErrNameValueTooLong, ErrEmptyCookie, ErrDomainNotASCII} {
		if !errors.Is(err, ErrIgnored) {
			t.Errorf("errors.Is(%v, ErrIgnored) = false, want true", err)
		}
		if !strings.HasPrefix(err.Error(), "cookie: ") {
			t.Errorf("error %q lacks the cookie: prefix", err)
		}
	}
	if errors.Is(ErrInvalidName, ErrIgnored) {
		t.Errorf("ErrInvalidName matches ErrIgnored; writer errors must not")
	}
}

func TestIndexCTL(t *testing.T) {
	// Compare the word-at-a-time scan with the octet definition for every
	// octet at every position of a 19-octet string.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 19; pos++ {
			b := []byte(strings.Repeat("abcdefgh\xff\x80 \t~", 2)[:19])
			b[pos] = byte(c)
			want := -1
			for i, o := range b {
				if isCTL(o) {
					want = i
					break
				}
			}
			if got := indexCTL(string(b)); got != want {
				t.Fatalf("indexCTL(%q) = %d, want %d", b, got, want)
			}
		}
	}
}

// TestParseSetCookieAllocations holds ParseSetCookie to the package doc's
// promise: one allocation (the Cookie), plus one for a Domain with upper-case
// letters. Attributes a user agent ignores (an unparsable Expires, RFC 6265bis
// section 5.6.1 step 2) and Domains a later one overrides (section 5.7 step 7)
// must cost nothing, or a long hostile line multiplies allocations.
func TestParseSetCookieAllocations(t *testing.T) {
	tests := []struct {
		line string
		want float64
	}{
		{"a=b; Path=/; Domain=example.com; Max-Age=5; Secure", 1},
		{"a=b; Expires=Wed, 09 Jun 2021 10:18:14 GMT", 1},
		{"a=b; Expires=never; Expires=32 Jan 2021 00:00:00; Expires=" + strings.Repeat("x", 1000), 1},
		{"a=b; Domain=Example.COM", 2},
		{"a=b; Domain=A.example; Domain=B.example; Domain=C.example", 2},
		{"a=b; Domain=A.example; Domain=c.example", 1},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(20, func() { _, _ = ParseSetCookie(tt.line) }); got != tt.want {
			t.Errorf("ParseSetCookie(%.60q): %v allocations, want %v", tt.line, got, tt.want)
		}
	}
}
