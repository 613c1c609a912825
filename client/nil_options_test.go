package client_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

// TestNewNilOptions: an option that holds nil where New needs a value is an
// error of New naming it, not a client whose requests panic:
//   - a Jar or Transport holding a nil pointer (an interface that is not
//     nil: `var j *jar.Jar; Options{Jar: j}`), which panicked with a nil
//     dereference in (*jar.Jar).Len or (*http.Transport).RoundTrip;
//   - a nil function among OnRequest or OnResponse, which every request
//     called.
func TestNewNilOptions(t *testing.T) {
	ok := func(*http.Request) error { return nil }
	for name, o := range map[string]*client.Options{
		"Jar":           {Jar: (*jar.Jar)(nil)},
		"Transport":     {Transport: (*http.Transport)(nil)},
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
			t.Errorf("%s: New: %v; want an error naming the nil option", name, err)
		}
	}
}
