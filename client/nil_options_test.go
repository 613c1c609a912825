package client_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

// TestNewTypedNilJarOrTransport: a Jar or Transport option holding a nil
// pointer (an interface that is not nil: `var j *jar.Jar; Options{Jar: j}`)
// is an error of New naming the option, not a client whose first request
// panics with a nil dereference in (*jar.Jar).Len or
// (*http.Transport).RoundTrip.
func TestNewTypedNilJarOrTransport(t *testing.T) {
	for name, o := range map[string]*client.Options{
		"Jar":       {Jar: (*jar.Jar)(nil)},
		"Transport": {Transport: (*http.Transport)(nil)},
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
