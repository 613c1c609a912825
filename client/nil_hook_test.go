package client_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestNewNilHook: a nil function among Options.OnRequest or OnResponse is
// an error of New naming the hook, not a client whose every request panics
// calling it.
func TestNewNilHook(t *testing.T) {
	ok := func(*http.Request) error { return nil }
	for name, o := range map[string]*client.Options{
		"OnRequest[1]":  {OnRequest: []func(*http.Request) error{ok, nil}},
		"OnResponse[0]": {OnResponse: []func(*http.Response) error{nil}},
	} {
		c, err := client.New(o)
		if err == nil {
			c.CloseIdleConnections()
			t.Errorf("%s: New succeeded, want an error", name)
			continue
		}
		if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "nil") {
			t.Errorf("%s: New: %v; want an error naming the nil hook", name, err)
		}
	}
}
