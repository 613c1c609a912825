package client_test

import (
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestSaveNeverAltersCredentials: JSON strings hold UTF-8 only, and
// encoding/json replaces other bytes with U+FFFD. A password, token or
// header value with such octets (obs-text, RFC 9110 section 5.5) would
// come back altered from Save and Load, so Save refuses it, without
// quoting the secret, and leaves the file as it was; valid UTF-8 saves and
// loads back exactly.
func TestSaveNeverAltersCredentials(t *testing.T) {
	for _, tt := range []struct {
		name   string
		auth   client.Auth
		header http.Header
		ok     bool
	}{
		{"basic password", client.Basic("ann", "caf\xe9"), nil, false},
		{"basic user", client.Basic("\xffann", "pw"), nil, false},
		{"bearer", client.Bearer("tok\x80en"), nil, false},
		{"header", nil, http.Header{"X-Name": {"M\xfcller"}}, false},
		{"utf-8", client.Basic("ann", "café"), http.Header{"X-Name": {"Müller"}}, true},
	} {
		path := filepath.Join(t.TempDir(), "s.json")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := mustNew(t, &client.Options{Auth: tt.auth, Header: tt.header})
		err := c.Save(path)
		if !tt.ok {
			if data, _ := os.ReadFile(path); err != nil && string(data) != "old" {
				t.Errorf("%s: failed Save changed the file to %q", tt.name, data)
			}
			if err == nil {
				c2 := mustNew(t, nil)
				lerr := c2.Load(path)
				t.Errorf("%s: Save succeeded; loaded back (%v): auth %#v, header %q", tt.name, lerr, c2.Auth(), c2.Header())
			} else if strings.Contains(err.Error(), "caf") || strings.Contains(err.Error(), "tok") ||
				strings.Contains(err.Error(), "ller") {
				t.Errorf("%s: error quotes the secret: %v", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		c2 := mustNew(t, nil)
		if err := c2.Load(path); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(c2.Auth(), tt.auth) || c2.Header().Get("X-Name") != tt.header.Get("X-Name") {
			t.Errorf("%s: loaded back auth %#v, header %q", tt.name, c2.Auth(), c2.Header())
		}
	}
}

// TestSaveWritesOnlyLoadableSessions: a header or bearer token Load would
// refuse (a control character in a value, a space in a name), which
// SetHeader and Bearer take without a word, fails Save, writing nothing,
// rather than write a session file whose every cookie Load then refuses.
func TestSaveWritesOnlyLoadableSessions(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(c *client.Client)
	}{
		{"header value", func(c *client.Client) { c.SetHeader("X-Note", "a\nb") }},
		{"header name", func(c *client.Client) { c.SetHeader("Bad Name", "x") }},
		{"bearer token", func(c *client.Client) { c.SetAuth(client.Bearer("t\r\nX-Evil: 1")) }},
	} {
		path := filepath.Join(t.TempDir(), "s.json")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := mustNew(t, nil)
		tt.set(c)
		if err := c.Save(path); err == nil {
			lerr := mustNew(t, nil).Load(path)
			t.Errorf("%s: Save succeeded; Load of its file: %v", tt.name, lerr)
		} else if data, _ := os.ReadFile(path); string(data) != "old" {
			t.Errorf("%s: failed Save changed the file to %q", tt.name, data)
		}
	}
}
