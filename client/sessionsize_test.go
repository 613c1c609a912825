package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRefusesHugeFile: Load refuses a session file over maxSessionFile
// without reading it into memory, and changes nothing; a file at the limit
// is read (and fails only as the JSON it is not).
func TestLoadRefusesHugeFile(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxSessionFile + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	c, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Load(huge)
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("Load of a %d-byte file: %v, want a size-limit error", maxSessionFile+1, err)
	}
	if _, err := readSessionFile(huge); err == nil {
		t.Fatal("readSessionFile read a file over the limit")
	}
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Load(small); err == nil || strings.Contains(err.Error(), "limit") {
		t.Fatalf("Load of a 1-byte file: %v, want a JSON error", err)
	}
}
