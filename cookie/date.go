package cookie

// This file implements the cookie-date algorithm of RFC 6265bis
// (draft-ietf-httpbis-rfc6265bis) section 5.1.1.

import (
	"fmt"
	"time"
)

// ParseDate parses s with the cookie-date algorithm of RFC 6265bis section
// 5.1.1, the lenient parser user agents apply to the Expires attribute. It
// accepts the IMF-fixdate, RFC 850 and asctime forms and the many variants
// servers send ("Wed, 09-Dec-2009 16:27:23 GMT", "Thu, 31 Dec 23:55:55 2037",
// ...): the string is split on delimiters and the first time, day of month,
// month and year tokens are taken in that order of preference. Two-digit years
// 70-99 mean 19xx and 0-69 mean 20xx. The result is in UTC. An error
// (wrapping ErrInvalidDate) means a token is missing, a field is out of range,
// the year is before 1601, or the date does not exist (e.g. 30 Feb); it
// quotes at most 32 octets of s.
func ParseDate(s string) (time.Time, error) {
	t, d, f := parseDate(s)
	switch f {
	case dateOK:
		return t, nil
	case dateNoTime:
		return time.Time{}, fmt.Errorf("%w: no time in %s", ErrInvalidDate, clip(s))
	case dateNoDay:
		return time.Time{}, fmt.Errorf("%w: no day of month in %s", ErrInvalidDate, clip(s))
	case dateNoMonth:
		return time.Time{}, fmt.Errorf("%w: no month in %s", ErrInvalidDate, clip(s))
	case dateNoYear:
		return time.Time{}, fmt.Errorf("%w: no year in %s", ErrInvalidDate, clip(s))
	case dateDayRange:
		return time.Time{}, fmt.Errorf("%w: day of month %d out of range in %s", ErrInvalidDate, d.day, clip(s))
	case dateYearRange:
		return time.Time{}, fmt.Errorf("%w: year %d before 1601 in %s", ErrInvalidDate, d.year, clip(s))
	case dateTimeRange:
		return time.Time{}, fmt.Errorf("%w: time %02d:%02d:%02d out of range in %s", ErrInvalidDate, d.hour, d.minute, d.second, clip(s))
	default: // dateNoSuchDate
		return time.Time{}, fmt.Errorf("%w: %d %s %d does not exist in %s", ErrInvalidDate, d.day, d.month, d.year, clip(s))
	}
}

// dateFailure says why parseDate failed; dateOK means it did not.
type dateFailure uint8

const (
	dateOK dateFailure = iota
	dateNoTime
	dateNoDay
	dateNoMonth
	dateNoYear
	dateDayRange
	dateYearRange
	dateTimeRange
	dateNoSuchDate
)

// dateFields are the values the cookie-date algorithm read, for messages.
type dateFields struct {
	hour, minute, second, day, year int
	month                           time.Month
}

// parseDate is ParseDate without the error value, so that ParseSetCookie can
// ignore an unparsable Expires (RFC 6265bis section 5.6.1 step 2) without
// allocating.
func parseDate(s string) (time.Time, dateFields, dateFailure) {
	var (
		foundTime, foundDay, foundMonth, foundYear bool
		hour, minute, second, day, year            int
		month                                      time.Month
	)
	// Step 1: divide the cookie-date into date-tokens.
	for i := 0; i < len(s); {
		if isDateDelimiter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isDateDelimiter(s[j]) {
			j++
		}
		tok := s[i:j]
		i = j
		// Step 2: the first matching production not yet found wins.
		if !foundTime {
			if h, m, sec, ok := parseTimeToken(tok); ok {
				foundTime, hour, minute, second = true, h, m, sec
				continue
			}
		}
		if !foundDay {
			if d, ok := parseDigitsToken(tok, 1, 2); ok {
				foundDay, day = true, d
				continue
			}
		}
		if !foundMonth {
			if m, ok := parseMonthToken(tok); ok {
				foundMonth, month = true, m
				continue
			}
		}
		if !foundYear {
			if y, ok := parseDigitsToken(tok, 2, 4); ok {
				foundYear, year = true, y
				continue
			}
		}
	}
	// Steps 3 and 4: two-digit years.
	if year >= 70 && year <= 99 {
		year += 1900
	} else if year >= 0 && year <= 69 {
		year += 2000
	}
	// Step 5: fail on missing tokens or out-of-range values.
	d := dateFields{hour, minute, second, day, year, month}
	switch {
	case !foundTime:
		return time.Time{}, d, dateNoTime
	case !foundDay:
		return time.Time{}, d, dateNoDay
	case !foundMonth:
		return time.Time{}, d, dateNoMonth
	case !foundYear:
		return time.Time{}, d, dateNoYear
	case day < 1 || day > 31:
		return time.Time{}, d, dateDayRange
	case year < 1601:
		return time.Time{}, d, dateYearRange
	case hour > 23 || minute > 59 || second > 59:
		return time.Time{}, d, dateTimeRange
	}
	// Step 6: the date must exist (time.Date would normalise 30 Feb to 2 Mar).
	t := time.Date(year, month, day, hour, minute, second, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, d, dateNoSuchDate
	}
	return t, d, dateOK
}

// isDateDelimiter reports whether c is a delimiter of RFC 6265bis section
// 5.1.1: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
func isDateDelimiter(c byte) bool {
	return c == 0x09 ||
		(c >= 0x20 && c <= 0x2F) ||
		(c >= 0x3B && c <= 0x40) ||
		(c >= 0x5B && c <= 0x60) ||
		(c >= 0x7B && c <= 0x7E)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// leadingDigits returns the value of the digits at the start of s (at most
// max of them) and how many there were.
func leadingDigits(s string, max int) (v, n int) {
	for n < len(s) && n < max && isDigit(s[n]) {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

// parseDigitsToken matches min*maxDIGIT [ non-digit *OCTET ], the shape of
// the day-of-month (1*2DIGIT) and year (2*4DIGIT) productions.
func parseDigitsToken(tok string, min, max int) (int, bool) {
	v, n := leadingDigits(tok, max)
	if n < min {
		return 0, false
	}
	if n < len(tok) && isDigit(tok[n]) {
		return 0, false // more digits than the production allows
	}
	return v, true
}

// parseTimeToken matches time = hms-time [ non-digit *OCTET ] with
// hms-time = time-field ":" time-field ":" time-field, time-field = 1*2DIGIT.
func parseTimeToken(tok string) (h, m, s int, ok bool) {
	var vals [3]int
	rest := tok
	for i := range vals {
		v, n := leadingDigits(rest, 2)
		if n == 0 {
			return 0, 0, 0, false
		}
		vals[i] = v
		rest = rest[n:]
		if i < 2 {
			if len(rest) == 0 || rest[0] != ':' {
				return 0, 0, 0, false
			}
			rest = rest[1:]
		}
	}
	if len(rest) > 0 && isDigit(rest[0]) {
		return 0, 0, 0, false
	}
	return vals[0], vals[1], vals[2], true
}

// parseMonthToken matches month = ( "jan" / ... / "dec" ) *OCTET,
// case-insensitively.
func parseMonthToken(tok string) (time.Month, bool) {
	if len(tok) < 3 {
		return 0, false
	}
	a, b, c := lower(tok[0]), lower(tok[1]), lower(tok[2])
	const months = "janfebmaraprmayjunjulaugsepoctnovdec"
	for i := 0; i < len(months); i += 3 {
		if months[i] == a && months[i+1] == b && months[i+2] == c {
			return time.Month(i/3 + 1), true
		}
	}
	return 0, false
}

// lower lower-cases an ASCII letter and returns any other byte unchanged.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
