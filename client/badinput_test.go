package client_test

import (
	"context"
	"net/http"
	"testing"
)

// TestDoBadRequestNoPanic: Do returns an error, never panics, for a nil
// request or one without a URL, with or without a context.
func TestDoBadRequestNoPanic(t *testing.T) {
	c := mustNew(t, nil)
	for _, tt := range []struct {
		name string
		ctx  context.Context
		req  *http.Request
	}{
		{"nil request", context.Background(), nil},
		{"nil request, nil context", nil, nil},
		{"nil URL", context.Background(), &http.Request{Method: http.MethodGet}},
		{"nil URL, nil context", nil, &http.Request{Method: http.MethodGet}},
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: Do panicked: %v", tt.name, p)
				}
			}()
			resp, err := c.Do(tt.ctx, tt.req) //nolint:staticcheck // a nil context on purpose
			if err == nil || resp != nil {
				t.Errorf("%s: got %v, %v; want an error", tt.name, resp, err)
			}
		}()
	}
}
