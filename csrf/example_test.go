package csrf_test

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

var page = template.Must(template.New("form").Parse(
	`<form method="post" action="/transfer">{{.CSRF}}<button>Send</button></form>`))

// Session-bound tokens in an html/template form: the session middleware runs
// outside the Protector.
func Example() {
	store, _ := memstore.New(nil)
	sessions, _ := session.New(&session.Options{Store: store})
	defer sessions.Close()
	protect, err := csrf.New(nil) // nil: session-bound secret
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /transfer", func(w http.ResponseWriter, r *http.Request) {
		page.Execute(w, map[string]any{"CSRF": csrf.TemplateField(r)})
	})
	mux.HandleFunc("POST /transfer", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "transferred")
	})
	srv := httptest.NewServer(sessions.Handler(protect.Handler(mux)))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, _ := browser.Get(srv.URL + "/transfer")
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := regexp.MustCompile(`value="([^"]+)"`).FindSubmatch(form)[1]

	for _, v := range []string{string(tok), "forged"} {
		resp, _ = browser.PostForm(srv.URL+"/transfer", url.Values{"csrf_token": {v}})
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	// Output:
	// 200 transferred
	// 403 Forbidden - CSRF check failed
}

// Apps without server sessions use a signed double-submit cookie; the
// JavaScript client fetches a token from TokenHandler and sends it in the
// X-CSRF-Token header.
func ExampleDoubleSubmitCookie() {
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{
		Keys: [][]byte{[]byte("a 32-byte (or longer) random key")},
	})
	if err != nil {
		panic(err)
	}
	protect, _ := csrf.New(&csrf.Options{Secret: src})
	mux := http.NewServeMux()
	mux.Handle("GET /csrf-token", protect.TokenHandler())
	mux.HandleFunc("POST /api/items", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "created")
	})
	srv := httptest.NewServer(protect.Handler(mux))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, _ := client.Get(srv.URL + "/csrf-token")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := regexp.MustCompile(`"token":"([^"]+)"`).FindSubmatch(body)[1]

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/items", nil)
	req.Header.Set(csrf.HeaderName, string(tok))
	resp, _ = client.Do(req)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 200 created
}
