package jar

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// tNow is the fixed clock of the jar's tests.
var tNow = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// storageTests exercise each rule of the storage model, RFC 6265bis
// section 5.7, one Set-Cookie line at a time.
var storageTests = []struct {
	name    string
	url     string
	line    string
	req     func(*Request) // adjusts the plain same-site top-level GET
	wantErr error
	// want checks the stored entry when wantErr is nil.
	domain   string
	hostOnly bool
	path     string
}{
	{name: "host-only", url: "http://www.example.com/a/b", line: "a=1", domain: "www.example.com", hostOnly: true, path: "/a"},
	{name: "domain cookie", url: "http://www.example.com/", line: "a=1; Domain=example.com", domain: "example.com", path: "/"},
	{name: "domain leading dot", url: "http://www.example.com/", line: "a=1; Domain=.EXAMPLE.com", domain: "example.com", path: "/"},
	{name: "domain equal host", url: "http://www.example.com/", line: "a=1; Domain=www.example.com", domain: "www.example.com", path: "/"},
	{name: "domain mismatch (5.7 step 10)", url: "http://www.example.com/", line: "a=1; Domain=other.com", wantErr: errDomainMismatch},
	{name: "domain sibling", url: "http://www.example.com/", line: "a=1; Domain=mail.example.com", wantErr: errDomainMismatch},
	{name: "public suffix (5.7 step 9)", url: "http://www.example.com/", line: "a=1; Domain=com", wantErr: errPublicSuffix},
	{name: "public suffix co.uk", url: "http://www.example.co.uk/", line: "a=1; Domain=co.uk", wantErr: errPublicSuffix},
	{name: "public suffix equal to host is host-only", url: "http://github.io/", line: "a=1; Domain=github.io", domain: "github.io", hostOnly: true, path: "/"},
	{name: "private suffix", url: "http://foo.github.io/", line: "a=1; Domain=github.io", wantErr: errPublicSuffix},
	// A fully qualified host (trailing dot) names the same site; its
	// public suffix "com." is still one (5.7 step 9), or a cookie for
	// "com." would go to every "*.com." host.
	{name: "public suffix with trailing dot (5.7 step 9)", url: "http://www.example.com./", line: "a=1; Domain=com.", wantErr: errPublicSuffix},
	{name: "public suffix co.uk. with trailing dot", url: "http://www.example.co.uk./", line: "a=1; Domain=co.uk.", wantErr: errPublicSuffix},
	{name: "private suffix with trailing dot", url: "http://foo.github.io./", line: "a=1; Domain=github.io.", wantErr: errPublicSuffix},
	{name: "public suffix with trailing dot equal to host", url: "http://github.io./", line: "a=1; Domain=github.io.", domain: "github.io.", hostOnly: true, path: "/"},
	{name: "registrable domain with trailing dot", url: "http://www.example.com./", line: "a=1; Domain=example.com.", domain: "example.com.", path: "/"},
	{name: "host with an empty first label", url: "http://.example.com/", line: "a=1", wantErr: errNoHost},
	{name: "IP host", url: "http://192.0.2.1/", line: "a=1; Domain=192.0.2.1", domain: "192.0.2.1", hostOnly: true, path: "/"},
	{name: "IP host other domain", url: "http://192.0.2.1/", line: "a=1; Domain=2.1", wantErr: errDomainMismatch},
	// A URL parser (WHATWG URL, "ends in a number") reads a host whose
	// last label is numeric as IPv4, so "192.0.2.1." is 192.0.2.1, and an
	// IP host gets no domain cookies (5.1.3).
	{name: "IP host with a trailing dot (5.1.2)", url: "http://192.0.2.1./", line: "a=1", domain: "192.0.2.1", hostOnly: true, path: "/"},
	{name: "IP host with a trailing dot, Domain of its suffix (5.1.3)", url: "http://192.0.2.1./", line: "a=1; Domain=2.1.", wantErr: errDomainMismatch},
	{name: "loopback IP with a trailing dot is a secure origin", url: "http://127.0.0.1./", line: "a=1; Secure", domain: "127.0.0.1", hostOnly: true, path: "/"},
	// The same rule reads the other IPv4 forms of a URL host: "10.0.1" is
	// 10.0.0.1 and 0x7f.1 is 127.0.0.1, and a name that ends in a number
	// but is no IPv4 address is no host at all.
	{name: "IPv4 host with three parts (5.1.2)", url: "http://10.0.1/", line: "a=1", domain: "10.0.0.1", hostOnly: true, path: "/"},
	{name: "IPv4 host with three parts, Domain of its suffix (5.1.3)", url: "http://10.0.1/", line: "a=1; Domain=0.1", wantErr: errDomainMismatch},
	{name: "hexadecimal loopback is a secure origin", url: "http://0x7f.1/", line: "a=1; Secure", domain: "127.0.0.1", hostOnly: true, path: "/"},
	{name: "octal and 32-bit IPv4 parts", url: "http://0300.0250.513/", line: "a=1", domain: "192.168.2.1", hostOnly: true, path: "/"},
	{name: "name ending in a number is no host", url: "http://example.123/", line: "a=1", wantErr: errNoHost},
	{name: "huge hexadecimal last label is no host", url: "http://a.0x1234567890ab/", line: "a=1", wantErr: errNoHost},
	{name: "32-bit IPv4 number", url: "http://3221225985/", line: "a=1", domain: "192.0.2.1", hostOnly: true, path: "/"},
	{name: "IPv4 part out of range is no host", url: "http://256.1.1.1/", line: "a=1", wantErr: errNoHost},
	{name: "numeric label inside a name is fine", url: "http://a.1.example/", line: "a=1", domain: "a.1.example", hostOnly: true, path: "/"},
	{name: "IPv6 host", url: "http://[2001:db8::1]:8080/x/y", line: "a=1", domain: "2001:db8::1", hostOnly: true, path: "/x"},
	{name: "port ignored", url: "http://www.example.com:8080/", line: "a=1", domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "IDN host", url: "http://bücher.example/", line: "a=1", domain: "xn--bcher-kva.example", hostOnly: true, path: "/"},
	// RFC 6265bis section 5.1.2 step 4: a host with a Fake A-label (an
	// "xn--" label that is not a valid A-label) fails to canonicalize, as
	// a browser's URL parser fails on it, so no cookie is stored for it,
	// and no Domain attribute naming one can domain-match a host.
	{name: "A-label host (5.1.2 step 4)", url: "http://www.xn--bcher-kva.example/", line: "a=1; Domain=XN--BCHER-KVA.example", domain: "xn--bcher-kva.example", path: "/"},
	{name: "upper-case A-label host (5.1.2 step 4)", url: "http://XN--BCHER-KVA.example./", line: "a=1", domain: "xn--bcher-kva.example.", hostOnly: true, path: "/"},
	{name: "emoji A-label host (5.1.2 step 4, UTS #46 as browsers)", url: "http://xn--ls8h.la/", line: "a=1", domain: "xn--ls8h.la", hostOnly: true, path: "/"},
	{name: "A-label valid without STD3 rules (5.1.2 step 4)", url: "http://xn--1ch.example/", line: "a=1", domain: "xn--1ch.example", hostOnly: true, path: "/"},
	{name: "xn-- alone (5.1.2 step 4)", url: "http://xn--.example/", line: "a=1", wantErr: errNoHost},
	{name: "xn-- alone as the last label (5.1.2 step 4)", url: "http://www.xn--/", line: "a=1", wantErr: errNoHost},
	{name: "xn--a decodes to a control character (5.1.2 step 4)", url: "http://xn--a.example/", line: "a=1", wantErr: errNoHost},
	{name: "xn--zz is not Punycode (5.1.2 step 4)", url: "http://www.xn--zz.example/", line: "a=1", wantErr: errNoHost},
	{name: "xn--abc- decodes to ASCII (5.1.2 step 4)", url: "http://xn--abc-.example/", line: "a=1", wantErr: errNoHost},
	{name: "xn--ggg decodes to a mapped character (5.1.2 step 4)", url: "http://xn--ggg.example/", line: "a=1", wantErr: errNoHost},
	{name: "xn--a-ecp decodes to a disallowed character (5.1.2 step 4)", url: "http://xn--a-ecp.example/", line: "a=1", wantErr: errNoHost},
	{name: "Fake A-label in the Domain's host (5.1.2 step 4)", url: "http://www.xn--a.example/", line: "a=1; Domain=xn--a.example", wantErr: errNoHost},
	{name: "IDN host whose A-label is fine, Domain of a Fake A-label (5.1.3)", url: "http://www.xn--bcher-kva.example/", line: "a=1; Domain=xn--a.example", wantErr: errDomainMismatch},
	{name: "non-ASCII Domain (5.7 step 8)", url: "http://www.example.com/", line: "a=1; Domain=exämple.com", wantErr: cookie.ErrIgnored},
	{name: "explicit path", url: "http://www.example.com/a/b", line: "a=1; Path=/x", domain: "www.example.com", hostOnly: true, path: "/x"},
	{name: "relative path is default-path", url: "http://www.example.com/a/b", line: "a=1; Path=x", domain: "www.example.com", hostOnly: true, path: "/a"},
	{name: "Secure from http (5.7 step 13)", url: "http://www.example.com/", line: "a=1; Secure", wantErr: errSecureInsecure},
	{name: "Secure from https", url: "https://www.example.com/", line: "a=1; Secure", domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "Secure from http 127.0.0.1", url: "http://127.0.0.1:8080/", line: "a=1; Secure", domain: "127.0.0.1", hostOnly: true, path: "/"},
	{name: "Secure from http 127.1.2.3", url: "http://127.1.2.3/", line: "a=1; Secure", domain: "127.1.2.3", hostOnly: true, path: "/"},
	{name: "Secure from http [::1]", url: "http://[::1]/", line: "a=1; Secure", domain: "::1", hostOnly: true, path: "/"},
	{name: "Secure from http localhost", url: "http://localhost/", line: "a=1; Secure", domain: "localhost", hostOnly: true, path: "/"},
	{name: "Secure from http localhost. (fully qualified)", url: "http://localhost./", line: "a=1; Secure", domain: "localhost.", hostOnly: true, path: "/"},
	{name: "Secure from http app.localhost.", url: "http://app.localhost./", line: "a=1; Secure", domain: "app.localhost.", hostOnly: true, path: "/"},
	{name: "Secure from http notlocalhost.", url: "http://notlocalhost./", line: "a=1; Secure", wantErr: errSecureInsecure},
	{name: "HttpOnly from non-HTTP API (5.7 step 15)", url: "http://www.example.com/", line: "a=1; HttpOnly", req: nonHTTP, wantErr: errHttpOnlyNonHTTP},
	{name: "HttpOnly from HTTP", url: "http://www.example.com/", line: "a=1; HttpOnly", domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "empty name and value (5.7 step 2)", url: "http://www.example.com/", line: "=", wantErr: cookie.ErrIgnored},
	{name: "control character (5.7 step 3)", url: "http://www.example.com/", line: "a=1\x01", wantErr: cookie.ErrIgnored},
	{name: "nameless", url: "http://www.example.com/", line: "abc", domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "SameSite=None without Secure (5.7 step 19)", url: "https://www.example.com/", line: "a=1; SameSite=None", wantErr: errSameSiteNone},
	{name: "SameSite=None with Secure", url: "https://www.example.com/", line: "a=1; SameSite=None; Secure", domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "cross-site subresource sets Lax (5.7 step 18)", url: "https://www.example.com/", line: "a=1; SameSite=Lax", req: crossSiteSub, wantErr: errSameSite},
	{name: "cross-site subresource sets Strict", url: "https://www.example.com/", line: "a=1; SameSite=Strict", req: crossSiteSub, wantErr: errSameSite},
	{name: "cross-site subresource sets Default", url: "https://www.example.com/", line: "a=1", req: crossSiteSub, wantErr: errSameSite},
	{name: "cross-site subresource sets None", url: "https://www.example.com/", line: "a=1; SameSite=None; Secure", req: crossSiteSub, domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "cross-site top-level sets Strict (5.7 step 18.3)", url: "https://www.example.com/", line: "a=1; SameSite=Strict", req: crossSiteTop, domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "same-site subresource sets Strict", url: "https://www.example.com/", line: "a=1; SameSite=Strict", req: sameSiteSub, domain: "www.example.com", hostOnly: true, path: "/"},
	{name: "cross-site non-HTTP API sets Lax (5.7 step 18.1)", url: "https://www.example.com/", line: "a=1; SameSite=Lax", req: func(r *Request) { crossSiteTop(r); nonHTTP(r) }, wantErr: errSameSite},
	// RFC 6265bis section 5.4 examples (rejected, then accepted).
	{name: "__Secure- with Domain, no Secure", url: "https://site.example/", line: "__Secure-SID=12345; Domain=site.example", wantErr: errSecurePrefix},
	{name: "__secure- lower case", url: "https://site.example/", line: "__secure-SID=12345; Domain=site.example", wantErr: errSecurePrefix},
	{name: "__Host- without Secure", url: "https://site.example/", line: "__Host-SID=12345", wantErr: errHostPrefix},
	{name: "__host- without Path", url: "https://site.example/", line: "__host-SID=12345; Secure", wantErr: errHostPrefix},
	{name: "__HOST- with Domain", url: "https://site.example/", line: "__HOST-SID=12345; Secure; Domain=site.example; Path=/", wantErr: errHostPrefix},
	// Step 10 clears the host-only-flag whenever a Domain attribute is
	// kept; the jar's IP-host deviation must not let __Host- through.
	{name: "__Host- with Domain on an IP host (5.7 step 21)", url: "https://192.0.2.1/", line: "__Host-SID=1; Secure; Path=/; Domain=192.0.2.1", wantErr: errHostPrefix},
	{name: "__Host- with Domain on an IPv6 host", url: "https://[2001:db8::1]/", line: "__Host-SID=1; Secure; Path=/; Domain=2001:db8::1", wantErr: errHostPrefix},
	{name: "__Host- with Domain equal to a public-suffix host (5.7 step 9.3)", url: "https://github.io/", line: "__Host-SID=1; Secure; Path=/; Domain=github.io", domain: "github.io", hostOnly: true, path: "/"},
	{name: "__Host- path not /", url: "https://site.example/", line: "__Host-SID=12345; Secure; Path=/a", wantErr: errHostPrefix},
	{name: "__Secure- with Secure", url: "https://site.example/", line: "__Secure-SID=12345; Domain=site.example; Secure", domain: "site.example", path: "/"},
	{name: "__SECURE- with Secure", url: "https://site.example/", line: "__SECURE-SID=12345; Domain=site.example; Secure", domain: "site.example", path: "/"},
	{name: "__Host- valid", url: "https://site.example/x/y", line: "__Host-SID=12345; Secure; Path=/", domain: "site.example", hostOnly: true, path: "/"},
	{name: "__HOST- valid", url: "https://site.example/", line: "__HOST-SID=12345; Secure; Path=/", domain: "site.example", hostOnly: true, path: "/"},
	{name: "__Secure- from http", url: "http://site.example/", line: "__Secure-SID=1; Secure", wantErr: errSecureInsecure},
	{name: "nameless __Host- value (5.7 step 22)", url: "https://site.example/", line: "=__Host-SID=1; Secure; Path=/", wantErr: errNamelessPrefix},
	{name: "nameless __secure- value", url: "https://site.example/", line: "__secure-SID; Secure", wantErr: errNamelessPrefix},
}

func nonHTTP(r *Request) { r.HTTP = false }
func crossSiteSub(r *Request) {
	r.SiteForCookies = mustURL("https://evil.example/")
	r.TopLevelNavigation = false
}
func crossSiteTop(r *Request) { r.SiteForCookies = mustURL("https://evil.example/") }
func sameSiteSub(r *Request) {
	r.SiteForCookies = mustURL("https://app.example.com/")
	r.TopLevelNavigation = false
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// newTestJar returns a jar on the fixed clock tNow.
func newTestJar(tb testing.TB, o *Options) *Jar {
	tb.Helper()
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return tNow }
	}
	j, err := New(&opt)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// storeLine parses line and runs the storage model for it, returning why
// it was ignored.
func storeLine(j *Jar, r Request, line string) error {
	c, err := cookie.ParseSetCookie(line)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.storeLocked(&r, c, j.now())
}

func TestStorageModel(t *testing.T) {
	for _, tt := range storageTests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			r := plainRequest(mustURL(tt.url))
			if tt.req != nil {
				tt.req(&r)
			}
			err := storeLine(j, r, tt.line)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("store %q from %s: got error %v, want %v", tt.line, tt.url, err, tt.wantErr)
			}
			all := j.All()
			if tt.wantErr != nil {
				if len(all) != 0 {
					t.Fatalf("ignored cookie was stored: %+v", all)
				}
				return
			}
			if len(all) != 1 {
				t.Fatalf("got %d cookies stored, want 1", len(all))
			}
			e := all[0]
			if e.Domain != tt.domain || e.HostOnly != tt.hostOnly || e.Path != tt.path {
				t.Errorf("got domain %q host-only %v path %q, want %q %v %q", e.Domain, e.HostOnly, e.Path, tt.domain, tt.hostOnly, tt.path)
			}
			if !e.Created.Equal(tNow) || !e.LastAccess.Equal(tNow) {
				t.Errorf("got created %v last access %v, want both %v", e.Created, e.LastAccess, tNow)
			}
		})
	}
}

func TestStorageNoPublicSuffixList(t *testing.T) {
	j := newTestJar(t, &Options{NoPublicSuffixList: true})
	if err := storeLine(j, plainRequest(mustURL("http://www.example.com/")), "a=1; Domain=com"); err != nil {
		t.Fatalf("Domain=com with the list off: got error %v, want stored", err)
	}
	if got, want := j.CookieHeader(mustURL("http://other.com/")), "a=1"; got != want {
		t.Errorf("CookieHeader(other.com) got %q, want %q", got, want)
	}
	if got := j.CookieHeader(mustURL("http://other.org/")); got != "" {
		t.Errorf("CookieHeader(other.org) got %q, want none", got)
	}
}
