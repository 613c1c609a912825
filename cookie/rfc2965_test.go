package cookie

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var parseSetCookie2Tests = []struct {
	name    string
	line    string
	want    []*Cookie
	wantErr bool
}{
	{"RFC 2965 example", `Customer="WILE_E_COYOTE"; Version="1"; Path="/acme"`,
		[]*Cookie{{Name: "Customer", Value: "WILE_E_COYOTE", Version: 1, Path: "/acme"}}, false},
	{"all attributes", `id=abc; Version=1; Comment="a; b, c"; CommentURL="http://x.example/why?a=1,2"; Discard; Domain=.example.com; Max-Age=3600; Path=/; Port="80, 8080"; Secure`,
		[]*Cookie{{Name: "id", Value: "abc", Version: 1, Comment: "a; b, c", CommentURL: "http://x.example/why?a=1,2", Discard: true, Domain: ".example.com", MaxAge: 3600, HasMaxAge: true, Path: "/", Port: []int{80, 8080}, PortSet: true, Secure: true}}, false},
	{"two cookies", `a=1; Version=1, b="2"; Version="1"; Port`,
		[]*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "b", Value: "2", Version: 1, PortSet: true}}, false},
	{"bare port", `a=1; Version=1; Port=443`, []*Cookie{{Name: "a", Value: "1", Version: 1, Port: []int{443}, PortSet: true}}, false},
	{"case-insensitive attributes", `a=1; VERSION=1; pAtH="/x"; SECURE; discard`, []*Cookie{{Name: "a", Value: "1", Version: 1, Path: "/x", Secure: true, Discard: true}}, false},
	{"first attribute wins", `a=1; Version=1; Path=/a; Path=/b; Max-Age=1; Max-Age=2`, []*Cookie{{Name: "a", Value: "1", Version: 1, Path: "/a", MaxAge: 1, HasMaxAge: true}}, false},
	{"unknown attribute ignored", `a=1; Version=1; Expires=whenever; X=y`, []*Cookie{{Name: "a", Value: "1", Version: 1}}, false},
	{"quoted-pair", `a="x\"y\\z"; Version=1`, []*Cookie{{Name: "a", Value: `x"y\z`, Version: 1}}, false},
	{"empty elements", `, a=1; Version=1 ,, `, []*Cookie{{Name: "a", Value: "1", Version: 1}}, false},
	{"missing version", `a=1; Path=/`, nil, true},
	{"missing version, next kept", `a=1, b=2; Version=1`, []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"version zero", `a=1; Version=0`, nil, true},
	{"no '='", `a; Version=1`, nil, true},
	{"$ name", `$a=1; Version=1`, nil, true},
	{"bad max-age", `a=1; Version=1; Max-Age=-1, b=2; Version=1`, []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"bad port", `a=1; Version=1; Port="80,x"`, nil, true},
	{"port zero", `a=1; Version=1; Port="0"`, nil, true},
	{"port too big", `a=1; Version=1; Port="65536"`, nil, true},
	{"unterminated quote", `a="1; Version=1`, nil, true},
	{"junk after quote", `a="1"x; Version=1`, nil, true},
	// Only an unterminated quoted-string ends the parse: junk after a
	// closing quote drops that cookie, and the next one is read.
	{"junk after quote, next kept", `a="1"x; Version=1, b=2; Version=1`, []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"junk after attribute quote, next kept", `a=1; Version=1; Path="/"x, b=2; Version=1`, []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"empty", ``, nil, false},
	// token, qdtext and quoted-pair exclude CTLs but HTAB (RFC 2616
	// section 2.2; RFC 9110 section 5.6.4): the pair is dropped, the next
	// cookie read.
	{"CTL in a quoted value, next kept", "a=\"x\x01y\"; Version=1, b=2; Version=1", []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"CTL in a quoted-pair", "a=\"x\\\x00\"; Version=1", nil, true},
	{"CTL in an unquoted value, next kept", "a=x\x7fy; Version=1, b=2; Version=1", []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"CTL in an attribute value, next kept", "a=1; Version=1; Path=\"/\n\", b=2; Version=1", []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"HTAB in a quoted value", "a=\"x\ty\"; Version=1", []*Cookie{{Name: "a", Value: "x\ty", Version: 1}}, false},
	// A bare CR or LF is a CTL, not LWS (which is SP and HTAB once an HTTP
	// parser has unfolded the field, RFC 9112 section 5.2): at the end of
	// a value or name it is not trimmed away but drops the cookie.
	{"CR ending a value, next kept", "a=x\r; Version=1, b=2; Version=1", []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"LF ending a name, next kept", "a\n=x; Version=1, b=2; Version=1", []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	{"CRLF before a quoted value", "a=\r\n\"x\"; Version=1, b=2; Version=1", []*Cookie{{Name: "b", Value: "2", Version: 1}}, true},
	// RFC 2965 section 3.2.2: Max-Age is delta-seconds, a non-negative
	// integer of any size; past int64 it saturates as in ParseSetCookie.
	{"max-age beyond int32", `a=1; Version=1; Max-Age=99999999999`, []*Cookie{{Name: "a", Value: "1", Version: 1, MaxAge: 99999999999, HasMaxAge: true}}, false},
	{"max-age beyond int64 saturates", `a=1; Version=1; Max-Age="99999999999999999999999"`, []*Cookie{{Name: "a", Value: "1", Version: 1, MaxAge: math.MaxInt64, HasMaxAge: true}}, false},
	{"max-age sign", `a=1; Version=1; Max-Age=+5`, nil, true},
	// Expires is no RFC 2965 attribute (section 3.3.1 ignores it), but
	// servers send the Netscape one in Set-Cookie2 too: the comma after the
	// weekday of its date does not end the cookie (section 3.2.2's 1#cookie).
	{"netscape expires, version after", `a=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT; Version=1`, []*Cookie{{Name: "a", Value: "1", Version: 1}}, false},
	{"netscape expires, then a cookie", `a=1; Version=1; expires=Wednesday, 09-Jun-21 10:18:14 GMT, b=2; Version=1`,
		[]*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "b", Value: "2", Version: 1}}, false},
	{"netscape expires last", `a=1; Version=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT`, []*Cookie{{Name: "a", Value: "1", Version: 1}}, false},
	{"a cookie named Expires still ends at ','", `Expires=Wed, 09=x; Version=1`, []*Cookie{{Name: "09", Value: "x", Version: 1}}, true},
	// A list element with '=' is a cookie, not the rest of a date, even
	// when its NAME is all digits like a day of the month.
	{"expires weekday then a cookie named like a day", `a=1; Version=1; Expires=Mon, 09=x; Version=1`,
		[]*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "09", Value: "x", Version: 1}}, false},
	{"expires weekday then a cookie named 1", `a=1; Version=1; Expires=Wednesday , 1 = 2; Version=1, b=3; Version=1`,
		[]*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "1", Value: "2", Version: 1}, {Name: "b", Value: "3", Version: 1}}, false},
	{"expires weekday then a cookie named like a word", `a=1; Version=1; Expires=Wed, b=2; Version=1`,
		[]*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "b", Value: "2", Version: 1}}, false},
	{"comma after a non-weekday ends the cookie", `a=1; Version=1; Expires=soon, b=2; Version=1`,
		[]*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "b", Value: "2", Version: 1}}, false},
}

func TestParseSetCookie2(t *testing.T) {
	for _, tt := range parseSetCookie2Tests {
		got, err := ParseSetCookie2(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: ParseSetCookie2(%q) error %v, want error %v", tt.name, tt.line, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %v does not wrap ErrSyntax", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseSetCookie2(%q)\n got %s\nwant %s", tt.name, tt.line, dump(got), dump(tt.want))
		}
	}
}

// dump prints cookies for failure messages.
func dump(cs []*Cookie) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%+v\n", *c)
	}
	return b.String()
}

var formatSetCookie2Tests = []struct {
	name string
	c    Cookie
	want string
}{
	{"minimal", Cookie{Name: "a", Value: "b", Version: 1}, `a="b"; Version="1"`},
	{"version 0 written as 1", Cookie{Name: "a", Value: "b"}, `a="b"; Version="1"`},
	{"all", Cookie{Name: "id", Value: `x"y`, Version: 1, Comment: "c", CommentURL: "http://e/", Discard: true, Domain: ".example.com", MaxAge: 0, HasMaxAge: true, Path: "/", Port: []int{80, 8080}, PortSet: true, Secure: true},
		`id="x\"y"; Version="1"; Comment="c"; CommentURL="http://e/"; Discard; Domain=".example.com"; Max-Age="0"; Path="/"; Port="80,8080"; Secure`},
	{"bare port", Cookie{Name: "a", Value: "b", Version: 1, PortSet: true}, `a="b"; Version="1"; Port`},
	{"max-age beyond int32", Cookie{Name: "a", Value: "b", Version: 1, MaxAge: 1 << 40, HasMaxAge: true}, `a="b"; Version="1"; Max-Age="1099511627776"`},
}

func TestFormatSetCookie2(t *testing.T) {
	for _, tt := range formatSetCookie2Tests {
		got, err := FormatSetCookie2(&tt.c)
		if err != nil || got != tt.want {
			t.Errorf("%s: FormatSetCookie2 = %q, %v; want %q", tt.name, got, err, tt.want)
			continue
		}
		back, err := ParseSetCookie2(got)
		want := tt.c
		want.Version = max(want.Version, 1)
		if err != nil || len(back) != 1 || !reflect.DeepEqual(back[0], &want) {
			t.Errorf("%s: ParseSetCookie2(%q) = %s, %v; want %s", tt.name, got, dump(back), err, dump([]*Cookie{&want}))
		}
	}
}

var formatSetCookie2ErrorTests = []struct {
	name string
	c    Cookie
	want error
}{
	{"empty name", Cookie{Value: "b"}, ErrInvalidName},
	{"$ name", Cookie{Name: "$a", Value: "b"}, ErrInvalidName},
	{"CTL in value", Cookie{Name: "a", Value: "\x01"}, ErrInvalidValue},
	{"negative max-age", Cookie{Name: "a", MaxAge: -1, HasMaxAge: true}, ErrInvalidAttribute},
	{"port zero", Cookie{Name: "a", Port: []int{0}, PortSet: true}, ErrInvalidAttribute},
	{"CTL in comment", Cookie{Name: "a", Comment: "x\ny"}, ErrInvalidAttribute},
	{"CTL in path", Cookie{Name: "a", Path: "/\r"}, ErrInvalidPath},
}

func TestFormatSetCookie2Errors(t *testing.T) {
	for _, tt := range formatSetCookie2ErrorTests {
		got, err := FormatSetCookie2(&tt.c)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: FormatSetCookie2 = %q, %v; want error %v", tt.name, got, err, tt.want)
		}
	}
}

var parseLegacyCookieTests = []struct {
	name    string
	header  string
	want    []*Cookie
	wantErr bool
}{
	{"RFC 2965 example", `$Version="1"; Customer="WILE_E_COYOTE"; $Path="/acme"; Part_Number="Rocket_Launcher_0001"; $Path="/acme"`,
		[]*Cookie{{Name: "Customer", Value: "WILE_E_COYOTE", Version: 1, Path: "/acme"}, {Name: "Part_Number", Value: "Rocket_Launcher_0001", Version: 1, Path: "/acme"}}, false},
	{"all attributes", `$Version=1; a=b; $Path=/; $Domain=.example.com; $Port="80,443"`,
		[]*Cookie{{Name: "a", Value: "b", Version: 1, Path: "/", Domain: ".example.com", Port: []int{80, 443}, PortSet: true}}, false},
	{"bare $Port", `$Version=1; a=b; $Port`, []*Cookie{{Name: "a", Value: "b", Version: 1, PortSet: true}}, false},
	{"comma separator", `$Version=1, a=b, c=d; $Path=/x`, []*Cookie{{Name: "a", Value: "b", Version: 1}, {Name: "c", Value: "d", Version: 1, Path: "/x"}}, false},
	{"unknown $ ignored", `$Version=1; a=b; $Foo=bar`, []*Cookie{{Name: "a", Value: "b", Version: 1}}, false},
	{"first $Path wins", `$Version=1; a=b; $Path=/1; $Path=/2`, []*Cookie{{Name: "a", Value: "b", Version: 1, Path: "/1"}}, false},
	// RFC 2109-era clients put $Version=0 before Netscape cookies: they
	// are returned as Version 0 (RFC 6265-style) cookies, not refused.
	{"$Version=0", `$Version="0"; a=b; $Path="/"`, []*Cookie{{Name: "a", Value: "b", Path: "/"}}, false},
	{"no $Version", `a=b; $Path=/`, nil, true},
	{"bad $Version", `$Version=x; a=b`, nil, true},
	{"$Path first", `$Version=1; $Path=/; a=b`, []*Cookie{{Name: "a", Value: "b", Version: 1}}, true},
	{"no '='", `$Version=1; a; b=c`, []*Cookie{{Name: "b", Value: "c", Version: 1}}, true},
	{"empty name", `$Version=1; =x; b=c`, []*Cookie{{Name: "b", Value: "c", Version: 1}}, true},
	{"bad $Port", `$Version=1; a=b; $Port="x"`, []*Cookie{{Name: "a", Value: "b", Version: 1}}, true},
	// Junk after a closing quote drops that pair only (a cookie with its
	// attributes), not the rest of the header.
	{"junk after quote", `$Version=1; a="x"y; $Path=/; sid="s"; $Path="/"`, []*Cookie{{Name: "sid", Value: "s", Version: 1, Path: "/"}}, true},
	{"junk after $Path quote", `$Version=1; a=b; $Path="/"y; c=d`, []*Cookie{{Name: "a", Value: "b", Version: 1}, {Name: "c", Value: "d", Version: 1}}, true},
	{"unterminated quote ends", `$Version=1; a=b; c="d; e=f`, []*Cookie{{Name: "a", Value: "b", Version: 1}}, true},
	// CTLs (but HTAB) drop the pair: a cookie with its attributes, or the
	// attribute alone.
	{"CTL in a quoted cookie value", "$Version=1; a=\"x\x01\"; $Path=/; c=d", []*Cookie{{Name: "c", Value: "d", Version: 1}}, true},
	{"CTL in an unquoted cookie value", "$Version=1; a=x\x00; c=d", []*Cookie{{Name: "c", Value: "d", Version: 1}}, true},
	{"CR ending a cookie value", "$Version=1; a=x\r; c=d", []*Cookie{{Name: "c", Value: "d", Version: 1}}, true},
	{"LF starting a cookie name", "$Version=1; \na=x; c=d", []*Cookie{{Name: "c", Value: "d", Version: 1}}, true},
	{"CTL in $Path", "$Version=1; a=b; $Path=\"/\x1b\"; c=d", []*Cookie{{Name: "a", Value: "b", Version: 1}, {Name: "c", Value: "d", Version: 1}}, true},
}

func TestParseLegacyCookie(t *testing.T) {
	for _, tt := range parseLegacyCookieTests {
		got, err := ParseLegacyCookie(tt.header)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: ParseLegacyCookie(%q) error %v, want error %v", tt.name, tt.header, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %v does not wrap ErrSyntax", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseLegacyCookie(%q)\n got %s\nwant %s", tt.name, tt.header, dump(got), dump(tt.want))
		}
	}
}

var formatLegacyCookieTests = []struct {
	name string
	cs   []*Cookie
	want string
}{
	{"brief example", []*Cookie{{Name: "name", Value: "value", Version: 1, Path: "/", Domain: ".x", Port: []int{80}, PortSet: true}},
		`$Version="1"; name="value"; $Path="/"; $Domain=".x"; $Port="80"`},
	{"attributes only when present", []*Cookie{{Name: "a", Value: "1", Version: 1}, {Name: "b", Value: "2", Version: 1, PortSet: true}},
		`$Version="1"; a="1"; b="2"; $Port`},
	{"invalid left out", []*Cookie{{Name: "$a", Value: "1"}, {Name: "b", Value: "\x00"}, {Name: "c", Value: "3"}}, `$Version="1"; c="3"`},
	{"none", nil, `$Version="1"`},
}

func TestFormatLegacyCookie(t *testing.T) {
	for _, tt := range formatLegacyCookieTests {
		got := FormatLegacyCookie(tt.cs)
		if got != tt.want {
			t.Errorf("%s: FormatLegacyCookie = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSetCookie2ToLegacyCookie(t *testing.T) {
	// RFC 2965 section 3.3.4: the Cookie header returns what Set-Cookie2 set.
	cs, err := ParseSetCookie2(`Shipping="FedEx"; Version="1"; Path="/acme"; Domain=".acme.example"; Port="8080"`)
	if err != nil {
		t.Fatal(err)
	}
	got := FormatLegacyCookie(cs)
	want := `$Version="1"; Shipping="FedEx"; $Path="/acme"; $Domain=".acme.example"; $Port="8080"`
	if got != want {
		t.Errorf("FormatLegacyCookie = %q, want %q", got, want)
	}
	back, err := ParseLegacyCookie(got)
	if err != nil || !reflect.DeepEqual(back, cs) {
		t.Errorf("ParseLegacyCookie(%q) = %s, %v; want %s", got, dump(back), err, dump(cs))
	}
}

// TestRFC2965ErrorsHideValues: a $Version Cookie header carries session
// identifiers, and servers log parse errors; an error must say where the
// header is malformed without quoting a cookie value or the rest of the
// header (nor grow with it).
func TestRFC2965ErrorsHideValues(t *testing.T) {
	const secret = "s3cr3tS3ss10n"
	long := strings.Repeat("x", 10000)
	for _, tt := range []struct {
		name  string
		parse func(string) ([]*Cookie, error)
		in    string
	}{
		{"unterminated quote", ParseLegacyCookie, `$Version=1; sid="` + secret},
		{"junk after quote", ParseLegacyCookie, `$Version=1; sid="` + secret + `"junk; b="` + secret + `"`},
		{"bare value", ParseLegacyCookie, `$Version=1; ` + secret + `; b=c`},
		{"long bare value", ParseLegacyCookie, `$Version=1; ` + long + `; b=c`},
		{"long bad name", ParseLegacyCookie, `$Version=1; ` + long + ` x=1; b=c`},
		{"Set-Cookie2 unterminated quote", ParseSetCookie2, `sid="` + secret + `; Version=1`},
		{"Set-Cookie2 junk after quote", ParseSetCookie2, `sid="` + secret + `"junk; Version=1`},
		{"Set-Cookie2 bare value", ParseSetCookie2, secret + `; Version=1`},
	} {
		_, err := tt.parse(tt.in)
		if err == nil || !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %v, want an ErrSyntax error", tt.name, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, "junk") || len(msg) > 300 {
			t.Errorf("%s: error %.400q quotes the header", tt.name, msg)
		}
	}
}

// TestRFC2965VersionOverInt32: the parsers read Versions up to 2^31-1, so the
// writers must not write a larger one (ParseSetCookie2 would drop the cookie,
// ParseLegacyCookie the whole header).
func TestRFC2965VersionOverInt32(t *testing.T) {
	if strconv.IntSize == 32 {
		t.Skip("an int cannot exceed 2^31-1 on this platform")
	}
	limit := int64(maxInt32) // a variable: the constant 2^31 does not build on 32-bit
	big := int(limit + 1)
	if got, err := FormatSetCookie2(&Cookie{Name: "a", Version: big}); !errors.Is(err, ErrInvalidAttribute) {
		t.Errorf("FormatSetCookie2(Version %d) = %q, %v; want ErrInvalidAttribute", big, got, err)
	}
	if got, want := FormatLegacyCookie([]*Cookie{{Name: "a", Value: "1", Version: big}}), `$Version="1"; a="1"`; got != want {
		t.Errorf("FormatLegacyCookie(Version %d) = %q, want %q", big, got, want)
	}
}

// TestParseLegacyCookieOneErrorPerDroppedCookie: RFC 2965 section 3.3.4 binds
// $Path, $Domain and $Port to the cookie before them; when that cookie is
// dropped they go with it, and the error says why the cookie was dropped, not
// that its attributes had no cookie.
func TestParseLegacyCookieOneErrorPerDroppedCookie(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{`$Version=1; a b=1; $Path=/; $Domain=x; c=d`, "not a token"},
		{`$Version=1; bare; $Path=/; c=d`, "lacks '='"},
		{`$Version=1; a="x"y; $Port="80"; c=d`, "after a quoted-string"},
		{`$Version=1; $Path=/; c=d`, "without a cookie"},
		// A malformed attribute of a dropped cookie goes with it too.
		{`$Version=1; bare; $Path="/"x; c=d`, "lacks '='"},
		{"$Version=1; a b=1; $Domain=\"\x01\"; c=d", "not a token"},
	} {
		cs, err := ParseLegacyCookie(tt.header)
		if len(cs) != 1 || cs[0].Name != "c" || cs[0].Path != "" {
			t.Errorf("ParseLegacyCookie(%q) = %s, want only c without a Path", tt.header, dump(cs))
		}
		if err == nil || strings.Count(err.Error(), "\n")+1 != 1 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLegacyCookie(%q) error %q, want one error saying %q", tt.header, err, tt.want)
		}
	}
}

// TestParseLegacyCookieUnterminatedAttrOfDroppedCookie: an unterminated
// quoted-string ends the parse even in an attribute of a dropped cookie, so
// it keeps its error: the cookies after it are lost, and the dropped
// cookie's error alone would not say so.
func TestParseLegacyCookieUnterminatedAttrOfDroppedCookie(t *testing.T) {
	cs, err := ParseLegacyCookie(`$Version=1; bare; $Path="/; c=d`)
	if len(cs) != 0 {
		t.Errorf("cookies %s, want none (the quoted-string runs to the end)", dump(cs))
	}
	if err == nil || !strings.Contains(err.Error(), "lacks '='") || !strings.Contains(err.Error(), "unterminated") {
		t.Errorf("error %q, want the dropped cookie's and the unterminated quoted-string's", err)
	}
}

// TestRFC2965HostileHeaderErrors: a header of a megabyte can hold a malformed
// pair every two or three octets. The parsers keep the first maxErrors errors
// and count the rest, so the error (which servers log) and the memory spent
// on it stay bounded; names in errors are clipped.
func TestRFC2965HostileHeaderErrors(t *testing.T) {
	const mib = 1 << 20
	longName := strings.Repeat("n", mib)
	for _, tt := range []struct {
		name    string
		parse   func(string) ([]*Cookie, error)
		in      string
		dropped int // errors the input holds
	}{
		{"Set-Cookie2 bare words", ParseSetCookie2, strings.Repeat("x,", mib/2), mib / 2},
		{"Set-Cookie2 text after quotes", ParseSetCookie2, strings.Repeat(`a=""x,`, mib/6), mib / 6},
		{"Set-Cookie2 no Version", ParseSetCookie2, strings.Repeat("a=b,", mib/4), mib / 4},
		{"Set-Cookie2 long name without Version", ParseSetCookie2, longName + "=1", 1},
		{"Set-Cookie2 long name, bad Max-Age", ParseSetCookie2, longName + "=1; Version=1; Max-Age=x", 1},
		{"legacy bare words", ParseLegacyCookie, "$Version=1" + strings.Repeat(";x", mib/2), mib / 2},
		{"legacy $Path without a cookie", ParseLegacyCookie, "$Version=1" + strings.Repeat(";$Path=/", mib/8), mib / 8},
		{"legacy text after quotes", ParseLegacyCookie, "$Version=1" + strings.Repeat(`;a=""x`, mib/6), mib / 6},
		{"legacy long name, bad $Port", ParseLegacyCookie, "$Version=1; " + longName + `=1; $Port="x"`, 1},
	} {
		_, err := tt.parse(tt.in)
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %.200v, want ErrSyntax", tt.name, err)
			continue
		}
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			t.Errorf("%s: error %T is not a joined error", tt.name, err)
			continue
		}
		n := len(joined.Unwrap())
		wantN := min(tt.dropped, maxErrors)
		if tt.dropped > maxErrors {
			wantN++ // the count of the others
		}
		if n != wantN {
			t.Errorf("%s: %d errors, want %d", tt.name, n, wantN)
		}
		if tt.dropped > maxErrors {
			if want := fmt.Sprintf("%d more errors", tt.dropped-maxErrors); !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error does not say %q: %.300s", tt.name, want, err)
			}
		}
		if msg := err.Error(); len(msg) > 16*150 {
			t.Errorf("%s: error of %d octets: %.300s", tt.name, len(msg), msg)
		}
	}
	// Errors beyond the first maxErrors are counted, not built: the parse
	// of a megabyte of bad pairs allocates a bounded amount.
	in := "$Version=1" + strings.Repeat(";x", mib/2)
	if a := testing.AllocsPerRun(2, func() { _, _ = ParseLegacyCookie(in) }); a > 200 {
		t.Errorf("ParseLegacyCookie of %d bad pairs: %v allocations", mib/2, a)
	}
	in = strings.Repeat(`a=""x,`, mib/6)
	if a := testing.AllocsPerRun(2, func() { _, _ = ParseSetCookie2(in) }); a > 200 {
		t.Errorf("ParseSetCookie2 of %d bad pairs: %v allocations", mib/6, a)
	}
}
