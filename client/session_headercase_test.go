package client_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadHeaderKeysInAnyCase: a session file (edited by hand) naming one
// header under keys in several cases loads the same way every time: their
// values are merged in the keys' byte order, as New merges Options.Header.
// Each key replaced the header in turn, in map order, so one load kept
// "1" and another "2".
func TestLoadHeaderKeysInAnyCase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	os.WriteFile(p, []byte(`{"version":1,"headers":{"x-team":["1"],"X-Team":["2"],"X-TEAM":["3"]}}`), 0o600)
	for range 20 {
		c := mustNew(t, nil)
		if err := c.Load(p); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(c.Header()["X-Team"]), "[3 2 1]"; got != want {
			t.Fatalf("X-Team after Load: got %s, want %s", got, want)
		}
	}
}
