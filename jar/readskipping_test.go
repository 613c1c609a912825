package jar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestReadEntriesSkipping: ReadEntriesSkipping reads a cookie file as
// Import does, for the cookie tools that list or convert one: a malformed
// cookies.txt line and a cookie a Jar refuses are left out and reported to
// skip in line order (line named, never the value), the other entries are
// returned as read (an expired one too), and a file with no cookie line at
// all fails with its first malformed line's *ParseError.
func TestReadEntriesSkipping(t *testing.T) {
	file := "# Netscape HTTP Cookie File\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tbefore\t1\n" +
		"example.com\tMAYBE\t/\tFALSE\t0\tsub\tsecret1\n" +
		"example.com\tFALSE\t/\tFALSE\t1\told\t2\n" +
		"xn--ab.example\tFALSE\t/\tFALSE\t0\tfake\tsecret2\n" +
		"example.com\tFALSE\t/\tFALSE\tsoon\texp\tsecret3\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tafter\t3\n"
	var skipped []error
	es, f, err := ReadEntriesSkipping(strings.NewReader(file), FormatAuto, func(err error) { skipped = append(skipped, err) })
	if err != nil || f != FormatCookiesTxt {
		t.Fatalf("ReadEntriesSkipping: %v, %v; want cookies.txt, no error", f, err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, ","); got != "before,old,after" {
		t.Errorf("entries %s; want before,old,after", got)
	}
	want := []struct {
		line   string
		syntax bool
	}{{"line 3", true}, {"line 5", false}, {"line 6", true}}
	if len(skipped) != len(want) {
		t.Fatalf("skipped %d lines (%v); want %d", len(skipped), skipped, len(want))
	}
	for i, w := range want {
		msg := skipped[i].Error()
		if !strings.Contains(msg, w.line+":") || !strings.Contains(msg, "left out") || strings.Contains(msg, "secret") {
			t.Errorf("skipped[%d] = %q; want it to name %s, say left out, and not hold the value", i, msg, w.line)
		}
		if errors.Is(skipped[i], ErrSyntax) != w.syntax {
			t.Errorf("skipped[%d] = %q: matches ErrSyntax %v, want %v", i, msg, !w.syntax, w.syntax)
		}
	}
	// The exported strict reader still fails on the file.
	if _, err := ReadCookiesTxt(strings.NewReader(file)); err == nil {
		t.Error("ReadCookiesTxt accepted a malformed line")
	}
	// Nothing but malformed lines (an HTML page): the first line's error.
	skipped = nil
	_, _, err = ReadEntriesSkipping(strings.NewReader("<html>\n<body>\n"), FormatAuto, func(err error) { skipped = append(skipped, err) })
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 1 {
		t.Errorf("an HTML page: %v; want the *ParseError of line 1", err)
	}
	// A nil skip is allowed.
	if es, _, err := ReadEntriesSkipping(strings.NewReader(file), FormatCookiesTxt, nil); err != nil || len(es) != 3 {
		t.Errorf("nil skip: %d entries, %v; want 3, nil", len(es), err)
	}
	// JSON: a malformed value fails the file.
	if _, _, err := ReadEntriesSkipping(strings.NewReader(`[{"name": 5}]`), FormatAuto, nil); !errors.Is(err, ErrSyntax) {
		t.Errorf("malformed JSON: %v; want ErrSyntax", err)
	}
}

// FuzzReadEntriesSkipping checks ReadEntriesSkipping against Import on any
// input: they fail together, and the entries returned plus the lines
// skipped are the cookies Import reports read; a file ReadEntries takes
// is returned whole, nothing skipped.
func FuzzReadEntriesSkipping(f *testing.F) {
	addTestdataSeeds(f, "*.txt")
	f.Add([]byte("example.com\tFALSE\t/\tFALSE\t0\ta\tb\nexample.com\tMAYBE\t/\tFALSE\t0\tc\td\n"))
	f.Add([]byte("xn--ab.example\tFALSE\t/\tFALSE\t0\tfake\tv\n<html>\n"))
	f.Add([]byte(`[{"name":"a","value":"b","domain":"example.com","path":"/"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		skipped := 0
		es, _, err := ReadEntriesSkipping(bytes.NewReader(data), FormatAuto, func(err error) {
			skipped++
			if !strings.Contains(err.Error(), " line ") || !strings.Contains(err.Error(), "left out") {
				t.Fatalf("skip error %q names no line or does not say left out", err)
			}
		})
		j := newTestJar(t, nil)
		rep, ierr := j.ImportWithReport(bytes.NewReader(data))
		if (err == nil) != (ierr == nil) {
			t.Fatalf("ReadEntriesSkipping: %v; Import: %v", err, ierr)
		}
		if err != nil {
			return
		}
		if len(es)+skipped != rep.Read {
			t.Fatalf("%d entries and %d skipped; Import read %d", len(es), skipped, rep.Read)
		}
		if strict, _, serr := ReadEntries(bytes.NewReader(data), FormatAuto); serr == nil && (skipped != 0 || len(strict) != len(es)) {
			t.Fatalf("ReadEntries took the file (%d entries); ReadEntriesSkipping: %d, %d skipped", len(strict), len(es), skipped)
		}
	})
}
