package cookie_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

func ExampleParseSetCookie() {
	c, err := cookie.ParseSetCookie("id=a3fWa; Max-Age=2592000; Domain=.Example.COM; Path=/; Secure; HttpOnly; SameSite=Lax")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Value, c.Domain, c.Path, c.Secure, c.HttpOnly, c.SameSite == cookie.SameSiteLax)

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	expiry, persistent := c.ExpiryTime(now)
	fmt.Println(expiry, persistent)

	// A line a user agent must ignore comes back as an error.
	_, err = cookie.ParseSetCookie("a=b\x00c")
	fmt.Println(errors.Is(err, cookie.ErrIgnored), errors.Is(err, cookie.ErrControlCharacter))
	// Output:
	// id a3fWa example.com / true true true
	// 2026-01-31 00:00:00 +0000 UTC true
	// true true
}

func ExampleFormatSetCookie() {
	line, err := cookie.FormatSetCookie(&cookie.Cookie{
		Name:     "__Host-session",
		Value:    "8f2c1e",
		Path:     "/",
		Secure:   true,
		HttpOnly: true,
		SameSite: cookie.SameSiteStrict,
		Expires:  time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	fmt.Println(line, err)

	// A __Host- cookie with a Domain is refused.
	_, err = cookie.FormatSetCookie(&cookie.Cookie{Name: "__Host-x", Value: "1", Secure: true, Path: "/", Domain: "example.com"})
	fmt.Println(errors.Is(err, cookie.ErrPrefix))
	// Output:
	// __Host-session=8f2c1e; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; HttpOnly; SameSite=Strict <nil>
	// true
}

func ExampleParseCookie() {
	for _, p := range cookie.ParseCookie(`theme=dark; id="42"; bad value=x; lang=en; theme=light`) {
		fmt.Printf("%s=%s quoted=%v\n", p.Name, p.Value, p.Quoted)
	}
	// Output:
	// theme=dark quoted=false
	// id=42 quoted=true
	// lang=en quoted=false
	// theme=light quoted=false
}

func ExampleParseDate() {
	for _, s := range []string{
		"Wed, 09 Jun 2021 10:18:14 GMT", // IMF-fixdate
		"Wednesday, 09-Jun-21 10:18:14", // RFC 850, two-digit year
		"Wed Jun  9 10:18:14 2021",      // asctime
		"Wed, 09 Jun 1600 10:18:14 GMT", // before 1601
	} {
		t, err := cookie.ParseDate(s)
		fmt.Println(t, err != nil)
	}
	// Output:
	// 2021-06-09 10:18:14 +0000 UTC false
	// 2021-06-09 10:18:14 +0000 UTC false
	// 2021-06-09 10:18:14 +0000 UTC false
	// 0001-01-01 00:00:00 +0000 UTC true
}
