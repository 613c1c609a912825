package secheader_test

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/httpstate/httpstate/secheader"
)

var page = template.Must(template.New("p").Parse(
	`<script nonce="{{.Nonce}}">start()</script><p>{{.Comment}}</p>`))

// Only the page's own script carries the nonce: an injected script element
// (escaped here by html/template anyway) would not run.
func Example() {
	headers, err := secheader.New(nil)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(headers.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page.Execute(w, map[string]string{"Nonce": secheader.Nonce(r), "Comment": "<script>steal()</script>"})
	})))
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	nonce := strings.TrimSuffix(strings.TrimPrefix(strings.Fields(csp)[1], "'nonce-"), "'")
	fmt.Println(strings.Contains(string(body), `nonce="`+nonce+`"`))
	fmt.Println(resp.Header.Get("X-Frame-Options"), resp.Header.Get("X-Content-Type-Options"))
	// Output:
	// true
	// DENY nosniff
}
