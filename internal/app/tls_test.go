package app

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestHTTPSCookie: over HTTPS the session cookie is "__Host-sid" with Secure,
// HttpOnly, SameSite=Lax and Path=/ (no Domain), and login works with it.
func TestHTTPSCookie(t *testing.T) {
	a, err := New(&Options{Store: storeFactories[0].open(t), SampleInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Config.RegisterOnShutdown(a.Shutdown)
	srv.StartTLS()
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("App.Close: %v", err)
		}
	})
	c := newClient(t, srv.URL)
	c.hc.Transport = srv.Client().Transport
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.hc.Jar = jar

	r := c.get("/")
	var sid *http.Cookie
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == "sid" {
			t.Errorf("over HTTPS the app set a plain %q cookie", ck.Name)
		}
		if ck.Name == "__Host-sid" {
			sid = ck
		}
	}
	if sid == nil {
		t.Fatalf("GET / over HTTPS set no __Host-sid cookie; Set-Cookie: %q", r.header.Values("Set-Cookie"))
	}
	if !sid.Secure || !sid.HttpOnly || sid.SameSite != http.SameSiteLaxMode || sid.Path != "/" || sid.Domain != "" {
		t.Errorf("__Host-sid: Secure %v HttpOnly %v SameSite %v Path %q Domain %q; want true, true, Lax, /, none",
			sid.Secure, sid.HttpOnly, sid.SameSite, sid.Path, sid.Domain)
	}

	c.mustLogin("alice", "alice")
	if body := c.get("/").body; !strings.Contains(body, `id="user">alice<`) {
		t.Errorf("after login over HTTPS the home page does not name alice")
	}
	u, _ := url.Parse(srv.URL)
	var after string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "__Host-sid" {
			after = ck.Value
		}
	}
	if after == "" || after == sid.Value {
		t.Errorf("__Host-sid after login = %q, want a new ID (before %q)", after, sid.Value)
	}
}
