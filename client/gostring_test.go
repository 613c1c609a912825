package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// fixedSource is a TokenSource that always answers its token.
type fixedSource string

func (s fixedSource) Token(context.Context) (string, error)           { return string(s), nil }
func (s fixedSource) Refresh(context.Context, string) (string, error) { return string(s), nil }

// TestGoSyntaxRedacted: %#v (Go syntax, as a debugging print or a test
// failure shows values) redacts the secrets String and LogValue redact: an
// auth's password or token (also one TokenAuth has fetched), the client's
// default header values.
func TestGoSyntaxRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	for _, a := range []client.Auth{client.Basic("ann", "s3cret"), client.Bearer("s3cret"),
		client.TokenAuth(fixedSource("s3cret"))} {
		c := mustNew(t, &client.Options{Auth: a, Header: http.Header{"X-Api-Key": {"s3cret"}}})
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		for _, s := range []string{fmt.Sprintf("%#v", a), fmt.Sprintf("%#v", c),
			fmt.Sprintf("%#v", client.Options{Auth: a})} {
			if strings.Contains(s, "s3cret") {
				t.Errorf("secret leaked: %s", s)
			}
		}
	}
}
