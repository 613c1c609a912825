package jar

import (
	"errors"
	"strings"
	"testing"
)

// TestImportLeavesOutFakeALabelDomains: a file the jar wrote before it
// checked A-labels (RFC 6265bis section 5.1.2 step 4) may hold a cookie
// for a Domain with a Fake A-label. Import leaves that cookie out, loads
// the rest and lists it, in line order with a prefix-rule violator,
// instead of failing the whole file; the exported readers still refuse it.
func TestImportLeavesOutFakeALabelDomains(t *testing.T) {
	txt := "example.com\tFALSE\t/\tFALSE\t0\tgood\t1\n" +
		"xn--a.example\tFALSE\t/\tFALSE\t0\tfake\ts3cret\n" +
		"example.com\tFALSE\t/\tFALSE\t0\t__Secure-x\ts3cret\n"
	json := `{"version": 1, "cookies": [
  {"name": "good", "value": "1", "domain": "example.com", "hostOnly": true, "path": "/"},
  {"name": "fake", "value": "s3cret", "domain": "www.xn--zz.example", "hostOnly": true, "path": "/"},
  {"name": "__Secure-x", "value": "s3cret", "domain": "example.com", "hostOnly": true, "path": "/"},
  {"name": "chip", "value": "s3cret", "domain": "example.com", "hostOnly": true, "path": "/",
   "secure": true, "partitioned": true, "partitionKey": "https://xn--a.example"}
]}`
	for _, tt := range []struct {
		name, file, fake string
		read             int
	}{
		{"cookies.txt", txt, "cookies.txt line 2", 3},
		{"JSON", json, "JSON line 3", 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			rep, err := j.ImportWithReport(strings.NewReader(tt.file))
			if err != nil {
				t.Fatalf("ImportWithReport: %v", err)
			}
			if all := j.All(); len(all) != 1 || all[0].Name != "good" {
				t.Errorf("jar holds %+v, want the good cookie only", all)
			}
			if rep.Read != tt.read || len(rep.Rejected) != tt.read-1 {
				t.Fatalf("report: Read %d, Rejected %v; want %d, %d", rep.Read, rep.Rejected, tt.read, tt.read-1)
			}
			if tt.read == 4 && !errors.Is(rep.Rejected[2], errFakeALabel) {
				t.Errorf("third rejected = %v, want the Fake A-label partition key", rep.Rejected[2])
			}
			first, second := rep.Rejected[0], rep.Rejected[1]
			if !errors.Is(first, errFakeALabel) || !strings.Contains(strings.ToLower(first.Error()), strings.ToLower(tt.fake)) || !strings.Contains(first.Error(), `"fake"`) {
				t.Errorf("first rejected = %v, want the Fake A-label cookie at %s", first, tt.fake)
			}
			if !errors.Is(second, ErrPrefix) {
				t.Errorf("second rejected = %v, want ErrPrefix", second)
			}
			for _, e := range rep.Rejected {
				if strings.Contains(e.Error(), "s3cret") {
					t.Errorf("rejected error shows a value: %v", e)
				}
			}
			if _, _, err := ReadEntries(strings.NewReader(tt.file), FormatAuto); !errors.Is(err, ErrSyntax) || !errors.Is(err, errFakeALabel) {
				t.Errorf("ReadEntries: %v, want a *ParseError for the Fake A-label", err)
			}
		})
	}
}
