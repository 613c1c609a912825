package cookie

import (
	"math"
	"testing"
	"time"
)

// tNow is the fixed clock of the expiry tests.
var tNow = date(2026, time.November, 25, 12, 0, 0)

var expiryTimeTests = []struct {
	name           string
	c              Cookie
	wantExpiry     time.Time
	wantPersistent bool
}{
	{"session cookie", Cookie{}, time.Time{}, false},
	{"expires", Cookie{Expires: tNow.Add(time.Hour)}, tNow.Add(time.Hour), true},
	{"expires in the past", Cookie{Expires: date(2000, 1, 1, 0, 0, 0)}, date(2000, 1, 1, 0, 0, 0), true},
	{"expires capped at 400 days", Cookie{Expires: tNow.Add(401 * 24 * time.Hour)}, tNow.Add(400 * 24 * time.Hour), true},
	{"expires exactly 400 days", Cookie{Expires: tNow.Add(MaxLifetime)}, tNow.Add(MaxLifetime), true},
	{"max-age", Cookie{MaxAge: 60, HasMaxAge: true}, tNow.Add(time.Minute), true},
	{"max-age beats expires", Cookie{MaxAge: 60, HasMaxAge: true, Expires: tNow.Add(time.Hour)}, tNow.Add(time.Minute), true},
	{"max-age zero beats future expires", Cookie{MaxAge: 0, HasMaxAge: true, Expires: tNow.Add(time.Hour)}, EarliestExpiry(), true},
	{"max-age negative", Cookie{MaxAge: -5, HasMaxAge: true}, EarliestExpiry(), true},
	{"max-age capped", Cookie{MaxAge: 34560001, HasMaxAge: true}, tNow.Add(34560000 * time.Second), true},
	{"max-age huge capped", Cookie{MaxAge: math.MaxInt64, HasMaxAge: true}, tNow.Add(MaxLifetime), true},
	{"max-age huge negative", Cookie{MaxAge: math.MinInt64, HasMaxAge: true}, EarliestExpiry(), true},
	{"MaxAge without HasMaxAge ignored", Cookie{MaxAge: 60}, time.Time{}, false},
}

func TestExpiryTime(t *testing.T) {
	for _, tt := range expiryTimeTests {
		got, persistent := tt.c.ExpiryTime(tNow)
		if !got.Equal(tt.wantExpiry) || persistent != tt.wantPersistent {
			t.Errorf("%s: ExpiryTime = %v, %v; want %v, %v", tt.name, got, persistent, tt.wantExpiry, tt.wantPersistent)
		}
		if tt.c.HasMaxAge && tt.c.MaxAge <= 0 && got.After(tNow) {
			t.Errorf("%s: expiry %v is after now for Max-Age %d", tt.name, got, tt.c.MaxAge)
		}
	}
}

func TestMaxLifetimeIs34560000Seconds(t *testing.T) {
	// RFC 6265bis section 5.5: "400 days (34560000 seconds)".
	if got := int64(MaxLifetime / time.Second); got != 34560000 {
		t.Errorf("MaxLifetime = %d s, want 34560000", got)
	}
}
