package jar

import (
	"errors"
	"strings"
	"testing"
)

// TestAddImportMaxCookieBytes checks that Limits.MaxCookieBytes holds for
// cookies that arrive without a Set-Cookie header, as Add's doc promises
// ("Limits apply as for received cookies"): Add refuses a larger entry
// and Import leaves it out and reports it. Both stored it before.
func TestAddImportMaxCookieBytes(t *testing.T) {
	j, _ := New(&Options{Limits: &Limits{MaxCookieBytes: 10}})
	big := Entry{Name: "n", Value: strings.Repeat("v", 50), Domain: "example.com", HostOnly: true, Path: "/"}
	err := j.Add(big)
	if !errors.Is(err, ErrTooLarge) || j.Len() != 0 {
		t.Fatalf("Add of a 51-octet cookie under MaxCookieBytes 10: %v, %d stored; want ErrTooLarge, none", err, j.Len())
	}
	if strings.Contains(err.Error(), big.Value) {
		t.Errorf("error %q quotes the value", err)
	}
	if err := j.Add(Entry{Name: "n", Value: "123456789", Domain: "example.com", HostOnly: true, Path: "/"}); err != nil {
		t.Fatalf("Add of a 10-octet cookie: %v", err)
	}
	file := "example.com\tFALSE\t/\tFALSE\t0\tbig\t" + strings.Repeat("v", 50) + "\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tok\t1\n"
	k, _ := New(&Options{Limits: &Limits{MaxCookieBytes: 10}})
	rep, err := k.ImportWithReport(strings.NewReader(file))
	if err != nil || rep.Read != 2 || len(rep.Rejected) != 1 || !errors.Is(rep.Rejected[0], ErrTooLarge) ||
		!strings.Contains(rep.Rejected[0].Error(), "line 1") {
		t.Fatalf("Import: %+v, %v; want 2 read, the line 1 cookie rejected as too large", rep, err)
	}
	if es := k.All(); len(es) != 1 || es[0].Name != "ok" {
		t.Fatalf("Import stored %+v, want only ok", es)
	}
}
