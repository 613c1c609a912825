package jar

import (
	"strings"
	"testing"
)

// TestIPv6HostCanonical checks that an IPv6 host is one host whatever text
// form the URL writes it in: a browser's URL parser serializes it
// canonically (lower-case hex, longest zero run compressed, an
// IPv4-mapped address in hex), so a cookie set at http://[0:0::1]/ goes to
// http://[::1]/ (RFC 6265bis section 5.1.2: the canonicalized host). It
// failed before IPv6 hosts were canonicalized: the jar kept the URL's text.
func TestIPv6HostCanonical(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0:0:0:0:0:0:0:1", "::1"},
		{"[0:0::1]", "::1"},
		{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
		{"::FFFF:127.0.0.1", "::ffff:7f00:1"},
		{"::ffff:1.2.3.4", "::ffff:102:304"},
		{"fe80::1%eth0", ""}, // a URL host has no zone
		{"foo:bar", ""},
	} {
		got, ok := canonicalHostname(tt.in)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("canonicalHostname(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}

	j, _ := New(nil)
	j.SetCookieLines(mustURL("http://[0:0:0:0:0:0:0:1]/"), []string{"a=1"})
	j.SetCookieLines(mustURL("http://[::FFFF:127.0.0.1]/"), []string{"b=2; Secure"})
	if got := j.CookieHeader(mustURL("http://[::1]:8080/")); got != "a=1" {
		t.Errorf("http://[::1]: Cookie %q, want a=1", got)
	}
	// ::ffff:127.0.0.1 is loopback, so a secure origin over http.
	if got := j.CookieHeader(mustURL("http://[::ffff:7f00:1]/")); got != "b=2" {
		t.Errorf("http://[::ffff:7f00:1]: Cookie %q, want b=2", got)
	}
	if es := j.Domain("[0::1]"); len(es) != 1 || es[0].Domain != "::1" {
		t.Errorf("Domain([0::1]) = %+v, want the cookie a for ::1", es)
	}
	if !j.Remove("0:0::ffff:7f00:1", "/", "b") {
		t.Error("Remove of b through another form of its host found nothing")
	}

	// Files and Add canonicalize too, partition keys included: a file
	// written with the URL's text form loads as the canonical host.
	const file = `{"version": 1, "cookies": [
{"name": "p", "value": "3", "domain": "0:0::1", "hostOnly": true, "path": "/", "secure": true,
 "partitioned": true, "partitionKey": "https://[0:0:0:0:0:0:0:1]"}]}`
	if _, err := j.Import(strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	if got := j.CookieHeader(mustURL("https://[::1]/")); got != "a=1; p=3" {
		t.Errorf("https://[::1] after Import: Cookie %q, want a=1; p=3", got)
	}
	for _, e := range j.All() {
		if e.Name == "p" && (e.Domain != "::1" || e.PartitionKey != "https://[::1]") {
			t.Errorf("imported cookie %q: domain %q, partition %q; want ::1 and https://[::1]", e.Name, e.Domain, e.PartitionKey)
		}
	}
}
