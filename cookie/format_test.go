package cookie

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

var formatSetCookieTests = []struct {
	name string
	c    Cookie
	want string
}{
	{"minimal", Cookie{Name: "a", Value: "b"}, "a=b"},
	{"empty value", Cookie{Name: "a"}, "a="},
	{"quoted value", Cookie{Name: "a", Value: `"b"`}, `a="b"`},
	{"empty quoted value", Cookie{Name: "a", Value: `""`}, `a=""`},
	{"token punctuation", Cookie{Name: "!#$%&'*+-.^_`|~", Value: "!#$%&'()*+-./:<=>?@[]^_`{|}~"}, "!#$%&'*+-.^_`|~=!#$%&'()*+-./:<=>?@[]^_`{|}~"},
	{"all attributes", Cookie{
		Name: "id", Value: "v", Path: "/p", Domain: "example.com",
		Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), MaxAge: 60, HasMaxAge: true,
		Secure: true, HttpOnly: true, SameSite: SameSiteStrict, Partitioned: true,
	}, "id=v; Path=/p; Domain=example.com; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Max-Age=60; Secure; HttpOnly; SameSite=Strict; Partitioned"},
	{"expires converted to GMT", Cookie{Name: "a", Value: "b", Expires: time.Date(2030, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600))}, "a=b; Expires=Tue, 01 Jan 2030 00:00:00 GMT"},
	{"expires truncated to seconds", Cookie{Name: "a", Value: "b", Expires: time.Date(2030, 1, 1, 0, 0, 0, 999, time.UTC)}, "a=b; Expires=Tue, 01 Jan 2030 00:00:00 GMT"},
	{"max-age zero", Cookie{Name: "a", Value: "b", HasMaxAge: true}, "a=b; Max-Age=0"},
	{"max-age near the int64 limit", Cookie{Name: "a", Value: "b", MaxAge: math.MaxInt64 - 7, HasMaxAge: true}, "a=b; Max-Age=9223372036854775800"},
	{"max-age negative written as 0", Cookie{Name: "a", Value: "b", MaxAge: -1, HasMaxAge: true}, "a=b; Max-Age=0"},
	{"samesite lax", Cookie{Name: "a", Value: "b", SameSite: SameSiteLax}, "a=b; SameSite=Lax"},
	{"samesite none secure", Cookie{Name: "a", Value: "b", SameSite: SameSiteNone, Secure: true}, "a=b; Secure; SameSite=None"},
	{"secure prefix", Cookie{Name: "__Secure-a", Value: "b", Secure: true, Domain: "example.com"}, "__Secure-a=b; Domain=example.com; Secure"},
	{"host prefix", Cookie{Name: "__Host-a", Value: "b", Secure: true, Path: "/"}, "__Host-a=b; Path=/; Secure"},
	{"domain with digits and hyphens", Cookie{Name: "a", Value: "b", Domain: "1-2.x-y.example"}, "a=b; Domain=1-2.x-y.example"},
	{"path with spaces and quotes", Cookie{Name: "a", Value: "b", Path: `/a b"c`}, `a=b; Path=/a b"c`},
	{"version ignored", Cookie{Name: "a", Value: "b", Version: 1, Comment: "c", Port: []int{80}, PortSet: true}, "a=b"},
	{"4096 octets", Cookie{Name: "n", Value: strings.Repeat("v", 4095)}, "n=" + strings.Repeat("v", 4095)},
	// RFC 6265bis section 5.6.3 step 3: a user agent lower-cases the Domain,
	// so it is written lower-cased to read back the same.
	{"domain written lower-cased", Cookie{Name: "a", Value: "b", Domain: "WWW.Example.COM"}, "a=b; Domain=www.example.com"},
}

func TestFormatSetCookie(t *testing.T) {
	for _, tt := range formatSetCookieTests {
		got, err := FormatSetCookie(&tt.c)
		if err != nil {
			t.Errorf("%s: FormatSetCookie error %v, want %q", tt.name, err, tt.want)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: FormatSetCookie = %q, want %q", tt.name, got, tt.want)
		}
		// What we write, we read back (RFC 2965 fields are not written).
		back, err := ParseSetCookie(got)
		if err != nil {
			t.Errorf("%s: ParseSetCookie(%q) error %v", tt.name, got, err)
			continue
		}
		want := tt.c
		want.Version, want.Comment, want.Port, want.PortSet = 0, "", nil, false
		want.Domain = strings.ToLower(want.Domain)
		if !sameSetCookie(back, &want) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", tt.name, *back, want)
		}
	}
}

// sameSetCookie compares the fields a Set-Cookie line carries, treating every
// Max-Age <= 0 alike (all delete the cookie and are written as 0) and Expires
// at second precision.
func sameSetCookie(a, b *Cookie) bool {
	x, y := *a, *b
	if x.HasMaxAge && x.MaxAge < 0 {
		x.MaxAge = 0
	}
	if y.HasMaxAge && y.MaxAge < 0 {
		y.MaxAge = 0
	}
	if !x.Expires.Truncate(time.Second).Equal(y.Expires.Truncate(time.Second)) {
		return false
	}
	x.Expires, y.Expires = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

var formatSetCookieErrorTests = []struct {
	name string
	c    Cookie
	want error
}{
	{"empty name", Cookie{Value: "b"}, ErrInvalidName},
	{"space in name", Cookie{Name: "a b", Value: "c"}, ErrInvalidName},
	{"'=' in name", Cookie{Name: "a=b", Value: "c"}, ErrInvalidName},
	{"separator in name", Cookie{Name: "a(b)", Value: "c"}, ErrInvalidName},
	{"non-ASCII name", Cookie{Name: "ñ", Value: "c"}, ErrInvalidName},
	{"space in value", Cookie{Name: "a", Value: "b c"}, ErrInvalidValue},
	{"comma in value", Cookie{Name: "a", Value: "b,c"}, ErrInvalidValue},
	{"semicolon in value", Cookie{Name: "a", Value: "b;c"}, ErrInvalidValue},
	{"backslash in value", Cookie{Name: "a", Value: `b\c`}, ErrInvalidValue},
	{"inner DQUOTE", Cookie{Name: "a", Value: `b"c`}, ErrInvalidValue},
	{"lone DQUOTE", Cookie{Name: "a", Value: `"`}, ErrInvalidValue},
	{"quoted with space", Cookie{Name: "a", Value: `"b c"`}, ErrInvalidValue},
	{"CTL in value", Cookie{Name: "a", Value: "b\x00"}, ErrInvalidValue},
	{"non-ASCII value", Cookie{Name: "a", Value: "ü"}, ErrInvalidValue},
	{"4097 octets", Cookie{Name: "n", Value: strings.Repeat("v", 4096)}, ErrNameValueTooLong},
	{"domain with leading dot", Cookie{Name: "a", Value: "b", Domain: ".example.com"}, ErrInvalidDomain},
	{"domain with underscore", Cookie{Name: "a", Value: "b", Domain: "a_b.example"}, ErrInvalidDomain},
	{"domain empty label", Cookie{Name: "a", Value: "b", Domain: "a..b"}, ErrInvalidDomain},
	{"domain hyphen edge", Cookie{Name: "a", Value: "b", Domain: "-a.b"}, ErrInvalidDomain},
	{"domain with ';'", Cookie{Name: "a", Value: "b", Domain: "a.b; Secure"}, ErrInvalidDomain},
	{"domain label too long", Cookie{Name: "a", Value: "b", Domain: strings.Repeat("x", 64) + ".com"}, ErrInvalidDomain},
	{"path with ';'", Cookie{Name: "a", Value: "b", Path: "/a;b"}, ErrInvalidPath},
	{"path with CTL", Cookie{Name: "a", Value: "b", Path: "/a\nb"}, ErrInvalidPath},
	{"path with tab", Cookie{Name: "a", Value: "b", Path: "/a\tb"}, ErrInvalidPath},
	{"relative path", Cookie{Name: "a", Value: "b", Path: "a"}, ErrInvalidPath},
	{"path trailing space", Cookie{Name: "a", Value: "b", Path: "/a "}, ErrInvalidPath},
	{"path too long", Cookie{Name: "a", Value: "b", Path: "/" + strings.Repeat("p", 1024)}, ErrInvalidPath},
	{"expires before 1601", Cookie{Name: "a", Value: "b", Expires: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrInvalidExpires},
	{"expires after 9999", Cookie{Name: "a", Value: "b", Expires: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrInvalidExpires},
	{"__Secure- without Secure", Cookie{Name: "__Secure-a", Value: "b"}, ErrPrefix},
	{"__secure- miscapitalised", Cookie{Name: "__sEcUrE-a", Value: "b"}, ErrPrefix},
	{"__Host- without Secure", Cookie{Name: "__Host-a", Value: "b", Path: "/"}, ErrPrefix},
	{"__Host- without Path", Cookie{Name: "__Host-a", Value: "b", Secure: true}, ErrPrefix},
	{"__Host- with other Path", Cookie{Name: "__Host-a", Value: "b", Secure: true, Path: "/x"}, ErrPrefix},
	{"__Host- with Domain", Cookie{Name: "__Host-a", Value: "b", Secure: true, Path: "/", Domain: "example.com"}, ErrPrefix},
	{"__HOST- miscapitalised", Cookie{Name: "__HOST-a", Value: "b", Path: "/"}, ErrPrefix},
	{"SameSite=None without Secure", Cookie{Name: "a", Value: "b", SameSite: SameSiteNone}, ErrInsecureSameSiteNone},
	{"Partitioned without Secure", Cookie{Name: "a", Value: "b", Partitioned: true}, ErrInsecurePartitioned},
	// Section 4.1.1: samesite-value = "Strict" / "Lax" / "None"; any other
	// SameSite value would silently read back as SameSiteDefault.
	{"unknown SameSite value", Cookie{Name: "a", Value: "b", Secure: true, SameSite: SameSiteStrict + 1}, ErrInvalidAttribute},
	{"negative SameSite value", Cookie{Name: "a", Value: "b", SameSite: -1}, ErrInvalidAttribute},
}

func TestFormatSetCookieErrors(t *testing.T) {
	for _, tt := range formatSetCookieErrorTests {
		got, err := FormatSetCookie(&tt.c)
		if err == nil {
			t.Errorf("%s: FormatSetCookie = %q, want error %v", tt.name, got, tt.want)
			continue
		}
		if got != "" {
			t.Errorf("%s: FormatSetCookie returned %q with error %v", tt.name, got, err)
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: FormatSetCookie error %v, want %v", tt.name, err, tt.want)
		}
		if !strings.HasPrefix(err.Error(), "cookie: ") {
			t.Errorf("%s: error %q lacks the cookie: prefix", tt.name, err)
		}
	}
}

// TestWriterErrorsHideValues: a cookie value may be a session identifier and
// writer errors end up in logs, so an ErrInvalidValue names the cookie and
// the offending octet, never the value.
func TestWriterErrorsHideValues(t *testing.T) {
	const secret = "s3cr3tS3ss10n"
	for _, tt := range []struct {
		name   string
		format func(*Cookie) (string, error)
		c      Cookie
	}{
		{"Set-Cookie space", FormatSetCookie, Cookie{Name: "sid", Value: secret + " x"}},
		{"Set-Cookie lone DQUOTE", FormatSetCookie, Cookie{Name: "sid", Value: `"` + secret}},
		{"Set-Cookie2 CTL", FormatSetCookie2, Cookie{Name: "sid", Value: secret + "\n"}},
	} {
		_, err := tt.format(&tt.c)
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: error %v, want ErrInvalidValue", tt.name, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret) || !strings.Contains(msg, `"sid"`) {
			t.Errorf("%s: error %q quotes the value or does not name the cookie", tt.name, msg)
		}
	}
}
