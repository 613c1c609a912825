package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestNilAuthPointer: a client whose Auth is a nil *BasicAuth or
// *BearerAuth (an interface holding a nil pointer, not nil) fails its
// requests with an error and saves a session without auth, instead of
// panicking: Save panicked while holding the client's read lock, so a
// recovered panic left every later SetHeader, SetAuth or Load blocked.
func TestNilAuthPointer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(authEcho))
	defer srv.Close()
	for _, a := range []client.Auth{(*client.BearerAuth)(nil), (*client.BasicAuth)(nil)} {
		c := mustNew(t, &client.Options{Auth: a})
		resp, err := c.Get(context.Background(), srv.URL)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%T: request succeeded, want an error", a)
		} else if !strings.Contains(err.Error(), "nil") {
			t.Errorf("%T: got %v, want an error naming the nil auth", a, err)
		}
		if err := c.Save(filepath.Join(t.TempDir(), "s.json")); err != nil {
			t.Errorf("%T: Save: %v", a, err)
		}
		c.SetHeader("X-After", "1") // blocks for ever if Save left the lock held
	}
}
