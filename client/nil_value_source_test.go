package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// mapSource is a TokenSource made of a map: reading a nil map is no panic,
// so a nil one is a working source (its default token).
type mapSource map[string]string

func (m mapSource) Token(context.Context) (string, error) {
	if t, ok := m["token"]; ok {
		return t, nil
	}
	return "default", nil
}
func (m mapSource) Refresh(ctx context.Context, _ string) (string, error) { return m.Token(ctx) }

// sliceSource is a TokenSource made of a slice: a nil one has length 0.
type sliceSource []string

func (s sliceSource) Token(context.Context) (string, error) {
	if len(s) > 0 {
		return s[0], nil
	}
	return "none-yet", nil
}
func (s sliceSource) Refresh(ctx context.Context, _ string) (string, error) { return s.Token(ctx) }

// TestTokenAuthNilMapOrSliceSource: a nil map or slice is a value whose
// methods run (a read of a nil map, the length of a nil slice), unlike a
// nil pointer or func: TokenAuth uses it as any source. TokenAuth refused
// it as a typed nil, failing every request with "nil TokenSource".
func TestTokenAuthNilMapOrSliceSource(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
	}))
	defer srv.Close()
	for _, tc := range []struct {
		src  client.TokenSource
		want string
	}{{mapSource(nil), "Bearer default"}, {sliceSource(nil), "Bearer none-yet"}} {
		c := mustNew(t, &client.Options{Auth: client.TokenAuth(tc.src)})
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Errorf("%T(nil): %v; want the source's token sent", tc.src, err)
			continue
		}
		resp.Body.Close()
		if a := <-got; a != tc.want {
			t.Errorf("%T(nil): Authorization %q, want %q", tc.src, a, tc.want)
		}
	}
}
