package client

import (
	"math"
	"net/http"
	"testing"
	"time"
)

var tNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var retryAfterTests = []struct {
	in     string
	want   time.Duration
	wantOK bool
}{
	{"0", 0, true},
	{"120", 120 * time.Second, true},
	{" 5 ", 5 * time.Second, true},
	{tNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
	{"Wednesday, 25-Nov-26 12:00:30 GMT", 30 * time.Second, true}, // RFC 850
	{"Wed Nov 25 12:00:10 2026", 10 * time.Second, true},          // asctime
	{tNow.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	{"", 0, false},
	{"-1", 0, false},
	{"1.5", 0, false},
	{"soon", 0, false},
	{"99999999999", math.MaxInt64, true}, // delay-seconds is 1*DIGIT: a wait beyond any budget
	{"999999999999999999999999", math.MaxInt64, true},
	{"+5", 0, false},
}

func TestRetryAfter(t *testing.T) {
	for _, tt := range retryAfterTests {
		got, ok := retryAfter(tt.in, tNow)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, tt := range retryAfterTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := retryAfter(s, tNow)
		if d < 0 {
			t.Fatalf("retryAfter(%q) = %v: negative", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("retryAfter(%q) = %v, false: want 0 when not ok", s, d)
		}
	})
}

var backoffTests = []struct {
	base, max time.Duration
	attempt   int
	ceil      time.Duration
}{
	{100 * time.Millisecond, 10 * time.Second, 0, 100 * time.Millisecond},
	{100 * time.Millisecond, 10 * time.Second, 3, 800 * time.Millisecond},
	{100 * time.Millisecond, 10 * time.Second, 20, 10 * time.Second},
	{100 * time.Millisecond, 10 * time.Second, 200, 10 * time.Second}, // no overflow
	{time.Hour, time.Minute, 0, time.Minute},
}

func TestBackoffCeiling(t *testing.T) {
	for _, tt := range backoffTests {
		r := newRetrier(&RetryPolicy{BaseDelay: tt.base, MaxDelay: tt.max})
		for range 200 {
			if d := r.backoff(tt.attempt); d < 0 || d >= tt.ceil {
				t.Fatalf("backoff(%d) with base %v max %v = %v, want in [0, %v)", tt.attempt, tt.base, tt.max, d, tt.ceil)
			}
		}
	}
}
