package redisstore_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// faultClientOptions fail fast when Redis is down.
func faultClientOptions() *redis.Options {
	return &redis.Options{
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		MaxRetries:   1,
		PoolSize:     8,
		// One dial attempt per command: a refused connection fails fast.
		DialerRetries: 1,
	}
}

// waitGoroutines waits until at most limit goroutines run, and returns the
// last count.
func waitGoroutines(limit int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); n > limit && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

// stableGoroutines returns the goroutine count once it has not changed for
// 200ms (or after 5s).
func stableGoroutines() int {
	n := runtime.NumGoroutine()
	for i, same := 0, 0; i < 100 && same < 4; i++ {
		time.Sleep(50 * time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			same++
		} else {
			n, same = m, 0
		}
	}
	return n
}

// TestRedisDownUnderLoad: with Redis stopped, requests get the session
// layer's 503 (no panic, no leaked error text), no goroutine leaks, and the
// service resumes by itself when Redis is back.
func TestRedisDownUnderLoad(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	app := startApp(t, rs.Addr(), faultClientOptions())
	b := newBrowser(t)
	if got := mustGet(t, b, app.srv.URL+"/count"); got != "1" {
		t.Fatalf("first count = %q, want 1", got)
	}
	b.CloseIdleConnections()
	base := stableGoroutines()

	rs.Stop()
	const workers, requests = 4, 15
	var wg sync.WaitGroup
	codes := make(chan int, workers*requests)
	bodies := make(chan string, workers*requests)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := b
			if w%2 == 1 {
				c = newBrowser(t) // no session yet: creating one fails too
			}
			for range requests {
				resp, err := c.Get(app.srv.URL + "/count")
				if err != nil {
					bodies <- "transport error: " + err.Error()
					continue
				}
				var sb strings.Builder
				buf := make([]byte, 512)
				for {
					n, err := resp.Body.Read(buf)
					sb.Write(buf[:n])
					if err != nil {
						break
					}
				}
				resp.Body.Close()
				codes <- resp.StatusCode
				bodies <- sb.String()
			}
			c.CloseIdleConnections()
		}()
	}
	wg.Wait()
	close(codes)
	close(bodies)
	n := 0
	for code := range codes {
		n++
		if code != http.StatusServiceUnavailable {
			t.Errorf("with Redis down: status %d, want 503", code)
		}
	}
	if n != workers*requests {
		t.Errorf("got %d responses, want %d", n, workers*requests)
	}
	for body := range bodies {
		if strings.Contains(body, "127.0.0.1") || strings.Contains(body, "dial") || strings.Contains(body, "transport error") {
			t.Errorf("with Redis down: body %q leaks details or the request failed", body)
			break
		}
	}
	b.CloseIdleConnections()
	// Tolerance: the HTTP server's and go-redis's own housekeeping.
	if got := waitGoroutines(base + 5); got > base+5 {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d after the outage, %d before; leak?\n%s", got, base, buf[:runtime.Stack(buf, true)])
	}

	rs.Start()
	// The client reconnects on demand: the service resumes without help.
	// The session died with the data (no persistence): a new one starts.
	var code int
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code, body = get(t, b, app.srv.URL+"/count"); code == http.StatusOK {
			break
		}
	}
	if code != http.StatusOK || body != "1" {
		t.Fatalf("after Redis restarted: %d %q, want 200 \"1\"", code, body)
	}
	if got := mustGet(t, b, app.srv.URL+"/count"); got != "2" {
		t.Errorf("second count after restart = %q, want 2", got)
	}
}

// TestAOFNoAcknowledgedWriteLost: with appendfsync always, every write the
// store acknowledged survives a crash (SIGKILL) and restart of Redis.
func TestAOFNoAcknowledgedWriteLost(t *testing.T) {
	rs := testutil.StartRedis(t, &testutil.RedisOptions{AppendOnly: true})
	c := redis.NewClient(&redis.Options{Addr: rs.Addr(), MaxRetries: 1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	s, err := redisstore.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	r := &session.Record{Key: "k", Principal: "alice", Created: now, LastAccess: now,
		IdleTimeout: time.Hour, Deadline: now.Add(24 * time.Hour)}
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	// Acknowledged writes from several goroutines: Saves of distinct
	// attributes and Updates of one counter.
	const writers, each = 4, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				name := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				if err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{name: []byte(strconv.Itoa(i))}}); err != nil {
					t.Errorf("Save %s: %v", name, err)
				}
				_, err := s.Update(ctx, "k", "counter", func(old []byte, ok bool) ([]byte, error) {
					n, _ := strconv.Atoi(string(old))
					return []byte(strconv.Itoa(n + 1)), nil
				})
				if err != nil {
					t.Errorf("Update: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	rs.Kill()
	rs.Start()
	var got *session.Record
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var found bool
		got, found, err = s.Load(ctx, "k")
		if err == nil && found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Load after restart = %v, %v", found, err)
		}
	}
	if want := strconv.Itoa(writers * each); string(got.Attrs["counter"]) != want {
		t.Errorf("counter after crash = %s, want %s", got.Attrs["counter"], want)
	}
	if len(got.Attrs) != writers*each+1 {
		t.Errorf("after crash: %d attributes, want %d", len(got.Attrs), writers*each+1)
	}
	if metas, err := s.ByPrincipal(ctx, "alice"); err != nil || len(metas) != 1 || metas[0].Size != sizeOf(got.Attrs) {
		t.Errorf("ByPrincipal(alice) after crash = %+v, %v; want k with size %d", metas, err, sizeOf(got.Attrs))
	}
}

func sizeOf(attrs map[string][]byte) int {
	n := 0
	for _, v := range attrs {
		n += len(v)
	}
	return n
}
