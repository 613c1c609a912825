package jar_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/httpstate/httpstate/jar"
)

// An http.Client with a Jar keeps cookies between requests like a browser.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/", HttpOnly: true})
			fmt.Fprint(w, "welcome")
			return
		}
		c, err := r.Cookie("sid")
		if err != nil {
			fmt.Fprint(w, "anonymous")
			return
		}
		fmt.Fprint(w, "session ", c.Value)
	}))
	defer srv.Close()

	j, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Jar: j}
	for _, p := range []string{"/", "/login", "/"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			log.Fatal(err)
		}
		var body [64]byte
		n, _ := resp.Body.Read(body[:])
		resp.Body.Close()
		fmt.Printf("%s: %s\n", p, body[:n])
	}
	// Output:
	// /: anonymous
	// /login: welcome
	// /: session abc
}

// SetCookieLines and CookieHeader work on the raw header values, so
// nothing is lost to net/http's cookie sanitising: here a nameless cookie
// and a quoted value.
func ExampleJar_CookieHeader() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", `pref="a b"; Path=/`)
		w.Header().Add("Set-Cookie", "flag")
		w.Header().Add("Set-Cookie", "deep=1; Path=/docs")
		fmt.Fprint(w, r.Header.Get("Cookie"))
	}))
	defer srv.Close()

	j, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(srv.URL + "/docs/intro")
	resp, err := http.Get(u.String())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	j.SetCookieLines(u, resp.Header.Values("Set-Cookie"))
	fmt.Println(j.CookieHeader(u))
	// Output: flag; deep=1; pref="a b"
}

// CookieHeaderFor applies SameSite: a cross-site subresource request gets
// only SameSite=None cookies, a cross-site top-level GET also gets Lax ones.
func ExampleJar_CookieHeaderFor() {
	j, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	site, _ := url.Parse("https://shop.example/")
	j.SetCookieLines(site, []string{
		"strict=1; SameSite=Strict; Secure",
		"lax=2; SameSite=Lax; Secure",
		"none=3; SameSite=None; Secure",
	})
	other, _ := url.Parse("https://blog.example/")
	fmt.Println(j.CookieHeaderFor(jar.Request{URL: site, HTTP: true}))
	fmt.Println(j.CookieHeaderFor(jar.Request{URL: site, SiteForCookies: other, HTTP: true}))
	fmt.Println(j.CookieHeaderFor(jar.Request{URL: site, SiteForCookies: other, HTTP: true, TopLevelNavigation: true, Method: "GET"}))
	// Output:
	// strict=1; lax=2; none=3
	// none=3
	// lax=2; none=3
}
