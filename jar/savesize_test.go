package jar

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSaveTooLargeForReaders checks that Save refuses to write a file
// larger than the readers take (64 MiB; the test lowers the limit) and
// keeps the old file: a jar with raised limits can hold that much, and
// Save replaced the previous file with one that Load then refused as a
// whole, every cookie lost.
func TestSaveTooLargeForReaders(t *testing.T) {
	j, _ := New(nil)
	dir := t.TempDir()
	for _, name := range []string{"cookies.json", "cookies.txt"} {
		path := filepath.Join(dir, name)
		j.Clear()
		if err := j.Add(Entry{Name: "old", Value: "1", Domain: "example.com", Path: "/"}); err != nil {
			t.Fatal(err)
		}
		j.saveLimit = 0
		if err := j.Save(path, &SaveOptions{SessionCookies: true}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		// A file of exactly the limit is written.
		j.saveLimit = int(fi.Size())
		if err := j.Save(path, &SaveOptions{SessionCookies: true}); err != nil {
			t.Fatalf("%s at the limit: %v", name, err)
		}
		if err := j.Add(Entry{Name: "new", Value: "2", Domain: "example.com", Path: "/"}); err != nil {
			t.Fatal(err)
		}
		if err := j.Save(path, &SaveOptions{SessionCookies: true}); !errors.Is(err, ErrFileTooLarge) {
			t.Errorf("%s over the limit: %v, want ErrFileTooLarge", name, err)
		}
		k, _ := New(nil)
		if n, err := k.Load(path); n != 1 || err != nil {
			t.Errorf("%s: Load of the kept file: %d, %v; want the old cookie", name, n, err)
		}
	}
}

// TestSaveWithReportRefusedWritesNothing checks that the report of a
// SaveWithReport that did not replace the file says no cookie was
// written: it counted the cookies formatted into the refused buffer, so
// a caller trusting Written took them for saved.
func TestSaveWithReportRefusedWritesNothing(t *testing.T) {
	j, _ := New(nil)
	if err := j.Add(Entry{Name: "a", Value: "1", Domain: "example.com", Path: "/"},
		Entry{Name: "tab", Value: "x\ty", Domain: "example.com", Path: "/"}); err != nil {
		t.Fatal(err)
	}
	j.saveLimit = 10
	path := filepath.Join(t.TempDir(), "cookies.txt")
	rep, err := j.SaveWithReport(path, &SaveOptions{SessionCookies: true})
	if !errors.Is(err, ErrFileTooLarge) || rep.Written != 0 || len(rep.Dropped) != 1 {
		t.Fatalf("SaveWithReport over the limit: %+v, %v; want ErrFileTooLarge, 0 written, the TAB cookie dropped", rep, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file after a refused save: %v, want none", err)
	}
	// A failed write (no such directory) reports nothing written either.
	j.saveLimit = 0
	rep, err = j.SaveWithReport(filepath.Join(t.TempDir(), "missing", "cookies.txt"), &SaveOptions{SessionCookies: true})
	if err == nil || rep.Written != 0 {
		t.Fatalf("SaveWithReport into a missing directory: %+v, %v; want an error, 0 written", rep, err)
	}
}
