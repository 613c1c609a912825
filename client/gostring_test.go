package client_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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

// TestAuthValuesRedacted: a BasicAuth or BearerAuth held by value (a field
// of a config struct, say) prints redacted too, with %v, %+v and %#v, and
// logs redacted: the methods that redact are not the pointer's only.
func TestAuthValuesRedacted(t *testing.T) {
	type config struct {
		Basic  client.BasicAuth
		Bearer client.BearerAuth
	}
	cfg := config{Basic: *client.Basic("ann", "s3cret"), Bearer: *client.Bearer("s3cret")}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "basic", cfg.Basic, "bearer", cfg.Bearer)
	for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(cfg.Basic, cfg.Bearer), logged.String()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("secret leaked: %s", s)
		}
	}
	if s := fmt.Sprint(cfg.Basic); !strings.Contains(s, "ann") {
		t.Errorf("%q: want the user name", s)
	}
}

// TestStringWithNilAuthPointer: String and LogValue do not panic on a
// client whose Auth is a nil *BearerAuth or *BasicAuth.
func TestStringWithNilAuthPointer(t *testing.T) {
	for _, a := range []client.Auth{(*client.BearerAuth)(nil), (*client.BasicAuth)(nil)} {
		c := mustNew(t, &client.Options{Auth: a})
		if s := c.String(); !strings.Contains(s, "<nil>") {
			t.Errorf("String() = %q, want the auth shown as <nil>", s)
		}
		_ = fmt.Sprintf("%v %#v", c, c)
		slog.New(slog.NewTextHandler(io.Discard, nil)).Info("c", "client", c)
	}
}
