package client_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

// FuzzLoad feeds arbitrary session files to Load: an error or a loaded
// session, never a panic, and a loaded session saves again and loads back
// with no cookie left out or changed.
func FuzzLoad(f *testing.F) {
	f.Add(`{"version":1}`)
	f.Add(`{"version":1,"headers":{"X-A":["1"]},"auth":{"type":"basic","username":"u","password":"p"}}`)
	f.Add(`{"version":1,"auth":{"type":"bearer","token":"t"},"cookies":{"version":1,"cookies":[{"name":"a","value":"b","domain":"example.com","hostOnly":true,"path":"/"}]}}`)
	f.Add(`{"version":1,"cookies":{"version":1,"cookies":[{"name":"","value":"","domain":"..","path":"x"}]}}`)
	f.Add(`{"version":1,"cookies":{"version":1,"cookies":[{"name":"n","valueBase64":"Y2Fm6Q==","domain":"h","path":"/","persistent":true,"expires":"2030-01-02T03:04:05Z","sameSite":"lax"}]}}`)
	f.Add(`{"version":1,"cookies":null,"headers":{"content-type":["x"],"":[]}}`)
	f.Add(`{"version":1,"cookies":{"version":2,"cookies":[{"name":"__Host-a","value":"1","domain":"example.com","path":"/","secure":true},` +
		`{"name":"b","value":"2","domain":"xn--a.example","hostOnly":true,"path":"/"},{"name":"c","value":"3","domain":"example.com","path":"/","createdUnknown":true}]}}`)
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
		again := filepath.Join(dir, "again.json")
		if err := c.Save(again); err != nil {
			t.Fatalf("Load accepted %q but Save fails: %v", data, err)
		}
		// What the client saved loads back whole: no cookie left out,
		// none changed.
		c2, err := client.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := c2.LoadWithReport(again)
		if err != nil || len(rep.Rejected) != 0 {
			t.Fatalf("reloading the saved session of %q: %+v, %v", data, rep, err)
		}
		j1, ok1 := c.Jar().(*jar.Jar)
		j2, ok2 := c2.Jar().(*jar.Jar)
		if ok1 && ok2 {
			if a, b := j1.All(), j2.All(); !sameEntries(a, b) {
				t.Fatalf("reloading the saved session of %q changed the cookies:\n%+v\n%+v", data, a, b)
			}
		}
	})
}

// sameEntries reports whether a and b hold the same cookies: times equal
// as instants (a file keeps neither the monotonic reading nor the
// location), an empty Port list as none.
func sameEntries(a, b []jar.Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Expires.Equal(y.Expires) || !x.Created.Equal(y.Created) || !x.LastAccess.Equal(y.LastAccess) {
			return false
		}
		x.Expires, x.Created, x.LastAccess = time.Time{}, time.Time{}, time.Time{}
		y.Expires, y.Created, y.LastAccess = time.Time{}, time.Time{}, time.Time{}
		if len(x.Port) == 0 && len(y.Port) == 0 {
			x.Port, y.Port = nil, nil
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}
