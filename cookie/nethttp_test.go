package cookie

import (
	"net/http"
	"strings"
	"testing"
)

// commonFields are the fields both parsers produce, normalised to net/http's
// conventions: Value without surrounding DQUOTEs, Domain without a leading
// dot and lower-cased, MaxAge 0 for absent and -1 for "delete now".
type commonFields struct {
	Name, Value, Path, Domain string
	Secure, HttpOnly          bool
	MaxAge                    int
}

func fromNetHTTP(c *http.Cookie) commonFields {
	return commonFields{
		Name: c.Name, Value: c.Value, Path: c.Path,
		Domain: strings.ToLower(strings.TrimPrefix(c.Domain, ".")),
		Secure: c.Secure, HttpOnly: c.HttpOnly, MaxAge: c.MaxAge,
	}
}

func fromCookie(c *Cookie) commonFields {
	f := commonFields{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, Secure: c.Secure, HttpOnly: c.HttpOnly}
	if len(f.Value) >= 2 && f.Value[0] == '"' && f.Value[len(f.Value)-1] == '"' {
		f.Value = f.Value[1 : len(f.Value)-1]
	}
	switch {
	case !c.HasMaxAge:
	case c.MaxAge <= 0:
		f.MaxAge = -1
	default:
		f.MaxAge = int(c.MaxAge)
	}
	return f
}

// netHTTPDifferences lists the lines net/http's ParseSetCookie accepts where
// we deliberately give a different result, with the reason. The test fails
// if a line listed here stops differing, so the list stays true.
var netHTTPDifferences = map[string]string{
	// RFC 6265bis section 5.6 step 5 (attribute loop) trims WSP around the
	// attribute name and value; net/http does not trim the name ("Path    "
	// is then unknown) and keeps leading spaces of the value.
	"foo=bar; Secure =aaaaa":                  wspAttr,
	"foo=bar; Path    =/qux":                  wspAttr,
	"foo=bar; Path=    /qux":                  wspAttr,
	"ABC=;  path = /":                         wspAttr,
	"foo=bar; domain=  .home.example.org":     wspAttr,
	"foo=bar; domain=  .  home.example.org":   wspAttr,
	"foo=bar; path= /":                        wspAttr,
	"a=b; \tpath\t=\t/cookie-parser-result\t": wspAttr,
	"x=y; \tpath\t=\t/book\t":                 wspAttr,
	"a=b ;  Path \t=\t /x \t;Secure  ":        wspAttr,
	// Section 5.6 step 4 trims WSP around the cookie value too.
	"  A  = BC  ;foo;;;   bar": wspValue,
	"foo=  bar":                wspValue,
	// Section 5.6 step 7 / 5.6.3, 5.6.4: attribute values are taken as they
	// are; net/http drops an attribute whose value has a DQUOTE or '\'.
	`foo=bar; domain="home.example.org"`: verbatimAttr,
	`a=b; Path=/a b"c`:                   verbatimAttr,
	`a=b; Path=/a\b`:                     verbatimAttr,
	// Section 5.6.2 steps 2-3: a leading '-' or DIGIT then DIGITs only.
	// net/http refuses leading zeros, accepts '+', ignores overflow.
	"a=b; Max-Age=007":                      maxAgeForm,
	"a=b; Max-Age=+5":                       maxAgeForm,
	"a=b; Max-Age=99999999999999999999999":  maxAgeForm,
	"a=b; Max-Age=9223372036854775808":      maxAgeForm,
	"a=b; Max-Age=-99999999999999999999999": maxAgeForm,
	// Section 5.6.4: a Path not beginning with '/' means the default-path.
	"a=b; Path=a/b":        pathSlash,
	"a=b; Path=/x; Path=y": pathSlash,
	// Section 5.6 step 1: a CTL anywhere ignores the whole line; net/http
	// puts the bad attribute in Unparsed and keeps the cookie.
	"a=b; x=\x01": "RFC 6265bis 5.6 step 1: a CTL anywhere ignores the line",
	// Section 5.6 step 6: attribute values over 1024 octets are ignored.
	"a=b; Path=/" + strings.Repeat("p", 1100):                attrLimit,
	"a=b; Path=/x; Path=/" + strings.Repeat("p", 1024):       attrLimit,
	"a=b; Domain=x.com; Domain=" + strings.Repeat("d", 1025): attrLimit,
}

// Reasons for netHTTPDifferences.
const (
	wspAttr      = "RFC 6265bis 5.6: WSP around attribute names and values is removed"
	wspValue     = "RFC 6265bis 5.6 step 4: WSP around the cookie value is removed"
	verbatimAttr = "RFC 6265bis 5.6.3/5.6.4: attribute values are kept verbatim, not dropped for a DQUOTE or backslash"
	maxAgeForm   = "RFC 6265bis 5.6.2: DIGITs with an optional leading '-'; leading zeros fine, '+' not; overflow saturates"
	pathSlash    = "RFC 6265bis 5.6.4: a Path not beginning with '/' means the default-path"
	attrLimit    = "RFC 6265bis 5.6 step 6: attribute values over 1024 octets are ignored"
)

// netHTTPExtraLines are lines, beyond parser.json and our tables, that show
// the differences.
var netHTTPExtraLines = []string{
	"a=b; Max-Age=007",
	`a=b; Path=/a\b`,
	"a=b; Path=a/b",
	"a=b; Path=/a b",
	"a=b; Domain=exa mple.com",
	"a=b; x=\x01",
	"a=b; Domain=..example.com",
	"a=b; Path=/" + strings.Repeat("p", 1100),
}

func TestCompareNetHTTP(t *testing.T) {
	lines := append(loadParserLines(t), netHTTPExtraLines...)
	for _, tt := range parseSetCookieTests {
		lines = append(lines, tt.line)
	}
	compared, differ := 0, 0
	for _, line := range lines {
		theirs, err := http.ParseSetCookie(line)
		if err != nil {
			continue // net/http rejects it; nothing to compare
		}
		compared++
		ours, err := ParseSetCookie(line)
		var got string
		if err != nil {
			got = "ignored: " + err.Error()
		} else if fromCookie(ours) != fromNetHTTP(theirs) {
			got = "differs"
		}
		reason, listed := netHTTPDifferences[line]
		switch {
		case got != "" && !listed:
			t.Errorf("ParseSetCookie(%.80q) %s from net/http:\n ours %+v\n net/http %+v", line, got, ptrFields(ours), fromNetHTTP(theirs))
		case got == "" && listed:
			t.Errorf("ParseSetCookie(%.80q) now agrees with net/http; drop it from netHTTPDifferences (%s)", line, reason)
		case got != "":
			differ++
		}
	}
	t.Logf("compared %d lines net/http accepts; %d deliberate differences", compared, differ)
}

func ptrFields(c *Cookie) any {
	if c == nil {
		return nil
	}
	return fromCookie(c)
}
