package cookie_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/cookie"
)

// TestMaxCookiesPerHeader: one header yields at most MaxCookiesPerHeader
// cookies. A megabyte of "a=b;" is 262,144 well-formed pairs: without a
// cap each one costs a Pair (or a *Cookie of about 200 bytes), dozens of
// times the header's own size, for a header no user agent sends (RFC
// 6265bis section 6.1 asks user agents for 50 cookies per domain and 3000
// in all). The RFC 2965 parsers say what they left unread; ParseCookie,
// which never fails, keeps the first ones.
func TestMaxCookiesPerHeader(t *testing.T) {
	const n = 1 << 18 // 262,144 pairs, 1 MiB
	flood := strings.Repeat("a=b;", n)

	pairs := cookie.ParseCookie(flood)
	if len(pairs) != cookie.MaxCookiesPerHeader {
		t.Errorf("ParseCookie of %d pairs returned %d, want %d", n, len(pairs), cookie.MaxCookiesPerHeader)
	}
	// Up to the cap, every pair is returned.
	exact := strings.Repeat("a=b; ", cookie.MaxCookiesPerHeader)
	if got := len(cookie.ParseCookie(exact)); got != cookie.MaxCookiesPerHeader {
		t.Errorf("ParseCookie of %d pairs returned %d", cookie.MaxCookiesPerHeader, got)
	}

	legacy, err := cookie.ParseLegacyCookie("$Version=1;" + flood)
	if len(legacy) != cookie.MaxCookiesPerHeader || !errors.Is(err, cookie.ErrSyntax) || !strings.Contains(fmtErr(err), "more than 3000 cookies") {
		t.Errorf("ParseLegacyCookie of %d cookies = %d cookies, %v; want %d and an error saying the rest was not read", n, len(legacy), clipErr(err), cookie.MaxCookiesPerHeader)
	}
	if got, err := cookie.ParseLegacyCookie("$Version=1;" + exact); len(got) != cookie.MaxCookiesPerHeader || err != nil {
		t.Errorf("ParseLegacyCookie of %d cookies = %d, %v", cookie.MaxCookiesPerHeader, len(got), err)
	}

	sc2 := strings.Repeat("a=b; Version=1,", n/4)
	set2, err := cookie.ParseSetCookie2(sc2)
	if len(set2) != cookie.MaxCookiesPerHeader || !errors.Is(err, cookie.ErrSyntax) || !strings.Contains(fmtErr(err), "more than 3000 cookies") {
		t.Errorf("ParseSetCookie2 of %d cookies = %d cookies, %v; want %d and an error", n/4, len(set2), clipErr(err), cookie.MaxCookiesPerHeader)
	}
	exact2 := strings.Repeat("a=b; Version=1,", cookie.MaxCookiesPerHeader)
	if got, err := cookie.ParseSetCookie2(exact2); len(got) != cookie.MaxCookiesPerHeader || err != nil {
		t.Errorf("ParseSetCookie2 of %d cookies = %d, %v", cookie.MaxCookiesPerHeader, len(got), err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func clipErr(err error) string {
	s := fmtErr(err)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
