package bench

import (
	"net/http"
	"testing"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// setCookieLines is the shared workload of BenchmarkParseSetCookie: a dozen
// realistic Set-Cookie lines mixing attributes, and five "received" strings of
// the http-state parser.json vectors (tests 0001, 0005, 0003, ATTRIBUTE0009,
// DOMAIN0003), all accepted by both parsers.
var setCookieLines = []string{
	"session_id=38afes7a8; Path=/; HttpOnly; Secure; SameSite=Lax",
	"id=a3fWa; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure; HttpOnly",
	"__Host-token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U; Path=/; Secure; HttpOnly; SameSite=Strict",
	"_ga=GA1.2.1234567890.1600000000; Max-Age=63072000; Domain=.example.com; Path=/",
	"lang=en-US; Path=/; Max-Age=31536000",
	"theme=dark; Expires=Thu, 01 Jan 2026 00:00:00 GMT; Path=/settings",
	"cart=; Max-Age=0; Path=/shop",
	"pref=a%3D1%26b%3D2; Domain=shop.example.com; Path=/; SameSite=None; Secure",
	"__Secure-chip=1; Secure; Path=/; SameSite=None; Partitioned",
	"csrftoken=Qx8vZ2lN0pR4tYw6; Path=/; SameSite=Strict; Secure",
	"tracking=\"abc123\"; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
	"remember=1; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Lax",
	// http-state parser.json "received" strings.
	"foo=bar",
	"foo=bar; max-age=10000;",
	"foo2=bar2; Expires=Fri, 07 Aug 2027 08:04:19 GMT",
	"foo=bar; Secure; qux",
	"foo=bar; domain=.home.example.org",
}

// sink keeps results alive so the compiler cannot drop the parse.
var sink any

func BenchmarkParseSetCookie(b *testing.B) {
	b.Run("httpstate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range setCookieLines {
				c, err := cookie.ParseSetCookie(l)
				if err != nil {
					b.Fatal(err)
				}
				sink = c
			}
		}
	})
	b.Run("nethttp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range setCookieLines {
				c, err := http.ParseSetCookie(l)
				if err != nil {
					b.Fatal(err)
				}
				sink = c
			}
		}
	})
}

// BenchmarkParseSetCookieInterleaved parses the workload with both parsers in
// every iteration, timing each separately, and reports the ratio of their
// total times (httpstate/nethttp). Interleaving makes the ratio robust to the
// load of a shared machine, which skews two benchmarks run one after the other.
func BenchmarkParseSetCookieInterleaved(b *testing.B) {
	b.ReportAllocs()
	var ours, theirs time.Duration
	for b.Loop() {
		t0 := time.Now()
		for _, l := range setCookieLines {
			c, _ := cookie.ParseSetCookie(l)
			sink = c
		}
		t1 := time.Now()
		for _, l := range setCookieLines {
			c, _ := http.ParseSetCookie(l)
			sink = c
		}
		ours += t1.Sub(t0)
		theirs += time.Since(t1)
	}
	if theirs > 0 {
		b.ReportMetric(float64(ours)/float64(theirs), "httpstate/nethttp")
		b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "httpstate-ns/op")
		b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "nethttp-ns/op")
	}
}
