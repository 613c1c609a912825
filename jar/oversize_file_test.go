package jar

import (
	"errors"
	"strings"
	"testing"
)

// TestImportOverHardSizeLimit checks that a file cookie whose name and
// value exceed 4096 octets (RFC 6265bis section 5.7 step 4, and the most
// Limits.MaxCookieBytes can be) is left out and listed with ErrTooLarge,
// as Import's doc says of cookies over the size limit, instead of failing
// the whole file: under the default limits (4096) the file failed at that
// line and every other cookie was lost, while one of 4000 octets under a
// limit of 1000 was skipped. Add's error for it matches ErrTooLarge too.
func TestImportOverHardSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 4097)
	file := "example.com\tFALSE\t/\tFALSE\t0\tok\t1\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tbig\t" + big + "\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tok2\t2\n"
	j, _ := New(nil)
	rep, err := j.ImportWithReport(strings.NewReader(file))
	if err != nil || rep.Read != 3 || len(rep.Rejected) != 1 || !errors.Is(rep.Rejected[0], ErrTooLarge) ||
		!strings.Contains(rep.Rejected[0].Error(), "line 2") || strings.Contains(rep.Rejected[0].Error(), "xxxx") {
		t.Fatalf("Import: %+v, %v; want 3 read, line 2 rejected with ErrTooLarge", rep, err)
	}
	if got := j.CookieHeader(mustURL("http://example.com/")); got != "ok=1; ok2=2" {
		t.Errorf("Cookie %q, want ok=1; ok2=2", got)
	}
	if err := j.Add(Entry{Name: "big", Value: big, Domain: "example.com", Path: "/"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Add of a 4100-octet cookie: %v, want ErrTooLarge", err)
	}
}
