package jar

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCookiesTxtMalformedLineSkipped checks that Import and Load leave out
// a cookies.txt line they cannot read, as curl ignores such lines
// (lib/cookie.c, parse_netscape), and list it in the report, instead of
// failing the whole file: an includeSubdomains or secure field that is not
// TRUE or FALSE, an expires that is not a Unix time, the wrong number of
// fields, a relative path, an empty domain. Before, Load failed at the
// first such line and every other cookie of the file was lost. The
// exported readers still fail on it.
func TestCookiesTxtMalformedLineSkipped(t *testing.T) {
	long := strings.Repeat("x", 5000)
	const goodA = "example.com\tFALSE\t/\tFALSE\t0\tbefore\t1\n"
	const goodB = "example.com\tFALSE\t/\tFALSE\t0\tafter\t2\n"
	bad := []struct {
		line, want string
	}{
		{"example.com\tMAYBE\t/\tFALSE\t0\tsub\tsecret1\n", "includeSubdomains"},
		{"example.com\tFALSE\t/\tyes\t0\tsec\tsecret2\n", "secure"},
		{"example.com\tFALSE\t/\tFALSE\tsoon\texp\tsecret3\n", "expires"},
		{"example.com\tFALSE\t/\tFALSE\t-5\tneg\tsecret4\n", "expires"},
		{"example.com\tFALSE\t/\n", "fields"},
		{"example.com\tFALSE\t/\tFALSE\t0\ta\tb\tsecret5\n", "fields"},
		{"example.com\tFALSE\tpath\tFALSE\t0\trel\tsecret6\n", "path"},
		{"\tFALSE\t/\tFALSE\t0\tnodomain\tsecret7\n", "domain"},
		{"example.com\tFALSE\t/\tFALSE\t0\t\t\n", "empty"},
		{"example.com\t" + long + "\t/\tFALSE\t0\tlong\tsecret8\n", "includeSubdomains"},
	}
	file := "# Netscape HTTP Cookie File\n" + goodA
	for _, b := range bad {
		file += b.line
	}
	file += goodB
	check := func(t *testing.T, j *Jar, rep ImportReport) {
		t.Helper()
		if rep.Read != len(bad)+2 || len(rep.Rejected) != len(bad) || rep.RejectedUnlisted != 0 {
			t.Fatalf("report: Read %d, %d rejected, %d unlisted; want %d, %d, 0", rep.Read, len(rep.Rejected), rep.RejectedUnlisted, len(bad)+2, len(bad))
		}
		for i, b := range bad {
			err := rep.Rejected[i]
			var pe *ParseError
			msg := err.Error()
			if !errors.As(err, &pe) || pe.Line != i+3 || !errors.Is(err, ErrSyntax) {
				t.Errorf("Rejected[%d] = %v; want a *ParseError for line %d", i, err, i+3)
				continue
			}
			if !strings.Contains(msg, "left out") || !strings.Contains(msg, b.want) {
				t.Errorf("Rejected[%d] = %q; want it to say the line was left out, and %q", i, msg, b.want)
			}
			if strings.Contains(msg, "secret") || len(msg) > 300 {
				t.Errorf("Rejected[%d] = %q; want no value and a short message", i, msg)
			}
		}
		if got, want := j.CookieHeader(mustURL("http://example.com/")), "before=1; after=2"; got != want {
			t.Errorf("Cookie %q, want %q", got, want)
		}
	}
	t.Run("Import", func(t *testing.T) {
		j, _ := New(nil)
		rep, err := j.ImportWithReport(strings.NewReader(file))
		if err != nil {
			t.Fatalf("Import: %v; want the good lines loaded", err)
		}
		check(t, j, rep)
	})
	t.Run("Load", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cookies.txt")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		j, _ := New(nil)
		rep, err := j.LoadWithReport(path)
		if err != nil {
			t.Fatalf("Load: %v; want the good lines loaded", err)
		}
		check(t, j, rep)
		if n, err := j.Load(path); err != nil || n != len(bad)+2 {
			t.Errorf("Load = %d, %v; want %d, nil", n, err, len(bad)+2)
		}
	})
	t.Run("ReadCookiesTxt", func(t *testing.T) {
		var pe *ParseError
		if _, err := ReadCookiesTxt(strings.NewReader(file)); !errors.As(err, &pe) || pe.Line != 3 {
			t.Errorf("ReadCookiesTxt: %v; want a *ParseError for line 3", err)
		}
	})
}

// TestCookiesTxtNoCookieLineFails checks that a file Import reads as
// cookies.txt but which has malformed lines and not one cookie line (not a
// cookies file: an HTML page, binary data) still fails as a whole with the
// *ParseError of its first malformed line, leaving the jar unchanged.
func TestCookiesTxtNoCookieLineFails(t *testing.T) {
	for name, file := range map[string]string{
		"html":      "<!DOCTYPE html>\n<html><body>Not Found</body></html>\n",
		"binary":    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\n\x00\x01\t\x02\x03\n",
		"every bad": "# Netscape HTTP Cookie File\n\nexample.com\tMAYBE\t/\tFALSE\t0\ta\tb\nexample.com\tFALSE\t/\tFALSE\tsoon\tc\td\n",
	} {
		t.Run(name, func(t *testing.T) {
			j, _ := New(nil)
			if err := j.Add(Entry{Name: "keep", Value: "1", Domain: "example.com", Path: "/", HostOnly: true}); err != nil {
				t.Fatal(err)
			}
			rep, err := j.ImportWithReport(strings.NewReader(file))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) || pe.Format != FormatCookiesTxt {
				t.Fatalf("Import: %v; want a cookies.txt *ParseError", err)
			}
			if name == "every bad" && pe.Line != 3 {
				t.Errorf("error on line %d, want 3 (the first malformed line)", pe.Line)
			}
			if rep.Read != 0 || len(rep.Rejected) != 0 || j.Len() != 1 {
				t.Errorf("report %+v, jar of %d; want an empty report and the jar unchanged", rep, j.Len())
			}
		})
	}
	// A file of only refused cookie lines (well-formed) and malformed
	// ones is a cookies file: it loads, nothing added.
	j, _ := New(nil)
	rep, err := j.ImportWithReport(strings.NewReader("example.com\tFALSE\t/\tFALSE\t0\tsemi\tx;y\nexample.com\tMAYBE\t/\tFALSE\t0\ta\tb\n"))
	if err != nil || rep.Read != 2 || len(rep.Rejected) != 2 || j.Len() != 0 {
		t.Errorf("Import: %+v, %v, jar of %d; want 2 read, 2 rejected, nothing added", rep, err, j.Len())
	}
}

// FuzzImportCookiesTxt checks Import against ReadCookiesTxt on any
// cookies.txt input: a file the exported reader takes is imported whole,
// a file Import refuses the reader refuses too, and a successful Import
// reports every line it left out (so one with nothing left out is a file
// the reader takes).
func FuzzImportCookiesTxt(f *testing.F) {
	addTestdataSeeds(f, "*.txt")
	f.Add([]byte("example.com\tFALSE\t/\tFALSE\t0\ta\tb\nexample.com\tMAYBE\t/\tFALSE\t0\tc\td\n"))
	f.Add([]byte("example.com\tFALSE\t/\tFALSE\t0\ta\tb;c\nx\n"))
	f.Add([]byte("<html>\n\x00\x01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if fm, _ := DetectFormat(bufio.NewReader(bytes.NewReader(data))); fm != FormatCookiesTxt {
			return // Import reads it as JSON
		}
		es, rerr := ReadCookiesTxt(bytes.NewReader(data))
		j := newTestJar(t, nil)
		rep, err := j.ImportWithReport(bytes.NewReader(data))
		if rerr == nil && (err != nil || rep.Read != len(es)) {
			t.Fatalf("ReadCookiesTxt read %d cookies; Import: %+v, %v", len(es), rep, err)
		}
		if err != nil {
			if rerr == nil {
				t.Fatalf("Import failed (%v), ReadCookiesTxt did not", err)
			}
			if rep.Read != 0 || len(rep.Rejected) != 0 || j.Len() != 0 {
				t.Fatalf("failed Import: %+v, jar of %d; want nothing", rep, j.Len())
			}
			return
		}
		left := len(rep.Rejected) + rep.RejectedUnlisted
		if left > rep.Read || len(rep.Rejected) > maxRejected {
			t.Fatalf("report %+v: more left out than read", rep)
		}
		if left == 0 && rerr != nil {
			t.Fatalf("Import left nothing out, but ReadCookiesTxt failed: %v", rerr)
		}
		for _, e := range rep.Rejected {
			if !strings.Contains(e.Error(), " line ") {
				t.Fatalf("Rejected error %q names no line", e)
			}
		}
		checkInvariants(t, j)
	})
}
