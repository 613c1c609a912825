package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			w.Header().Add("Set-Cookie", "sid=s3cret-session; Path=/")
		}
		fmt.Fprintf(w, "%s|%s|%s", r.Header.Get("Cookie"), r.Header.Get("Authorization"), r.Header.Get("X-Team"))
	}))
	defer srv.Close()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.json")

	c1 := mustNew(t, &client.Options{
		Auth: client.Basic("ann", "pw"),
		Header: http.Header{"X-Team": {"blue"}, "Content-Type": {"text/plain"},
			"If-None-Match": {`"x"`}, "Cookie": {"hand=made"}},
	})
	resp, err := c1.Get(ctx, srv.URL+"/login")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if err := c1.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	for _, h := range []string{"Content-Type", "If-None-Match", "hand=made", client.DefaultUserAgent} {
		if strings.Contains(string(data), h) {
			t.Errorf("session file holds %q:\n%s", h, data)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the session file", len(entries))
	}

	c2 := mustNew(t, nil)
	if err := c2.Load(path); err != nil {
		t.Fatal(err)
	}
	resp, err = c2.Get(ctx, srv.URL+"/again")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "sid=s3cret-session|Basic YW5uOnB3|blue"; got != want {
		t.Errorf("after Load: got %q, want %q", got, want)
	}
	if s := c2.String(); !strings.Contains(s, "Basic ann:REDACTED") || strings.Contains(s, ":pw") {
		t.Errorf("String leaks the password: %s", s)
	}
}

func TestSaveBearerOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := mustNew(t, &client.Options{Auth: client.Bearer("tok")})
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after replacing a 0644 file: got %v, want 0600", fi.Mode().Perm())
	}
	c2 := mustNew(t, nil)
	if err := c2.Load(path); err != nil {
		t.Fatal(err)
	}
	if b, ok := c2.Auth().(*client.BearerAuth); !ok || b.Token != "tok" {
		t.Errorf("loaded auth %#v, want Bearer tok", c2.Auth())
	}
}

var badSessionTests = []struct {
	name, data, want string
}{
	{"not json", "{", "unexpected end"},
	{"version", `{"version":9}`, "unsupported session version 9"},
	{"auth type", `{"version":1,"auth":{"type":"magic"}}`, `unknown auth type "magic"`},
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range badSessionTests {
		p := filepath.Join(dir, "bad.json")
		os.WriteFile(p, []byte(tt.data), 0o600)
		err := mustNew(t, nil).Load(p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if err := mustNew(t, nil).Load(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want os.ErrNotExist", err)
	}
}

// plainJar is a Jar without JSON persistence.
type plainJar struct{}

func (plainJar) SetCookieLines(*url.URL, []string) {}
func (plainJar) CookieHeader(*url.URL) string      { return "" }

func TestSaveNotPersistable(t *testing.T) {
	c := mustNew(t, &client.Options{Jar: plainJar{}})
	err := c.Save(filepath.Join(t.TempDir(), "s.json"))
	if !errors.Is(err, client.ErrNotPersistable) {
		t.Errorf("got %v, want ErrNotPersistable", err)
	}
}

// TestSaveLoadRealJar: every field of every cookie of the default jar
// survives Save and Load, nameless and UTF-8 cookies included.
func TestSaveLoadRealJar(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "sid=1; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600")
		w.Header().Add("Set-Cookie", "=nameless; Path=/app")
		w.Header().Add("Set-Cookie", "crème=brûlée; SameSite=Lax")
	}))
	defer srv.Close()
	c1, err := client.New(&client.Options{TLSConfig: tlsConfigFor(srv)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c1.Get(context.Background(), srv.URL+"/app/login")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	path := filepath.Join(t.TempDir(), "s.json")
	if err := c1.Save(path); err != nil {
		t.Fatal(err)
	}
	c2, err := client.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Load(path); err != nil {
		t.Fatal(err)
	}
	type lister interface{ All() []jar.Entry }
	want, _ := json.Marshal(c1.Jar().(lister).All())
	got, _ := json.Marshal(c2.Jar().(lister).All())
	if string(got) != string(want) {
		t.Errorf("cookies after Load:\ngot  %s\nwant %s", got, want)
	}
	if n := len(c2.Jar().(lister).All()); n != 3 {
		t.Errorf("loaded %d cookies, want 3", n)
	}
}

func TestLoadRejectsBadHeaders(t *testing.T) {
	dir := t.TempDir()
	for _, data := range []string{
		`{"version":1,"headers":{"Bad Name":["x"]}}`,
		`{"version":1,"headers":{"X-Ok":["a\r\nInjected: 1"]}}`,
	} {
		p := filepath.Join(dir, "s.json")
		os.WriteFile(p, []byte(data), 0o600)
		c := mustNew(t, nil)
		if err := c.Load(p); err == nil || !strings.Contains(err.Error(), "invalid") {
			t.Errorf("Load(%s): got %v, want an invalid-header error", data, err)
		}
		if len(c.Header()) != 1 { // User-Agent only
			t.Errorf("Load(%s) changed the headers: %v", data, c.Header())
		}
	}
}

// TestSaveLoadNonUTF8Cookie: cookie octets that are not UTF-8 survive the
// session file (the jar's JSON format carries them base64-encoded).
func TestSaveLoadNonUTF8Cookie(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			w.Header().Add("Set-Cookie", "latin=caf\xe9; Max-Age=600")
			return
		}
		fmt.Fprintf(w, "%q", r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	ctx := context.Background()
	c1, err := client.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c1.Get(ctx, srv.URL+"/set")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	path := filepath.Join(t.TempDir(), "s.json")
	if err := c1.Save(path); err != nil {
		t.Fatal(err)
	}
	c2, _ := client.New(nil)
	if err := c2.Load(path); err != nil {
		t.Fatal(err)
	}
	resp, err = c2.Get(ctx, srv.URL+"/echo")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), `"latin=caf\xe9"`; got != want {
		t.Errorf("Cookie after Load: got %s, want %s", got, want)
	}
}

// TestSaveKeepsCustomUserAgent: only the client's own default User-Agent is
// left out of a session; one the user set is saved and loaded.
func TestSaveKeepsCustomUserAgent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	c1 := mustNew(t, &client.Options{Header: http.Header{"User-Agent": {"mybot/2"}}})
	if err := c1.Save(path); err != nil {
		t.Fatal(err)
	}
	c2 := mustNew(t, nil)
	if err := c2.Load(path); err != nil {
		t.Fatal(err)
	}
	if got := c2.Header().Get("User-Agent"); got != "mybot/2" {
		t.Errorf("User-Agent after Load: got %q, want %q", got, "mybot/2")
	}
}
