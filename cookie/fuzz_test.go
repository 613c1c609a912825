package cookie

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// addSetCookieSeeds seeds f with the http-state parser.json "received"
// strings, our table lines and every date vector as an Expires attribute.
func addSetCookieSeeds(f *testing.F) {
	for _, l := range loadParserLines(f) {
		f.Add(l)
	}
	for _, tt := range parseSetCookieTests {
		f.Add(tt.line)
	}
	for _, file := range dateVectorFiles {
		for _, v := range loadDateVectors(f, file.name) {
			f.Add("a=b; Expires=" + v.Test)
		}
	}
}

func FuzzParseSetCookie(f *testing.F) {
	addSetCookieSeeds(f)
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseSetCookie(line)
		if err != nil {
			if c != nil || !errors.Is(err, ErrIgnored) {
				t.Fatalf("ParseSetCookie(%q) = %v, %v; want nil and an ErrIgnored error", line, c, err)
			}
			return
		}
		if n := len(c.Name) + len(c.Value); n > MaxNameValueLength {
			t.Fatalf("ParseSetCookie(%q) kept %d octets of name and value", line, n)
		}
		if c.Name == "" && c.Value == "" {
			t.Fatalf("ParseSetCookie(%q) kept an empty cookie", line)
		}
		if c.Path != "" && c.Path[0] != '/' {
			t.Fatalf("ParseSetCookie(%q) kept Path %q", line, c.Path)
		}
		if c.Domain != strings.ToLower(c.Domain) {
			t.Fatalf("ParseSetCookie(%q) kept Domain %q not lower-cased", line, c.Domain)
		}
		// Round trip: whatever we can write, we read back the same.
		out, err := FormatSetCookie(c)
		if err != nil {
			return
		}
		back, err := ParseSetCookie(out)
		if err != nil {
			t.Fatalf("ParseSetCookie(FormatSetCookie) of %q: %q: %v", line, out, err)
		}
		if !sameSetCookie(back, c) {
			t.Fatalf("round trip of %q via %q:\n got %+v\nwant %+v", line, out, *back, *c)
		}
		// Differential check against net/http on the canonical line we
		// wrote: the common fields must agree. (net/http drops an attribute
		// value holding a DQUOTE or a backslash, which the Path grammar
		// allows: a listed difference, see netHTTPDifferences.)
		if strings.ContainsAny(c.Path, `"\`) {
			return
		}
		ref, err := http.ParseSetCookie(out)
		if err != nil {
			t.Fatalf("net/http rejects our canonical line %q: %v", out, err)
		}
		if got, want := fromCookie(back), fromNetHTTP(ref); got != want {
			t.Fatalf("canonical line %q:\n ours     %+v\n net/http %+v", out, got, want)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, file := range dateVectorFiles {
		for _, v := range loadDateVectors(f, file.name) {
			f.Add(v.Test)
		}
	}
	for _, tt := range parseDateTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("ParseDate(%q) error %v does not wrap ErrInvalidDate", s, err)
			}
			return
		}
		if y := d.Year(); y < 1601 || y > 9999 {
			t.Fatalf("ParseDate(%q) = year %d", s, y)
		}
		out := d.Format(imfFixdate)
		back, err := ParseDate(out)
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v; ParseDate(%q) = %v, %v", s, d, out, back, err)
		}
	})
}

func FuzzParseCookie(f *testing.F) {
	for _, tt := range parseCookieTests {
		f.Add(tt.header)
	}
	for _, l := range loadParserLines(f) {
		f.Add(l)
	}
	for _, h := range loadExpectedCookieHeaders(f) {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		pairs := ParseCookie(header)
		for _, p := range pairs {
			if !validPair(p) {
				t.Fatalf("ParseCookie(%q) returned invalid pair %+v", header, p)
			}
		}
		out := FormatCookie(pairs)
		back := ParseCookie(out)
		if !reflect.DeepEqual(back, pairs) {
			t.Fatalf("ParseCookie(%q) = %+v; via %q got %+v", header, pairs, out, back)
		}
	})
}

func FuzzParseSetCookie2(f *testing.F) {
	for _, tt := range parseSetCookie2Tests {
		f.Add(tt.line)
	}
	// The http-state Set-Cookie lines, as they are and with a Version.
	for _, l := range loadParserLines(f) {
		f.Add(l)
		f.Add(l + "; Version=1")
	}
	f.Fuzz(func(t *testing.T, line string) {
		cs, err := ParseSetCookie2(line)
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Fatalf("ParseSetCookie2(%q) error %v does not wrap ErrSyntax", line, err)
		}
		if len(cs) == 0 {
			return
		}
		parts := make([]string, 0, len(cs))
		for _, c := range cs {
			if c.Version < 1 {
				t.Fatalf("ParseSetCookie2(%q) returned Version %d", line, c.Version)
			}
			// The parser returns no CTL, no bad name, port, Max-Age or
			// Version: whatever it reads can be written.
			s, err := FormatSetCookie2(c)
			if err != nil {
				t.Fatalf("ParseSetCookie2(%q) returned %+v, which FormatSetCookie2 refuses: %v", line, *c, err)
			}
			parts = append(parts, s)
		}
		out := strings.Join(parts, ", ")
		back, err := ParseSetCookie2(out)
		if err != nil || !reflect.DeepEqual(back, cs) {
			t.Fatalf("ParseSetCookie2(%q) = %s; via %q got %s, %v", line, dump(cs), out, dump(back), err)
		}
	})
}

func FuzzParseLegacyCookie(f *testing.F) {
	for _, tt := range parseLegacyCookieTests {
		f.Add(tt.header)
	}
	// The http-state Set-Cookie lines after a $Version, for their quoting,
	// commas and odd attributes.
	for _, l := range loadParserLines(f) {
		f.Add(`$Version="1"; ` + l)
	}
	for _, h := range loadExpectedCookieHeaders(f) {
		f.Add(`$Version="1"; ` + h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		cs, err := ParseLegacyCookie(header)
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Fatalf("ParseLegacyCookie(%q) error %v does not wrap ErrSyntax", header, err)
		}
		if len(cs) == 0 {
			return
		}
		var scratch strings.Builder
		for _, c := range cs {
			if !writeLegacyCookie(&scratch, c) {
				t.Fatalf("ParseLegacyCookie(%q) returned %+v, which FormatLegacyCookie leaves out", header, *c)
			}
		}
		out := FormatLegacyCookie(cs)
		back, err := ParseLegacyCookie(out)
		// FormatLegacyCookie writes a $Version below 1 as 1.
		want := make([]*Cookie, len(cs))
		for i, c := range cs {
			cc := *c
			cc.Version = max(cc.Version, 1)
			want[i] = &cc
		}
		if err != nil || !reflect.DeepEqual(back, want) {
			t.Fatalf("ParseLegacyCookie(%q) = %s; via %q got %s, %v", header, dump(cs), out, dump(back), err)
		}
	})
}

// Flag bits of FuzzFormatSetCookie's flags argument.
const (
	fuzzExpires = 1 << iota
	fuzzMaxAge
	fuzzSecure
	fuzzHttpOnly
	fuzzPartitioned
)

// addFormatSeed adds c as a FuzzFormatSetCookie input.
func addFormatSeed(f *testing.F, c *Cookie) {
	var flags uint8
	var expires int64
	if !c.Expires.IsZero() {
		flags |= fuzzExpires
		expires = c.Expires.Unix()
	}
	for bit, on := range map[uint8]bool{fuzzMaxAge: c.HasMaxAge, fuzzSecure: c.Secure, fuzzHttpOnly: c.HttpOnly, fuzzPartitioned: c.Partitioned} {
		if on {
			flags |= bit
		}
	}
	f.Add(c.Name, c.Value, c.Domain, c.Path, expires, c.MaxAge, flags, int8(c.SameSite))
}

// FuzzFormatSetCookie is the writer's round trip (RFC 6265bis section 4.1.1
// against section 5.6) over arbitrary cookies: whatever FormatSetCookie
// accepts, ParseSetCookie reads back to the same cookie (up to the
// normalisations FormatSetCookie documents) and net/http reads the same
// common fields. Seeds: our tables and every cookie parsed from the
// http-state parser.json vectors.
func FuzzFormatSetCookie(f *testing.F) {
	for _, tt := range formatSetCookieTests {
		addFormatSeed(f, &tt.c)
	}
	for _, tt := range formatSetCookieErrorTests {
		addFormatSeed(f, &tt.c)
	}
	for _, l := range loadParserLines(f) {
		if c, err := ParseSetCookie(l); err == nil {
			addFormatSeed(f, c)
		}
	}
	f.Fuzz(func(t *testing.T, name, value, domain, path string, expires, maxAge int64, flags uint8, sameSite int8) {
		c := &Cookie{
			Name: name, Value: value, Domain: domain, Path: path,
			MaxAge: maxAge, HasMaxAge: flags&fuzzMaxAge != 0,
			Secure: flags&fuzzSecure != 0, HttpOnly: flags&fuzzHttpOnly != 0,
			Partitioned: flags&fuzzPartitioned != 0, SameSite: SameSite(sameSite),
		}
		if flags&fuzzExpires != 0 {
			c.Expires = time.Unix(expires, int64(flags)*1e6).In(time.FixedZone("X", int(sameSite)*900))
		}
		out, err := FormatSetCookie(c)
		if err != nil {
			if out != "" {
				t.Fatalf("FormatSetCookie(%+v) = %q with error %v", *c, out, err)
			}
			for _, sentinel := range []error{ErrInvalidName, ErrInvalidValue, ErrNameValueTooLong, ErrInvalidDomain, ErrInvalidPath, ErrInvalidExpires, ErrInvalidAttribute, ErrPrefix, ErrInsecureSameSiteNone, ErrInsecurePartitioned} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("FormatSetCookie(%+v) error %v wraps no writer sentinel", *c, err)
		}
		back, err := ParseSetCookie(out)
		if err != nil {
			t.Fatalf("FormatSetCookie(%+v) = %q, which ParseSetCookie ignores: %v", *c, out, err)
		}
		want := *c
		want.Domain = strings.ToLower(want.Domain)
		if !want.HasMaxAge {
			want.MaxAge = 0 // meaningful only with HasMaxAge; not written
		}
		if !sameSetCookie(back, &want) {
			t.Fatalf("round trip via %q:\n got %+v\nwant %+v", out, *back, want)
		}
		if strings.ContainsAny(c.Path, `"\`) {
			return // net/http drops such a Path: see netHTTPDifferences
		}
		ref, err := http.ParseSetCookie(out)
		if err != nil {
			t.Fatalf("net/http rejects %q: %v", out, err)
		}
		if got, want := fromCookie(back), fromNetHTTP(ref); got != want {
			t.Fatalf("%q:\n ours     %+v\n net/http %+v", out, got, want)
		}
	})
}
