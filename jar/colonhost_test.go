package jar

import (
	"errors"
	"strings"
	"testing"
)

// TestImportColonHost checks that a file cookie whose domain carries a
// port ("localhost:8080", which the jar read as a host name of its own
// before it canonicalized IPv6 hosts) is left out and reported, not a
// failure of the whole file, while IPv6 domains load canonicalized.
// Before this change such a file failed to load at all ("invalid domain").
func TestImportColonHost(t *testing.T) {
	const file = "# Netscape HTTP Cookie File\n" +
		"localhost:8080\tFALSE\t/\tFALSE\t0\tported\t1\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tok\t2\n" +
		"0:0::1\tFALSE\t/\tFALSE\t0\tv6\t3\n"
	j, _ := New(nil)
	rep, err := j.ImportWithReport(strings.NewReader(file))
	if err != nil || rep.Read != 3 || len(rep.Rejected) != 1 || !errors.Is(rep.Rejected[0], errColonHost) ||
		!strings.Contains(rep.Rejected[0].Error(), "line 2") {
		t.Fatalf("Import: %+v, %v; want 3 read, line 2 rejected for its port", rep, err)
	}
	got := map[string]string{}
	for _, e := range j.All() {
		got[e.Name] = e.Domain
	}
	if len(got) != 2 || got["ok"] != "example.com" || got["v6"] != "::1" {
		t.Fatalf("loaded %v, want ok for example.com and v6 for ::1", got)
	}
	// The exported reader reports it as a malformed line, as it does a
	// Fake A-label.
	if _, err := ReadCookiesTxt(strings.NewReader(file)); !errors.Is(err, ErrSyntax) || !errors.Is(err, errColonHost) {
		t.Fatalf("ReadCookiesTxt: %v, want a *ParseError for the port", err)
	}
	if _, err := ReadJSON(strings.NewReader(`{"version": 1, "cookies": [{"name": "a", "value": "b", "domain": "x.example:80", "path": "/"}]}`)); !errors.Is(err, errColonHost) {
		t.Fatalf("ReadJSON: %v, want errColonHost", err)
	}
}

// TestImportPortOutOfRange: a JSON file cookie whose RFC 2965 Port list
// holds 0 or a number past 65535 (the jar stored a bare Port set on
// http://host:0/ so until 44d41ff) is left out and reported, not a
// failure of the whole file, which lost every other cookie.
func TestImportPortOutOfRange(t *testing.T) {
	const file = `{"version": 1, "cookies": [
{"name": "a", "value": "1", "domain": "example.com", "hostOnly": true, "path": "/", "version": 1, "port": [0]},
{"name": "b", "value": "2", "domain": "example.com", "hostOnly": true, "path": "/"},
{"name": "c", "value": "3", "domain": "example.com", "hostOnly": true, "path": "/", "version": 1, "port": [80, 99999]}]}`
	j, _ := New(&Options{RFC2965: true})
	rep, err := j.ImportWithReport(strings.NewReader(file))
	if err != nil || rep.Read != 3 || len(rep.Rejected) != 2 || !errors.Is(rep.Rejected[0], errPortRange) ||
		!strings.Contains(rep.Rejected[0].Error(), "line 2") || !strings.Contains(rep.Rejected[1].Error(), "line 4") {
		t.Fatalf("Import: %+v, %v; want 3 read, lines 2 and 4 rejected for their ports", rep, err)
	}
	if es := j.All(); len(es) != 1 || es[0].Name != "b" {
		t.Fatalf("loaded %+v, want only b", es)
	}
	if _, err := ReadJSON(strings.NewReader(file)); !errors.Is(err, ErrSyntax) || !errors.Is(err, errPortRange) {
		t.Fatalf("ReadJSON: %v, want a *ParseError for the port", err)
	}
}
