package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestLoadRejectedFileAddsNoCookies: a session file Load rejects (a bad
// header, an unknown auth type, a bearer token that is no valid header
// value) changes nothing, its cookies and auth included.
func TestLoadRejectedFileAddsNoCookies(t *testing.T) {
	dir := t.TempDir()
	for _, data := range []string{
		`{"version":1,"headers":{"Bad Name":["x"]},"cookies":{"example.com":["sid=1"]}}`,
		`{"version":1,"auth":{"type":"digest"},"cookies":{"example.com":["sid=1"]}}`,
		// A token no request can carry (every later request would fail).
		`{"version":1,"auth":{"type":"bearer","token":"t\r\nX-Evil: 1"},"cookies":{"example.com":["sid=1"]}}`,
		`{"version":1,"auth":{"type":"bearer","token":"t\u0000"},"cookies":{"example.com":["sid=1"]}}`,
	} {
		p := filepath.Join(dir, "s.json")
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		j := newFakeJar()
		c := mustNew(t, &client.Options{Jar: j})
		if err := c.Load(p); err == nil {
			t.Fatalf("Load(%s): no error", data)
		}
		j.mu.Lock()
		n := len(j.pairs)
		j.mu.Unlock()
		if n != 0 {
			t.Errorf("Load(%s) failed but added cookies: %v", data, j.pairs)
		}
		if a := c.Auth(); a != nil {
			t.Errorf("Load(%s) failed but set auth %v", data, a)
		}
	}
}
