package csrf_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/csrf"
)

func TestSessionBoundAccepts(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	tok := fetchToken(t, c, a.srv.URL)
	for _, header := range []bool{false, true} {
		before := a.hits.Load()
		if got := post(t, c, a.srv.URL+"/transfer", tok, header, nil); got != http.StatusOK {
			t.Errorf("POST with token (header=%v): status %d, want 200", header, got)
		}
		if a.hits.Load() != before+1 {
			t.Errorf("POST with token (header=%v): handler did not run", header)
		}
	}
	// Same-origin browser requests pass the first layer and need the token too.
	same := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": a.srv.URL}
	if got := post(t, c, a.srv.URL+"/transfer", tok, false, same); got != http.StatusOK {
		t.Errorf("same-origin POST with token: status %d, want 200", got)
	}
	before := a.hits.Load()
	a.wantRejected(t, "same-origin POST without token", post(t, c, a.srv.URL+"/transfer", "", false, same), before, csrf.ErrNoToken)
}

func TestTokensAreMaskedAfresh(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	seen := map[string]bool{}
	var toks []string
	for range 5 {
		tok := fetchToken(t, c, a.srv.URL)
		if seen[tok] {
			t.Errorf("token %q issued twice", tok)
		}
		seen[tok] = true
		toks = append(toks, tok)
		if len(tok) != 86 {
			t.Errorf("token length %d, want 86", len(tok))
		}
	}
	// Each token is pad || pad XOR secret, where secret is the session's
	// attribute; the secret itself never appears in a response.
	resp, err := c.Get(a.srv.URL + "/secret")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	secret, err := base64.RawURLEncoding.DecodeString(string(b))
	if err != nil || len(secret) != 32 {
		t.Fatalf("session secret %q: %v, want 32 bytes", b, err)
	}
	for _, tok := range toks {
		raw, _ := base64.RawURLEncoding.DecodeString(tok)
		got := make([]byte, 32)
		for i := range got {
			got[i] = raw[i] ^ raw[32+i]
		}
		if string(got) != string(secret) {
			t.Errorf("token %q unmasks to %x, want the session secret %x", tok, got, secret)
		}
		if strings.Contains(tok, string(b)[:20]) {
			t.Errorf("token %q contains the secret's encoding", tok)
		}
	}
	// Every earlier masked value still works.
	for i, tok := range toks {
		if got := post(t, c, a.srv.URL+"/transfer", tok, true, nil); got != http.StatusOK {
			t.Errorf("token of response %d: status %d, want 200", i, got)
		}
	}
}

func TestTokenFromAnotherSessionRejected(t *testing.T) {
	a := newSessionApp(t, nil)
	victim, attacker := a.client(t), a.client(t)
	fetchToken(t, victim, a.srv.URL) // the victim has a session with a secret
	attackerTok := fetchToken(t, attacker, a.srv.URL)
	before := a.hits.Load()
	a.wantRejected(t, "attacker's token in victim's session",
		post(t, victim, a.srv.URL+"/transfer", attackerTok, false, nil), before, csrf.ErrBadToken)
	// A client without any session/secret is rejected too.
	fresh := a.client(t)
	a.wantRejected(t, "token without a session",
		post(t, fresh, a.srv.URL+"/transfer", attackerTok, true, nil), before, csrf.ErrNoSecret)
}

func TestMissingAndBadTokensRejected(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	tok := fetchToken(t, c, a.srv.URL)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x80
		return base64.RawURLEncoding.EncodeToString(b)
	}
	bad := []struct {
		name string
		tok  string
		want error
	}{
		{"missing", "", csrf.ErrNoToken},
		{"truncated by one", tok[:len(tok)-1], csrf.ErrBadToken},
		{"half", tok[:43], csrf.ErrBadToken},
		{"extended", tok + "A", csrf.ErrBadToken},
		{"pad byte flipped", flip(0), csrf.ErrBadToken},
		{"masked byte flipped", flip(40), csrf.ErrBadToken},
		{"not base64", strings.Repeat("!", 86), csrf.ErrBadToken},
		{"padded base64", base64.URLEncoding.EncodeToString(raw), csrf.ErrBadToken},
		{"std alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(tok), nil},
		{"zeros", strings.Repeat("A", 86), csrf.ErrBadToken},
	}
	for _, tt := range bad {
		if tt.name == "std alphabet" && !strings.ContainsAny(tok, "-_") {
			continue
		}
		before := a.hits.Load()
		a.wantRejected(t, tt.name, post(t, c, a.srv.URL+"/transfer", tt.tok, false, nil), before, tt.want)
	}
}

func TestCrossOriginRejected(t *testing.T) {
	a := newSessionApp(t, &csrf.Options{TrustedOrigins: []string{"https://partner.example"}})
	c := a.client(t)
	tok := fetchToken(t, c, a.srv.URL)
	cases := []struct {
		name    string
		headers map[string]string
	}{
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"Sec-Fetch-Site same-site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://sub.example"}},
		{"Origin mismatch", map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tt := range cases {
		before := a.hits.Load()
		// Even with a valid token: the first layer stops it.
		a.wantRejected(t, tt.name, post(t, c, a.srv.URL+"/transfer", tok, false, tt.headers), before, csrf.ErrCrossOrigin)
	}
	trusted := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example"}
	if got := post(t, c, a.srv.URL+"/transfer", tok, true, trusted); got != http.StatusOK {
		t.Errorf("trusted origin with token: status %d, want 200", got)
	}
	before := a.hits.Load()
	a.wantRejected(t, "trusted origin without token", post(t, c, a.srv.URL+"/transfer", "", true, trusted), before, csrf.ErrNoToken)
}

func TestSafeMethodsExempt(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace} {
		req, _ := http.NewRequest(m, a.srv.URL+"/transfer", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s without token: status %d, want 200", m, resp.StatusCode)
		}
	}
	for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete, "PROPFIND"} {
		before := a.hits.Load()
		req, _ := http.NewRequest(m, a.srv.URL+"/transfer", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		a.wantRejected(t, m+" without token", resp.StatusCode, before, csrf.ErrNoToken)
	}
}

func TestDefaultErrorHandler(t *testing.T) {
	p, err := csrf.New(&csrf.Options{Secret: fixedSecret(make([]byte, 32))})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusForbidden || ran {
		t.Errorf("POST without token: status %d, handler ran %v; want 403, false", rec.Code, ran)
	}
}

func TestNewRejectsBadTrustedOrigin(t *testing.T) {
	if _, err := csrf.New(&csrf.Options{TrustedOrigins: []string{"not an origin"}}); err == nil {
		t.Errorf("New with a malformed trusted origin succeeded")
	}
}

var fieldRE = regexp.MustCompile(`^<input type="hidden" name="csrf_token" value="([A-Za-z0-9_-]{86})">$`)

func TestTemplateFieldAndTokenHandler(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	resp, err := c.Get(a.srv.URL + "/form")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := fieldRE.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("GET /form = %q, want a hidden csrf_token input", body)
	}
	if got := post(t, c, a.srv.URL+"/transfer", m[1], false, nil); got != http.StatusOK {
		t.Errorf("POST with the form's token: status %d, want 200", got)
	}
	if vary := resp.Header.Values("Vary"); !strings.Contains(strings.Join(vary, ","), "Cookie") {
		t.Errorf("form response Vary = %q, want Cookie", vary)
	}
	r2, err := c.Get(a.srv.URL + "/token")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if ct, cc := r2.Header.Get("Content-Type"), r2.Header.Get("Cache-Control"); ct != "application/json" || cc != "no-store" {
		t.Errorf("/token Content-Type %q Cache-Control %q, want application/json, no-store", ct, cc)
	}
	// Outside the middleware there is no token.
	if got := csrf.Token(httptest.NewRequest(http.MethodGet, "/", nil)); got != "" {
		t.Errorf("Token outside Handler = %q, want \"\"", got)
	}
	if got := csrf.TemplateField(httptest.NewRequest(http.MethodGet, "/", nil)); got != "" {
		t.Errorf("TemplateField outside Handler = %q, want \"\"", got)
	}
}

func TestRotate(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	old := fetchToken(t, c, a.srv.URL)
	resp, err := c.Get(a.srv.URL + "/rotate")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /rotate: %d %s", resp.StatusCode, b)
	}
	before := a.hits.Load()
	a.wantRejected(t, "token from before Rotate", post(t, c, a.srv.URL+"/transfer", old, true, nil), before, csrf.ErrBadToken)
	if got := post(t, c, a.srv.URL+"/transfer", string(b), true, nil); got != http.StatusOK {
		t.Errorf("token from after Rotate: status %d, want 200", got)
	}
}

func TestSessionSecretWithoutSession(t *testing.T) {
	p, err := csrf.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.TokenHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/token", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("TokenHandler without a session: status %d, want 500", rec.Code)
	}
}

// The secret lives in the session's data, so it follows the session through
// an ID renewal (as at sign-in); Rotate is what retires it.
func TestSecretSurvivesRenew(t *testing.T) {
	a := newSessionApp(t, nil)
	c := a.client(t)
	tok := fetchToken(t, c, a.srv.URL)
	u, _ := url.Parse(a.srv.URL)
	before := c.Jar.Cookies(u)
	resp, err := c.Get(a.srv.URL + "/renew")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := c.Jar.Cookies(u)
	if len(before) != 1 || len(after) != 1 || before[0].Value == after[0].Value {
		t.Fatalf("session cookie not renewed: before %v, after %v", before, after)
	}
	if got := post(t, c, a.srv.URL+"/transfer", tok, true, nil); got != http.StatusOK {
		t.Errorf("token after session renewal: status %d, want 200", got)
	}
}
