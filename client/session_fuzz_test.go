package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// FuzzLoad feeds arbitrary session files to Load: an error or a loaded
// session, never a panic, and a loaded session saves again.
func FuzzLoad(f *testing.F) {
	f.Add(`{"version":1}`)
	f.Add(`{"version":1,"headers":{"X-A":["1"]},"auth":{"type":"basic","username":"u","password":"p"}}`)
	f.Add(`{"version":1,"auth":{"type":"bearer","token":"t"},"cookies":{"version":1,"cookies":[{"name":"a","value":"b","domain":"example.com","hostOnly":true,"path":"/"}]}}`)
	f.Add(`{"version":1,"cookies":{"version":1,"cookies":[{"name":"","value":"","domain":"..","path":"x"}]}}`)
	f.Add(`{"version":1,"cookies":{"version":1,"cookies":[{"name":"n","valueBase64":"Y2Fm6Q==","domain":"h","path":"/","persistent":true,"expires":"2030-01-02T03:04:05Z","sameSite":"lax"}]}}`)
	f.Add(`{"version":1,"cookies":null,"headers":{"content-type":["x"],"":[]}}`)
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "s.json")
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := client.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Load(p); err != nil {
			return
		}
		if err := c.Save(filepath.Join(dir, "again.json")); err != nil {
			t.Fatalf("Load accepted %q but Save fails: %v", data, err)
		}
	})
}
