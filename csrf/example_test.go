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
