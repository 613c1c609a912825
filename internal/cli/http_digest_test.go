package cli

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestDigestRFC7616Example answers the challenge of RFC 7616, section
// 3.9.1, with its cnonce, and gets its responses for MD5 and SHA-256.
func TestDigestRFC7616Example(t *testing.T) {
	for _, tc := range []struct{ alg, response string }{
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	} {
		ch, ok := pickDigest([]string{`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=` + tc.alg +
			`, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`})
		if !ok {
			t.Fatalf("%s: challenge not supported", tc.alg)
		}
		got := ch.authorization(digestCreds{"Mufasa", "Circle of Life"}, "GET", "/dir/index.html",
			"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
		want := `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=` + tc.alg +
			`, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="` +
			tc.response + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.alg, got, want)
		}
	}
}

func TestPickDigest(t *testing.T) {
	// Several challenges in one field, quoted commas and escapes: the
	// first Digest challenge supported wins.
	ch, ok := pickDigest([]string{`Basic realm="x", Digest realm="a, b", nonce="n1", algorithm=SHA-999, qop="auth"`,
		`Newauth title="t", Digest realm="a \"q\"", nonce="n\"2", qop="auth-int,auth", algorithm=md5-sess, userhash=true`,
		`Digest realm="third", nonce="n3"`})
	if !ok || ch.realm != `a "q"` || ch.nonce != `n"2` || !ch.sess || !ch.qop || !ch.userhash || ch.algorithm != "md5-sess" {
		t.Fatalf("pickDigest = %+v, %v", ch, ok)
	}
	for _, v := range []string{
		`Digest realm="r", nonce="n", qop="auth-int"`,            // auth-int only
		`Digest realm="r", nonce="n", algorithm=MD5-sess`,        // -sess without qop
		`Digest realm="r", qop="auth"`,                           // no nonce
		`Basic realm="r", Bearer realm="r", error="x"`,           // no Digest
		`Digest realm="r", nonce="n", algorithm=SHA-1, qop=auth`, // not an RFC 7616 algorithm
	} {
		if ch, ok := pickDigest([]string{v}); ok {
			t.Errorf("%s: picked %+v", v, ch)
		}
	}
	// No qop: RFC 2069's response, and no nc, cnonce or qop.
	ch, ok = pickDigest([]string{`Digest realm="r", nonce="n"`})
	if !ok {
		t.Fatal("no-qop challenge not supported")
	}
	got := ch.authorization(digestCreds{"u", "p"}, "GET", "/", "c")
	ha1, ha2 := md5hex("u:r:p"), md5hex("GET:/")
	if want := `Digest username="u", realm="r", uri="/", nonce="n", response="` + md5hex(ha1+":n:"+ha2) + `"`; got != want {
		t.Errorf("no qop:\n got %s\nwant %s", got, want)
	}
	// userhash, and a user name that needs username*.
	ch, _ = pickDigest([]string{`Digest realm="r", nonce="n", qop=auth, algorithm=SHA-256, userhash=true`})
	if got := ch.authorization(digestCreds{"u", "p"}, "GET", "/", "c"); !strings.Contains(got, `username="`+sha256hex("u:r")+`"`) || !strings.HasSuffix(got, ", userhash=true") {
		t.Errorf("userhash: %s", got)
	}
	ch, _ = pickDigest([]string{`Digest realm="r", nonce="n", qop=auth`})
	if got := ch.authorization(digestCreds{"J\u00e4s\u00f8n Doe", "p"}, "GET", "/", "c"); !strings.HasPrefix(got, `Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, `) {
		t.Errorf("username*: %s", got)
	}
}

func md5hex(s string) string    { return hexOf(md5.New(), s) }
func sha256hex(s string) string { return hexOf(sha256.New(), s) }
func hexOf(h hash.Hash, s string) string {
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

var digestParamRE = regexp.MustCompile(`(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))`)

// digestServer is a loopback server whose paths under /protected need
// Digest auth for user "ann", password pass, with algorithm alg ("MD5" or
// "SHA-256") and qop=auth; /open/ redirects to the path after it. It
// records the Authorization of each request and the bodies received.
type digestServer struct {
	*httptest.Server
	alg, pass string
	mu        sync.Mutex
	auths     []string // Authorization of each request, "" for none
	bodies    []string
}

func newDigestServer(t *testing.T, alg, pass string) *digestServer {
	d := &digestServer{alg: alg, pass: pass}
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.Close)
	return d
}

func (d *digestServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header()["Date"] = nil
	body, _ := io.ReadAll(r.Body)
	authz := r.Header.Get("Authorization")
	d.mu.Lock()
	d.auths = append(d.auths, authz)
	d.bodies = append(d.bodies, string(body))
	d.mu.Unlock()
	if to, ok := strings.CutPrefix(r.URL.Path, "/open/"); ok {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	const realm, nonce = "test@loopback", "nonce-4711"
	if d.valid(authz, r, realm, nonce) {
		fmt.Fprintf(w, "welcome %s %s\n", r.Method, body)
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
	w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, qop="auth", algorithm=%s, nonce=%q, opaque="op"`, realm, d.alg, nonce))
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, "who are you?\n")
}

func (d *digestServer) valid(authz string, r *http.Request, realm, nonce string) bool {
	rest, ok := strings.CutPrefix(authz, "Digest ")
	if !ok {
		return false
	}
	p := map[string]string{}
	for _, m := range digestParamRE.FindAllStringSubmatch(rest, -1) {
		p[m[1]] = m[2] + m[3]
	}
	h := sha256hex
	if d.alg == "MD5" {
		h = md5hex
	}
	if p["username"] != "ann" || p["realm"] != realm || p["nonce"] != nonce || p["uri"] != r.URL.RequestURI() ||
		p["qop"] != "auth" || p["nc"] != "00000001" || p["cnonce"] == "" || p["opaque"] != "op" || p["algorithm"] != d.alg {
		return false
	}
	ha1 := h("ann:" + realm + ":" + d.pass)
	ha2 := h(r.Method + ":" + p["uri"])
	return p["response"] == h(ha1+":"+nonce+":00000001:"+p["cnonce"]+":auth:"+ha2)
}

func (d *digestServer) seen() (auths, bodies []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.auths...), append([]string(nil), d.bodies...)
}

func TestHTTPDigest(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			srv := newDigestServer(t, alg, "s3cret")
			out, stderr, code := runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:s3cret", srv.URL+"/protected?x=1")
			if code != 0 || out != "welcome GET \n" {
				t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
			}
			auths, _ := srv.seen()
			if len(auths) != 2 || auths[0] != "" || !strings.HasPrefix(auths[1], "Digest ") {
				t.Errorf("want a request without credentials, then one answering the challenge: %q", auths)
			}
		})
	}
}

func TestHTTPDigestWrongPassword(t *testing.T) {
	srv := newDigestServer(t, "SHA-256", "s3cret")
	_, stderr, code := runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:wrong", srv.URL+"/protected")
	if code != 4 || strings.Contains(stderr, "wrong") {
		t.Errorf("exit %d (want 4), stderr %q (want no password)", code, stderr)
	}
	if auths, _ := srv.seen(); len(auths) != 2 {
		t.Errorf("want one retry, no more: %d requests", len(auths))
	}
}

// TestHTTPDigestBody: the retry sends the body again; -v prints the final
// request (credentials as a digest, never the password), --all the 401
// exchange before it.
func TestHTTPDigestBody(t *testing.T) {
	srv := newDigestServer(t, "SHA-256", "s3cret")
	out, stderr, code := runHTTPCmd(t, srv.Server, false, "-v", "--all", "-A", "digest", "-a", "ann:s3cret", srv.URL+"/protected", "k=v")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, bodies := srv.seen(); len(bodies) != 2 || bodies[0] != `{"k": "v"}` || bodies[1] != bodies[0] {
		t.Errorf("bodies received: %q", bodies)
	}
	if strings.Contains(out+stderr, "s3cret") {
		t.Errorf("the password was printed:\n%s", out)
	}
	i401, iAuth, iOK := strings.Index(out, "HTTP/1.1 401"), strings.Index(out, "Authorization: Digest username=\"ann\""), strings.Index(out, "welcome POST")
	if i401 < 0 || iAuth < i401 || iOK < iAuth || !strings.Contains(out, "who are you?") || strings.Count(out, `{"k": "v"}`) != 3 {
		t.Errorf("--all -v: want the 401 exchange, then the request with the digest, then the answer:\n%s", out)
	}
	out, _, _ = runHTTPCmd(t, srv.Server, false, "--print=h", "-A", "digest", "-a", "ann:s3cret", srv.URL+"/protected")
	if strings.Contains(out, "401") || !strings.Contains(out, "200 OK") {
		t.Errorf("without --all, the final response only:\n%s", out)
	}
}

// TestHTTPDigestOrigin: a challenge is answered only when it comes from the
// origin of the URL given; a redirect there (--follow) is answered at the
// URL that sent the challenge.
func TestHTTPDigestOrigin(t *testing.T) {
	srv := newDigestServer(t, "MD5", "pw")
	other := newDigestServer(t, "MD5", "pw")
	out, _, code := runHTTPCmd(t, srv.Server, false, "--follow", "--print=h", "-A", "digest", "-a", "ann:pw", srv.URL+"/open/"+other.URL+"/protected")
	if code != 0 || !strings.Contains(out, "401") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if auths, _ := other.seen(); len(auths) != 1 || auths[0] != "" {
		t.Errorf("the other origin got %q; want one request without credentials", auths)
	}

	out, _, _ = runHTTPCmd(t, srv.Server, false, "--follow", "-A", "digest", "-a", "ann:pw", srv.URL+"/open//protected/x")
	if out != "welcome GET \n" {
		t.Errorf("same-origin redirect then challenge: %q", out)
	}
}

func TestHTTPDigestNetrcAndSession(t *testing.T) {
	srv := newDigestServer(t, "SHA-256", "s3cret")
	writeNetrc(t, "machine 127.0.0.1 login ann password s3cret\n")
	out, _, _ := runHTTPCmd(t, srv.Server, false, "-A", "digest", srv.URL+"/protected")
	if out != "welcome GET \n" {
		t.Errorf("-A digest with netrc credentials: %q", out)
	}
	t.Setenv("NETRC", filepath.Join(t.TempDir(), "none"))

	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	sess := filepath.Join(cfg, "s.json")
	if _, stderr, code := runHTTPCmd(t, srv.Server, false, "--session", sess, "-a", "bob:basicpw", srv.URL+"/open/"); code != 0 {
		t.Fatal(stderr)
	}
	out, _, _ = runHTTPCmd(t, srv.Server, false, "--session", sess, "-A", "digest", "-a", "ann:s3cret", srv.URL+"/protected")
	if out != "welcome GET \n" {
		t.Errorf("-A digest with a session: %q", out)
	}
	auths, _ := srv.seen()
	if a := auths[len(auths)-2]; a != "" {
		t.Errorf("the session's basic auth went with the digest's first request: %q", a)
	}
	data, err := os.ReadFile(sess)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "s3cret") || !strings.Contains(string(data), "bob") {
		t.Errorf("the session kept the digest password or lost its own auth:\n%s", data)
	}
}

// FuzzPickDigest: any WWW-Authenticate value parses without panicking,
// and a challenge picked answers with a well-formed header value.
func FuzzPickDigest(f *testing.F) {
	f.Add(`Digest realm="a, b", nonce="n\"1", qop="auth-int, auth", algorithm=SHA-256, opaque=x`)
	f.Add(`Basic YWxhZGRpbjpvcGVuc2VzYW1l==, Digest nonce=n`)
	f.Add(`Digest realm="unterminated, nonce="n`)
	f.Fuzz(func(t *testing.T, v string) {
		ch, ok := pickDigest([]string{v})
		if !ok {
			return
		}
		got := ch.authorization(digestCreds{"u", "p"}, "GET", "/", newCnonce())
		if strings.ContainsAny(got, "\r\n") && !strings.ContainsAny(v, "\r\n") {
			t.Errorf("%q: answer %q has a line break", v, got)
		}
	})
}

// TestHTTPDigestURLCredentials: -A digest takes the URL's credentials, and
// never sends them as Basic (net/http sends a URL's user and password so
// when there is no Authorization header: it did before).
func TestHTTPDigestURLCredentials(t *testing.T) {
	srv := newDigestServer(t, "SHA-256", "s3cret")
	u := "http://ann:s3cret@" + strings.TrimPrefix(srv.URL, "http://") + "/protected"
	out, stderr, code := runHTTPCmd(t, srv.Server, false, "-A", "digest", u)
	if code != 0 || out != "welcome GET \n" {
		t.Errorf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	if auths, _ := srv.seen(); len(auths) != 2 || auths[0] != "" {
		t.Errorf("want a first request without credentials, then the digest: %q", auths)
	}
}
