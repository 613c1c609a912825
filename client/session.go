package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/http/httpguts"

	"github.com/httpstate/httpstate/jar"
)

// sessionVersion is the version of the session file format.
const sessionVersion = 1

// exportJar is a Jar that writes and reads its cookies, every field, in a
// cookie file format; *jar.Jar is one.
type exportJar interface {
	Export(w io.Writer, o *jar.SaveOptions) error
	Import(r io.Reader) (int, error)
}

// writeCookies writes the jar's cookies, session cookies included, in the
// jar package's JSON cookie format (which keeps every field, and cookie
// octets that are not UTF-8).
func writeCookies(j Jar) (json.RawMessage, error) {
	ej, ok := j.(exportJar)
	if !ok {
		return nil, ErrNotPersistable
	}
	var buf bytes.Buffer
	if err := ej.Export(&buf, &jar.SaveOptions{Format: jar.FormatJSON, SessionCookies: true}); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())), nil
}

// reportingJar is an exportJar that also lists the cookies its Import
// leaves out; *jar.Jar is one.
type reportingJar interface {
	ImportWithReport(r io.Reader) (jar.ImportReport, error)
}

// readCookies adds the cookies of data, written by writeCookies, to j and
// reports the ones j left out (when j can tell).
func readCookies(j Jar, data []byte) (jar.ImportReport, error) {
	if rj, ok := j.(reportingJar); ok {
		return rj.ImportWithReport(bytes.NewReader(data))
	}
	ej, ok := j.(exportJar)
	if !ok {
		return jar.ImportReport{}, ErrNotPersistable
	}
	n, err := ej.Import(bytes.NewReader(data))
	return jar.ImportReport{Read: n}, err
}

// sessionFile is the on-disk session: what Save writes and Load reads.
type sessionFile struct {
	Version int                 `json:"version"`
	Header  map[string][]string `json:"headers,omitempty"`
	Auth    *sessionAuth        `json:"auth,omitempty"`
	Cookies json.RawMessage     `json:"cookies,omitempty"`
}

type sessionAuth struct {
	Type     string `json:"type"` // "basic" or "bearer"
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Token    string `json:"token,omitempty"`
}

// check reports what Load refuses in a session: an invalid header name or
// value, an unknown auth type, a bearer token no Authorization header can
// carry (a control character: every later request would fail). Save
// refuses them too, so that it never writes a session Load refuses.
func (sf *sessionFile) check() error {
	for k, vs := range sf.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("invalid header name %q", k)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("invalid value for header %s", k)
			}
		}
	}
	if a := sf.Auth; a != nil {
		switch a.Type {
		case "basic":
		case "bearer":
			if !httpguts.ValidHeaderFieldValue("Bearer " + a.Token) {
				return errors.New("invalid bearer token")
			}
		default:
			return fmt.Errorf("unknown auth type %q", a.Type)
		}
	}
	return nil
}

// checkUTF8 reports a header value or credential that is not valid UTF-8:
// a JSON string would hold U+FFFD in place of its other octets, and the
// session would load back altered. The error never quotes the value.
func (sf *sessionFile) checkUTF8() error {
	for k, vs := range sf.Header {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return fmt.Errorf("header %s: value is not valid UTF-8 (a session file would alter it)", k)
			}
		}
	}
	if a := sf.Auth; a != nil && !(utf8.ValidString(a.Username) && utf8.ValidString(a.Password) &&
		utf8.ValidString(a.Token)) {
		return fmt.Errorf("%s auth: credentials are not valid UTF-8 (a session file would alter them)", a.Type)
	}
	return nil
}

// persistHeader reports whether a default header belongs in a session file:
// not the per-request Content-* and If-* headers, nor Cookie (the jar holds
// the cookies).
func persistHeader(name string) bool {
	n := strings.ToLower(name)
	return !strings.HasPrefix(n, "content-") && !strings.HasPrefix(n, "if-") && n != "cookie"
}

// Save writes the client's session state to the JSON file at path: every
// cookie with all its fields, the default headers except Content-*, If-*,
// Cookie and the default User-Agent (DefaultUserAgent), and a Basic or Bearer auth (a TokenAuth is not saved). The file
// holds secrets: it is created with mode 0600 and replaced atomically (a
// temporary file in the same directory, synced, then renamed). The cookies,
// session cookies included, are in the JSON cookie format of package jar
// (every field, non-UTF-8 octets kept); Save fails with ErrNotPersistable
// when the jar cannot export them (it lacks *jar.Jar's Export and Import).
// A header value or credential that is not valid UTF-8 (JSON strings hold
// only that) fails Save, writing nothing, rather than load back altered;
// so does a header or bearer token Load would refuse (a control character
// in a value, an invalid name), and a file over the 64 MiB Load reads.
func (c *Client) Save(path string) error {
	sf := sessionFile{Version: sessionVersion, Header: map[string][]string{}}
	c.mu.RLock()
	for k, vs := range c.header {
		if k == "User-Agent" && len(vs) == 1 && vs[0] == DefaultUserAgent {
			// The client's own default, not session state: a later
			// version's default must not be pinned by an old file.
			continue
		}
		if persistHeader(k) {
			sf.Header[k] = append([]string(nil), vs...)
		}
	}
	switch a := c.auth.(type) { // a nil pointer is no auth
	case *BasicAuth:
		if a != nil {
			sf.Auth = &sessionAuth{Type: "basic", Username: a.Username, Password: a.Password}
		}
	case *BearerAuth:
		if a != nil {
			sf.Auth = &sessionAuth{Type: "bearer", Token: a.Token}
		}
	}
	c.mu.RUnlock()
	if err := sf.check(); err != nil {
		return fmt.Errorf("client: save %s: %w", path, err)
	}
	if err := sf.checkUTF8(); err != nil {
		return fmt.Errorf("client: save %s: %w", path, err)
	}
	cookies, err := writeCookies(c.jar)
	if err != nil {
		return fmt.Errorf("client: save %s: cookies: %w", path, err)
	}
	sf.Cookies = cookies
	data, err := json.MarshalIndent(&sf, "", "  ")
	if err != nil {
		return fmt.Errorf("client: save %s: %w", path, err)
	}
	data = append(data, '\n')
	// A file Load refuses must not replace one it reads.
	limit := maxSessionFile
	if c.saveLimit > 0 {
		limit = c.saveLimit
	}
	if len(data) > limit {
		return fmt.Errorf("client: save %s: session file of %d bytes, over the %d-byte limit of Load; %s kept", path, len(data), limit, path)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("client: save %s: %w", path, err)
	}
	return nil
}

// Load reads a session file written by Save into the client: its cookies are
// added to the jar, its headers replace the default headers of the same
// name, and its auth, when present, replaces the client's. A file that does
// not parse, or holds a header or bearer token no request could carry,
// changes nothing. The jar admits the cookies as package jar's
// Import does: a cookie no browser would keep, one breaking a cookie name
// prefix rule (say a "__Host-" cookie with a Domain) or one for a host with
// a Fake A-label ("xn--a.example"), which an older file may hold, is left
// out and the rest of the session loads, without an error; LoadWithReport
// lists such cookies. An expiry-time more than 400
// days ahead is reduced to that limit. A file over 64 MiB is refused
// unread.
func (c *Client) Load(path string) error {
	_, err := c.LoadWithReport(path)
	return err
}

// LoadWithReport is Load, also reporting what the jar did with the
// session's cookies (see jar.ImportReport): Read counts them and Rejected
// holds one error per cookie left out (for a prefix rule, one matching
// jar.ErrPrefix), naming the path, the cookie and its domain (never its
// value); the line it gives counts from the start of the file's "cookies"
// value. Rejected lists at most the first 1000 such cookies, as the jar
// does; RejectedUnlisted counts the ones left out beyond those (0 when
// Rejected lists them all), so that the cookies left out number
// len(Rejected) + RejectedUnlisted. A jar without
// ImportWithReport (not a *jar.Jar) reports Read only. A command line tool
// should show the rejected cookies as warnings, and RejectedUnlisted as a
// count of more: the next Save writes the session without them.
func (c *Client) LoadWithReport(path string) (jar.ImportReport, error) {
	var rep jar.ImportReport
	data, err := readSessionFile(path)
	if err != nil {
		return rep, fmt.Errorf("client: load session: %w", err)
	}
	var sf sessionFile
	if err := json.Unmarshal(data, &sf); err != nil {
		return rep, fmt.Errorf("client: load %s: %w", path, err)
	}
	if sf.Version != sessionVersion {
		return rep, fmt.Errorf("client: load %s: unsupported session version %d", path, sf.Version)
	}
	if err := sf.check(); err != nil {
		return rep, fmt.Errorf("client: load %s: %w", path, err)
	}
	var auth Auth
	if a := sf.Auth; a != nil {
		if a.Type == "basic" {
			auth = Basic(a.Username, a.Password)
		} else {
			auth = Bearer(a.Token)
		}
	}
	// Cookies only once the rest is valid: a rejected file changes nothing.
	if len(sf.Cookies) > 0 && !bytes.Equal(sf.Cookies, []byte("null")) {
		rep, err = readCookies(c.jar, sf.Cookies)
		if err != nil {
			return jar.ImportReport{}, fmt.Errorf("client: load %s: cookies: %w", path, err)
		}
		for i, e := range rep.Rejected {
			rep.Rejected[i] = fmt.Errorf("client: load %s: cookies: %w", path, e)
		}
	}
	// Keys naming one header in several cases (a file edited by hand)
	// merge in byte order, as New merges Options.Header, rather than
	// replace each other in map order.
	loaded := canonicalHeader(sf.Header)
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, vs := range loaded {
		if persistHeader(k) && len(vs) > 0 {
			c.header[k] = vs
		}
	}
	if auth != nil {
		c.auth = auth
	}
	return rep, nil
}

// writeFileAtomic replaces path with data: a 0600 temporary file beside it,
// fsynced, renamed over path, and the directory fsynced.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// maxSessionFile bounds what Load reads: a session file holds a jar's
// cookies and some headers, far below it (jar's own file readers stop at
// the same size).
const maxSessionFile = 64 << 20

// readSessionFile reads path, refusing a file over maxSessionFile instead
// of holding it all in memory (a mistyped path to a disk image, a device
// that never ends).
func readSessionFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxSessionFile {
		return nil, fmt.Errorf("%s: %d bytes, over the %d-byte limit of a session file", path, fi.Size(), maxSessionFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSessionFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSessionFile {
		return nil, fmt.Errorf("%s: over the %d-byte limit of a session file", path, maxSessionFile)
	}
	return data, nil
}
