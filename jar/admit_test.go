package jar

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAddPrefixRules checks that Add holds entries to the cookie name
// prefix rules of RFC 6265bis section 5.7 steps 20-22 (prefixes matched
// case-insensitively, section 5.4), with an entry's Path standing for an
// explicit Path attribute and HostOnly for the host-only-flag.
func TestAddPrefixRules(t *testing.T) {
	host := Entry{Value: "1", Domain: "site.example", HostOnly: true, Path: "/", Secure: true}
	tests := []struct {
		name    string
		edit    func(*Entry)
		wantErr bool
	}{
		{"__Secure- with Secure (step 20)", func(e *Entry) { e.Name, e.HostOnly = "__Secure-a", false }, false},
		{"__Secure- without Secure (step 20)", func(e *Entry) { e.Name, e.Secure = "__Secure-a", false }, true},
		{"__SECURE- without Secure, any case (5.4, step 20)", func(e *Entry) { e.Name, e.Secure = "__SECURE-a", false }, true},
		{"__Host- Secure, host-only, Path / (step 21)", func(e *Entry) { e.Name = "__Host-a" }, false},
		{"__Host- without Secure (step 21.1)", func(e *Entry) { e.Name, e.Secure = "__Host-a", false }, true},
		{"__host- domain cookie (step 21.2)", func(e *Entry) { e.Name, e.HostOnly = "__host-a", false }, true},
		{"__HOST- Path /x (step 21.3)", func(e *Entry) { e.Name, e.Path = "__HOST-a", "/x" }, true},
		{"__Host- on an IP host, host-only by the jar (step 21)", func(e *Entry) { e.Name, e.Domain, e.HostOnly = "__Host-a", "192.0.2.1", false }, false},
		{"nameless, value __Host- (step 22)", func(e *Entry) { e.Name, e.Value = "", "__Host-a=1" }, true},
		{"nameless, value __secure- (step 22)", func(e *Entry) { e.Name, e.Value = "", "__secure-a" }, true},
		{"plain name without Secure", func(e *Entry) { e.Name, e.Secure = "a", false }, false},
		{"prefix inside the name", func(e *Entry) { e.Name, e.Secure = "x__Host-a", false }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			e := host
			tt.edit(&e)
			err := j.Add(e)
			if tt.wantErr {
				if !errors.Is(err, ErrPrefix) {
					t.Errorf("Add(%+v) error = %v, want one matching ErrPrefix", e, err)
				}
				if j.Len() != 0 {
					t.Errorf("jar holds %d cookies, want 0", j.Len())
				}
				return
			}
			if err != nil || j.Len() != 1 {
				t.Errorf("Add(%+v) = %v with %d cookies stored, want nil and 1", e, err, j.Len())
			}
		})
	}
	// Add stops at the refused entry; the ones before it are stored.
	j := newTestJar(t, nil)
	ok := host
	ok.Name = "a"
	bad := host
	bad.Name, bad.Secure = "__Secure-b", false
	if err := j.Add(ok, bad); !errors.Is(err, ErrPrefix) || !strings.Contains(err.Error(), "entry 1") {
		t.Errorf("Add(ok, bad) = %v, want entry 1 matching ErrPrefix", err)
	}
	if j.Len() != 1 {
		t.Errorf("jar holds %d cookies, want 1", j.Len())
	}
}

// TestAddCapsExpiry checks the 400-day cookie lifetime limit of RFC 6265bis
// section 5.5 (applied by sections 5.6.1 step 4 and 5.6.2 step 6) on
// cookies added directly: counted from the jar's clock.
func TestAddCapsExpiry(t *testing.T) {
	const day = 24 * time.Hour
	limit := tNow.Add(400 * day)
	tests := []struct {
		name       string
		persistent bool
		expires    time.Time
		want       time.Time
	}{
		{"10 days ahead", true, tNow.Add(10 * day), tNow.Add(10 * day)},
		{"exactly 400 days ahead", true, limit, limit},
		{"400 days and a second", true, limit.Add(time.Second), limit},
		{"year 9999", true, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), limit},
		{"session cookie", false, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			e := Entry{Name: "a", Value: "1", Domain: "example.com", HostOnly: true, Path: "/",
				Persistent: tt.persistent, Expires: tt.expires}
			if err := j.Add(e); err != nil {
				t.Fatal(err)
			}
			got := j.All()
			if len(got) != 1 || !got[0].Expires.Equal(tt.want) {
				t.Fatalf("All() = %+v, want one cookie expiring %v", got, tt.want)
			}
		})
	}
}

// TestImportLeavesOutPrefixViolations checks that a file cookie breaking a
// cookie name prefix rule (RFC 6265bis section 5.7 steps 20-22) is not
// admitted, that it does not fail the rest of the file, and that
// ImportWithReport names it with its line, matching ErrPrefix; and that
// expiry-times beyond 400 days are capped (section 5.5).
func TestImportLeavesOutPrefixViolations(t *testing.T) {
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	txt := "# Netscape HTTP Cookie File\n" +
		"site.example\tFALSE\t/\tTRUE\t0\tok\t1\n" +
		"site.example\tFALSE\t/\tFALSE\t0\t__Secure-x\t2\n" +
		"#HttpOnly_.site.example\tTRUE\t/\tTRUE\t0\t__Host-y\t3\n" +
		fmt.Sprintf("site.example\tFALSE\t/\tTRUE\t%d\t__Host-z\t4\n", far.Unix())
	var buf strings.Builder
	es := []Entry{
		{Name: "ok", Value: "1", Domain: "site.example", HostOnly: true, Path: "/", Secure: true},
		{Name: "", Value: "__Host-n", Domain: "site.example", HostOnly: true, Path: "/", Secure: true},
	}
	if err := WriteJSON(&buf, es); err != nil {
		t.Fatal(err)
	}
	jsonDoc := buf.String()
	// The nameless cookie's object starts on the line before its "name".
	nameless := strings.Count(jsonDoc[:strings.Index(jsonDoc, `"name": ""`)], "\n")
	tests := []struct {
		name       string
		in         string
		wantRead   int
		wantLines  []string // in the Rejected errors, in order
		wantHeader string   // for https://site.example/
	}{
		{"cookies.txt", txt, 4, []string{"cookies.txt line 3: cookie \"__Secure-x\"", "cookies.txt line 4: cookie \"__Host-y\""}, "ok=1; __Host-z=4"},
		{"JSON", jsonDoc, 2, []string{fmt.Sprintf("json line %d: cookie \"\"", nameless)}, "ok=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			rep, err := j.ImportWithReport(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ImportWithReport: %v", err)
			}
			if rep.Read != tt.wantRead || len(rep.Rejected) != len(tt.wantLines) {
				t.Fatalf("report %+v, want %d read and %d rejected", rep, tt.wantRead, len(tt.wantLines))
			}
			for i, rerr := range rep.Rejected {
				if !errors.Is(rerr, ErrPrefix) || errors.Is(rerr, ErrSyntax) || !strings.Contains(rerr.Error(), tt.wantLines[i]) {
					t.Errorf("Rejected[%d] = %v, want it to match ErrPrefix (not ErrSyntax) and name %q", i, rerr, tt.wantLines[i])
				}
			}
			if got := j.CookieHeader(mustURL("https://site.example/")); got != tt.wantHeader {
				t.Errorf("CookieHeader = %q, want %q", got, tt.wantHeader)
			}
			for _, e := range j.All() {
				if e.Persistent && e.Expires.After(tNow.Add(400*24*time.Hour)) {
					t.Errorf("cookie %s expires %v, beyond the 400-day limit", e.Name, e.Expires)
				}
			}
			// Import and Load take the same path and count what they read.
			j2 := newTestJar(t, nil)
			if n, err := j2.Import(strings.NewReader(tt.in)); err != nil || n != tt.wantRead || j2.Len() != j.Len() {
				t.Errorf("Import = %d, %v with %d cookies; want %d, nil, %d", n, err, j2.Len(), tt.wantRead, j.Len())
			}
			path := filepath.Join(t.TempDir(), "cookies")
			if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
				t.Fatal(err)
			}
			j3 := newTestJar(t, nil)
			if rep, err := j3.LoadWithReport(path); err != nil || rep.Read != tt.wantRead || len(rep.Rejected) != len(tt.wantLines) || j3.Len() != j.Len() {
				t.Errorf("LoadWithReport = %+v, %v with %d cookies", rep, err, j3.Len())
			}
		})
	}
}
