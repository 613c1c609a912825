package jar

import (
	"strings"
	"testing"
)

// testPSL is a public suffix list where "test" and "co.test" are public
// suffixes and every other name's suffix is its last label.
type testPSL struct{}

func (testPSL) PublicSuffix(d string) string {
	if d == "co.test" || strings.HasSuffix(d, ".co.test") {
		return "co.test"
	}
	return d[strings.LastIndexByte(d, '.')+1:]
}

func (testPSL) String() string { return "test list" }

func TestCustomPublicSuffixList(t *testing.T) {
	j := newTestJar(t, &Options{PublicSuffixList: testPSL{}})
	r := plainRequest(mustURL("http://www.shop.co.test/"))
	if err := storeLine(j, r, "a=1; Domain=co.test"); err != errPublicSuffix {
		t.Errorf("Domain=co.test: got %v, want errPublicSuffix", err)
	}
	if err := storeLine(j, r, "b=2; Domain=shop.co.test"); err != nil {
		t.Errorf("Domain=shop.co.test: got %v, want stored", err)
	}
	if got := j.keyOf("www.shop.co.test"); got != "shop.co.test" {
		t.Errorf("keyOf got %q, want shop.co.test", got)
	}
	if got := j.CookieHeader(mustURL("http://x.shop.co.test/")); got != "b=2" {
		t.Errorf("subdomain got %q, want b=2", got)
	}
	if got := j.CookieHeader(mustURL("http://other.co.test/")); got != "" {
		t.Errorf("other site got %q, want none", got)
	}
}

// A domain cookie whose Domain is a public suffix can only come from a
// file; retrieval must still skip it (RFC 6265bis section 5.8.3 step 3).
func TestRetrievalSkipsPublicSuffixDomain(t *testing.T) {
	j := newTestJar(t, nil)
	if err := j.Add(Entry{Name: "evil", Value: "1", Domain: "com", Path: "/"}, Entry{Name: "ok", Value: "2", Domain: "example.com", Path: "/"}); err != nil {
		t.Fatal(err)
	}
	if got := j.CookieHeader(mustURL("http://www.example.com/")); got != "ok=2" {
		t.Errorf("got %q, want ok=2", got)
	}
}

func TestNilAndHostlessURLs(t *testing.T) {
	j := newTestJar(t, nil)
	j.SetCookieLinesFor(Request{}, []string{"a=1"})
	j.SetCookieLines(mustURL("file:///etc/x"), []string{"a=1"})
	j.SetCookies(mustURL("mailto:x@example.com"), nil)
	if got := j.CookieHeaderFor(Request{}); got != "" {
		t.Errorf("nil URL got %q", got)
	}
	if got := j.CookiesFor(Request{}); got != nil {
		t.Errorf("nil URL got %v", got)
	}
	if j.Len() != 0 {
		t.Errorf("stored %d cookies from host-less URLs", j.Len())
	}
}

func TestPartitionedKept(t *testing.T) {
	j := newTestJar(t, nil)
	j.SetCookieLines(mustURL("https://example.com/"), []string{"p=1; Secure; Partitioned; SameSite=None"})
	es := j.All()
	if len(es) != 1 || !es[0].Partitioned || !es[0].Secure {
		t.Errorf("got %+v, want one Partitioned Secure cookie", es)
	}
}
