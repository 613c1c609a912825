package client_test

import (
	"errors"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestErrorWithoutCause: an *Error made by hand without Err (a test double,
// a wrapper) prints and unwraps instead of panicking.
func TestErrorWithoutCause(t *testing.T) {
	for _, tt := range []struct {
		e    *client.Error
		want string
	}{
		{&client.Error{}, "client:  "},
		{&client.Error{Method: "GET", URL: "http://x/", Kind: client.ErrHook}, "client: GET http://x/: hook failed"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		if errors.Is(tt.e, client.ErrDial) {
			t.Errorf("%q: errors.Is ErrDial", tt.want)
		}
	}
}
