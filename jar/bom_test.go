package jar

import (
	"strings"
	"testing"
)

// TestReadBOM checks that a cookie file starting with a UTF-8 byte order
// mark, as some editors save it, reads like one without: DetectFormat
// skipped the mark, but then the JSON reader failed on it ("invalid
// character") and the cookies.txt reader took the header comment for a
// cookie line, so the whole file failed to load.
func TestReadBOM(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		want       Format
	}{
		{"json", "\ufeff{\"version\": 1, \"cookies\": [{\"name\": \"a\", \"value\": \"b\", \"domain\": \"example.com\", \"path\": \"/\"}]}", FormatJSON},
		{"cookies.txt", "\ufeff# Netscape HTTP Cookie File\nexample.com\tFALSE\t/\tFALSE\t0\ta\tb\n", FormatCookiesTxt},
	} {
		es, f, err := ReadEntries(strings.NewReader(tt.data), FormatAuto)
		if err != nil || f != tt.want || len(es) != 1 || es[0].Name != "a" || es[0].Domain != "example.com" {
			t.Errorf("%s with a BOM: %v, %+v, %v; want one cookie a", tt.name, f, es, err)
		}
		j, _ := New(nil)
		if n, err := j.Import(strings.NewReader(tt.data)); n != 1 || err != nil {
			t.Errorf("%s with a BOM: Import read %d, %v", tt.name, n, err)
		}
	}
}
