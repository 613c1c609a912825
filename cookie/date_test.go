package cookie

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// parseDateTests cover each rule of RFC 6265bis section 5.1.1 beyond the
// http-state vectors.
var parseDateTests = []struct {
	in   string
	want string // IMF-fixdate, or "" for an error
}{
	{"Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"},  // IMF-fixdate
	{"Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"}, // RFC 850
	{"Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 GMT"},       // asctime
	{"6 nOvEmBeR 1994 8:9:7", "Sun, 06 Nov 1994 08:09:07 GMT"},          // case-insensitive month, 1-digit fields
	{"06 Nov 69 00:00:00", "Wed, 06 Nov 2069 00:00:00 GMT"},             // 0-69 => 20xx
	{"06 Nov 70 00:00:00", "Fri, 06 Nov 1970 00:00:00 GMT"},             // 70-99 => 19xx
	{"06 Nov 0 00:00:00", ""},                                           // year needs 2 digits: "0" is taken as nothing
	{"06 Nov 00 00:00:00", "Mon, 06 Nov 2000 00:00:00 GMT"},             // "00" => 2000
	{"06 Nov 1600 00:00:00", ""},                                        // year < 1601
	{"01 Jan 1601 00:00:00", "Mon, 01 Jan 1601 00:00:00 GMT"},           // the earliest date
	{"31 Dec 9999 23:59:59", "Fri, 31 Dec 9999 23:59:59 GMT"},           // four digits at most
	{"01 Jan 10000 00:00:00", ""},                                       // five-digit year is no year
	{"32 Jan 2020 00:00:00", ""},                                        // day > 31
	{"00 Jan 2020 00:00:00", ""},                                        // day < 1
	{"30 Feb 2020 00:00:00", ""},                                        // no such date (step 6)
	{"29 Feb 2020 00:00:00", "Sat, 29 Feb 2020 00:00:00 GMT"},           // leap day
	{"29 Feb 2021 00:00:00", ""},                                        // not a leap year
	{"01 Jan 2020 24:00:00", ""},                                        // hour > 23
	{"01 Jan 2020 23:60:00", ""},                                        // minute > 59
	{"01 Jan 2020 23:59:60", ""},                                        // no leap seconds
	{"01 Jan 2020 123:00:00", ""},                                       // time-field is 1*2DIGIT
	{"01 Jan 2020", ""},                                                 // no time
	{"Jan 2020 00:00:00", ""},                                           // "2020" is no day (3+ digits): no day found
	{"01 2020 00:00:00", ""},                                            // no month
	{"01 Jan 00:00:00", ""},                                             // "01" is the day; no year
	{"", ""},
	{"00:00:00xyz 1 janfoo 2020abc", "Wed, 01 Jan 2020 00:00:00 GMT"}, // trailing non-digits are allowed
	{"00:00:001 1 jan 2020", ""},                                      // a time followed by a digit is not a time
	{"1a 00:00:00 jan 2020", "Wed, 01 Jan 2020 00:00:00 GMT"},         // day-of-month then non-digit
	{"\x00 1 jan 2020 00:00:00", "Wed, 01 Jan 2020 00:00:00 GMT"},     // %x00 is a non-delimiter token matching nothing
	{"1~jan{2020}00:00:00", "Wed, 01 Jan 2020 00:00:00 GMT"},          // %x7B-7E are delimiters
	{"1\x7fjan 2020 00:00:00", ""},                                    // %x7F is not: "1\x7fjan" is a day, "2020" no month
	{"2020 1 jan 00:00:00", "Wed, 01 Jan 2020 00:00:00 GMT"},          // 4 digits are no day, so "2020" is the year and "1" the day
}

func TestParseDate(t *testing.T) {
	for _, tt := range parseDateTests {
		got, err := ParseDate(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %s, want an error", tt.in, got.Format(imfFixdate))
			} else if !errors.Is(err, ErrInvalidDate) {
				t.Errorf("ParseDate(%q) error %v does not wrap ErrInvalidDate", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q) error %v, want %s", tt.in, err, tt.want)
			continue
		}
		if got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) location %v, want UTC", tt.in, got.Location())
		}
		if g := got.Format(imfFixdate); g != tt.want {
			t.Errorf("ParseDate(%q) = %s, want %s", tt.in, g, tt.want)
		}
	}
}

// TestParseDateErrorClipped: the error quotes the date for the reader, but
// no more than 32 octets of it; a hostile megabyte must not reach a log.
func TestParseDateErrorClipped(t *testing.T) {
	long := "Wed, 09 Jun 2021 " + strings.Repeat("x", 1<<20)
	_, err := ParseDate(long)
	if !errors.Is(err, ErrInvalidDate) {
		t.Fatalf("ParseDate(long) error %v, want ErrInvalidDate", err)
	}
	if msg := err.Error(); len(msg) > 200 || !strings.Contains(msg, `"Wed, 09 Jun 2021 xxxxxxxxxxxxxxx"...`) {
		t.Errorf("ParseDate(long) error of %d octets: %.300q", len(msg), msg)
	}
	const short = "Wed, 30 Feb 2021 10:18:14 GMT"
	if _, err := ParseDate(short); err == nil || !strings.Contains(err.Error(), `"`+short+`"`) {
		t.Errorf("ParseDate(%q) error %v, want it quoted in full", short, err)
	}
}
