package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
)

// BenchmarkSessions runs the three session workloads under every contender in
// one run, in process: each iteration serves a shallow copy of one request
// (with the session cookie, except for "new") into a fresh
// httptest.ResponseRecorder. In "new", the contenders' in-memory stores are
// trimmed back to one session every trimEvery requests, with the timer
// stopped and the CPU time of the trim left out. See README.md ("sessions") for the command and
// the medians.
func BenchmarkSessions(b *testing.B) {
	scenarios := []struct {
		name    string
		handler func(h *SessionHandlers) http.Handler
		cookie  bool
	}{
		{"readwrite", func(h *SessionHandlers) http.Handler { return h.ReadWrite }, true},
		{"readonly", func(h *SessionHandlers) http.Handler { return h.ReadOnly }, true},
		{"new", func(h *SessionHandlers) http.Handler { return h.Create }, false},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, impl := range SessionImpls() {
				b.Run(impl.Name, func(b *testing.B) {
					h, err := impl.New(b.TempDir())
					if err != nil {
						b.Fatal(err)
					}
					defer h.Close()
					base := httptest.NewRequest("GET", "/", nil)
					if sc.cookie {
						base = h.Request(context.Background())
					}
					handler := sc.handler(h)
					b.ReportAllocs()
					var trimCPU int64
					cpu0 := sessionsCPU()
					for i := 0; b.Loop(); i++ {
						if !sc.cookie && h.Trim != nil && i%trimEvery == trimEvery-1 {
							b.StopTimer()
							t0 := sessionsCPU()
							h.Trim()
							trimCPU += sessionsCPU() - t0
							b.StartTimer()
						}
						r := new(http.Request)
						*r = *base // gorilla/sessions rewrites *r: never share one
						rec := httptest.NewRecorder()
						handler.ServeHTTP(rec, r)
						if rec.Code != http.StatusOK {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
					}
					// CPU time of the whole process (GC included) per request:
					// unlike ns/op it does not grow when other processes take
					// the machine's CPUs.
					b.ReportMetric(float64(sessionsCPU()-cpu0-trimCPU)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

// trimEvery is how many sessions the "new" scenario creates between two
// Trims (untimed) of the contender's in-memory store.
const trimEvery = 1024

// sessionsCPU returns the user+system CPU time the process has used, in
// nanoseconds.
func sessionsCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestSessionImpls checks every contender does the work it is timed for.
func TestSessionImpls(t *testing.T) {
	for _, impl := range SessionImpls() {
		h, err := impl.New(t.TempDir())
		if err != nil {
			t.Fatalf("%s: %v", impl.Name, err)
		}
		for i := 2; i <= 3; i++ {
			rec := httptest.NewRecorder()
			h.ReadWrite.ServeHTTP(rec, h.Request(context.Background()))
			if impl.Name != "bare" && impl.Name != "gorilla-cookiestore" && rec.Body.String() != itoa(i) {
				t.Errorf("%s: ReadWrite answered %q, want %d", impl.Name, rec.Body.String(), i)
			}
		}
		h.Close()
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
