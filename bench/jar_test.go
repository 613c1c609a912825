package bench

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/httpstate/httpstate/jar"
)

// The jar comparison: github.com/httpstate/httpstate/jar against
// net/http/cookiejar, both with golang.org/x/net/publicsuffix.List, on the
// same workload: 3000 cookies over 60 registrable domains (50 each) stored
// through SetCookies, and Cookies(u) lookups in that full jar.

const (
	jarDomains          = 60
	jarCookiesPerDomain = 50
)

// jarWorkload is one domain's cookies and the URLs used with them.
type jarWorkload struct {
	set    *url.URL       // response URL the cookies come from
	get    *url.URL       // request URL looked up
	cookie []*http.Cookie // the 50 cookies
}

// jarWorkloads builds the 60 domains' cookies: a third of them domain
// cookies, paths "/", "/app", "/app/x" and "/other", one hour Max-Age. The
// lookup URL /app/x/y matches three of the four paths (about 38 cookies).
func jarWorkloads() []jarWorkload {
	ws := make([]jarWorkload, jarDomains)
	paths := []string{"/", "/app", "/app/x", "/other"}
	for d := range ws {
		ws[d].set, _ = url.Parse(fmt.Sprintf("https://www.site%02d.com/app/x/index.html", d))
		ws[d].get, _ = url.Parse(fmt.Sprintf("https://www.site%02d.com/app/x/y", d))
		for i := 0; i < jarCookiesPerDomain; i++ {
			c := &http.Cookie{Name: fmt.Sprintf("cookie%02d", i), Value: fmt.Sprintf("value-%d-%d", d, i), Path: paths[i%4], MaxAge: 3600}
			if i%3 == 0 {
				c.Domain = fmt.Sprintf("site%02d.com", d)
			}
			ws[d].cookie = append(ws[d].cookie, c)
		}
	}
	return ws
}

// newPeerJar returns an empty jar of the named implementation.
func newPeerJar(b *testing.B, impl string) http.CookieJar {
	switch impl {
	case "httpstate":
		j, err := jar.New(&jar.Options{PublicSuffixList: publicsuffix.List})
		if err != nil {
			b.Fatal(err)
		}
		return j
	case "cookiejar":
		j, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
		if err != nil {
			b.Fatal(err)
		}
		return j
	}
	b.Fatalf("unknown jar %q", impl)
	return nil
}

// fill stores every workload in j.
func fill(j http.CookieJar, ws []jarWorkload) {
	for _, w := range ws {
		j.SetCookies(w.set, w.cookie)
	}
}

var jarImpls = []string{"httpstate", "cookiejar"}

// processCPU returns the CPU time (user + system) the process has used.
// The jar benchmarks report it per op as cpu-ns/op beside the wall-clock
// ns/op, which a loaded machine inflates.
func processCPU() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// reportCPU adds the cpu-ns/op metric for a loop that started at c0.
func reportCPU(b *testing.B, c0 time.Duration) {
	b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkJarStore stores the 3000 cookies into an empty jar; one op is
// the whole fill.
func BenchmarkJarStore(b *testing.B) {
	ws := jarWorkloads()
	for _, impl := range jarImpls {
		b.Run(impl, func(b *testing.B) {
			b.ReportAllocs()
			c0 := processCPU()
			for b.Loop() {
				fill(newPeerJar(b, impl), ws)
			}
			reportCPU(b, c0)
		})
	}
}

// BenchmarkJarLookup is Cookies(u) in the full jar, cycling over the 60
// domains; one op is one lookup.
func BenchmarkJarLookup(b *testing.B) {
	ws := jarWorkloads()
	for _, impl := range jarImpls {
		b.Run(impl, func(b *testing.B) {
			j := newPeerJar(b, impl)
			fill(j, ws)
			if n := len(j.Cookies(ws[0].get)); n != 38 {
				b.Fatalf("lookup returns %d cookies, want 38", n)
			}
			b.ReportAllocs()
			i := 0
			c0 := processCPU()
			for b.Loop() {
				_ = j.Cookies(ws[i].get)
				i++
				if i == len(ws) {
					i = 0
				}
			}
			reportCPU(b, c0)
		})
	}
}
