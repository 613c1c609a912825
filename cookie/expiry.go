package cookie

// This file computes a cookie's expiry-time from its Expires and Max-Age
// attributes: RFC 6265bis (draft-ietf-httpbis-rfc6265bis) sections 5.5,
// 5.6.1, 5.6.2 and 5.7 step 6.

import "time"

// MaxLifetime is the cap on a cookie's lifetime: 400 days (34560000 seconds),
// the limit RFC 6265bis section 5.5 recommends.
const MaxLifetime = 400 * 24 * time.Hour

// maxLifetimeSeconds is MaxLifetime in seconds.
const maxLifetimeSeconds = int64(MaxLifetime / time.Second)

// EarliestExpiry returns the fixed "earliest representable date" used for a
// Max-Age of zero or less (RFC 6265bis section 5.6.2 step 7):
// 1601-01-01 00:00:00 UTC, the earliest date a cookie-date can denote
// (section 5.1.1 step 5). It is before any clock reading an application sees.
func EarliestExpiry() time.Time {
	return time.Date(1601, time.January, 1, 0, 0, 0, 0, time.UTC)
}

// ExpiryTime returns the cookie's expiry-time as the storage model computes it
// at time now (RFC 6265bis section 5.7 step 6):
//
//   - with Max-Age (HasMaxAge), now plus MaxAge seconds, or EarliestExpiry()
//     when MaxAge is zero or negative (section 5.6.2); Max-Age beats Expires;
//   - otherwise with a non-zero Expires, that time (section 5.6.1);
//   - otherwise persistent is false and expiry is the zero Time.
//
// Either way the expiry is capped at now plus MaxLifetime (400 days,
// section 5.5). An expiry not after now means the cookie is to be deleted.
func (c *Cookie) ExpiryTime(now time.Time) (expiry time.Time, persistent bool) {
	switch {
	case c.HasMaxAge:
		if c.MaxAge <= 0 {
			return EarliestExpiry(), true
		}
		return now.Add(time.Duration(min(c.MaxAge, maxLifetimeSeconds)) * time.Second), true
	case !c.Expires.IsZero():
		if limit := now.Add(MaxLifetime); c.Expires.After(limit) {
			return limit, true
		}
		return c.Expires, true
	}
	return time.Time{}, false
}
