package jar

import (
	"strings"
	"testing"
)

// TestCanonicalHostnameALabels checks RFC 6265bis section 5.1.2 steps 3 and
// 4 for every way a host reaches the jar: a Fake A-label (an "xn--" label
// that is not a valid A-label) fails to canonicalize, U-labels become
// A-labels under UTS #46 as a browser's URL parser runs it (STD3 rules
// off), and IP addresses and trailing dots are untouched.
func TestCanonicalHostnameALabels(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means fails to canonicalize
	}{
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"XN--BCHER-KVA.Example", "xn--bcher-kva.example"},
		{"www.xn--bcher-kva.example.", "www.xn--bcher-kva.example."},
		{"bücher.example", "xn--bcher-kva.example"},
		{"xn--ls8h.la", "xn--ls8h.la"},
		{"≠.example", "xn--1ch.example"}, // valid without STD3 rules, as in browsers
		{"foo_bar.bücher.example", "foo_bar.xn--bcher-kva.example"},
		{"axn--b.example", "axn--b.example"}, // not an XN-label
		{"a--b.example", "a--b.example"},
		{"xn--", ""},
		{"xn--.example", ""},
		{"www.xn--.", ""},
		{"xn--a", ""},
		{"xn--a.example", ""},
		{"xn--zz.example", ""},
		{"xn--abc-.example", ""},
		{"xn--ggg.example", ""},
		{"xn--a-ecp.example", ""},
		{"xn--xn--.example", ""},
		{"bücher.xn--a.example", ""}, // a U-label host with a Fake A-label
		// IP addresses and the URL parser's IPv4 forms are unchanged.
		{"192.0.2.1", "192.0.2.1"},
		{"192.0.2.1.", "192.0.2.1"},
		{"0x7f.1", "127.0.0.1"},
		{"2001:db8::1", "2001:db8::1"},
		{"xn--a.1", ""},
	}
	for _, tt := range tests {
		got, ok := canonicalHostname(tt.in)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("canonicalHostname(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// TestFakeALabelEntries checks that Add and the file readers refuse a
// Domain or partition key with a Fake A-label (RFC 6265bis section 5.1.2
// step 4), and that no cookie goes to such a host.
func TestFakeALabelEntries(t *testing.T) {
	good := Entry{Name: "a", Value: "1", Domain: "xn--bcher-kva.example", HostOnly: true, Path: "/"}
	tests := []struct {
		name string
		edit func(*Entry)
	}{
		{"domain xn-- alone", func(e *Entry) { e.Domain = "xn--.example" }},
		{"domain xn--a", func(e *Entry) { e.Domain = ".xn--a.example" }},
		{"domain not Punycode", func(e *Entry) { e.Domain = "xn--zz.example" }},
		{"partition key", func(e *Entry) {
			e.Secure, e.Partitioned, e.PartitionKey = true, true, "https://xn--a.example"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			e := good
			tt.edit(&e)
			if err := j.Add(e); err == nil {
				t.Errorf("Add(%+v) succeeded", e)
			}
			if j.Len() != 0 {
				t.Errorf("jar holds %d cookies", j.Len())
			}
		})
	}
	if err := newTestJar(t, nil).Add(good); err != nil {
		t.Errorf("Add of a valid A-label domain: %v", err)
	}
	txt := "xn--a.example\tFALSE\t/\tFALSE\t0\ta\t1\n"
	if _, err := ReadCookiesTxt(strings.NewReader(txt)); err == nil {
		t.Error("ReadCookiesTxt accepted a Fake A-label domain")
	}
	j := newTestJar(t, nil)
	if h := j.CookieHeader(mustURL("http://xn--a.example/")); h != "" {
		t.Errorf("CookieHeader for a Fake A-label host = %q", h)
	}
}
