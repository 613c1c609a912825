package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveRefusesSessionLoadRefuses: Save refuses, writing nothing and
// keeping the old file, a session file over the limit Load reads (64 MiB;
// lowered here, as a 64 MiB session costs 30 s and 1.3 GB under -race), as
// the package doc promises ("Save refuses, writing nothing, what Load could
// not bring back"). It wrote the file, replacing a good one with one Load
// refuses.
func TestSaveRefusesSessionLoadRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	c, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetHeader("X-Small", "1")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c.saveLimit = len(old) + 100
	c.SetHeader("X-Big", strings.Repeat("a", 200))
	err = c.Save(path)
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("Save of a session over the limit: %v; want an error naming the limit", err)
	}
	if now, rerr := os.ReadFile(path); rerr != nil || string(now) != string(old) {
		t.Errorf("the old session file was replaced (%d bytes, %v)", len(now), rerr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("directory holds %d files, want 1 (no temp file left)", len(entries))
	}
	// Just under the limit is written.
	c.SetHeader("X-Big", "")
	c.SetHeader("X-Mid", strings.Repeat("a", 40))
	if err := c.Save(path); err != nil {
		t.Errorf("Save under the limit: %v", err)
	}
}
