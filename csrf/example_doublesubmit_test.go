package csrf_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"

	"github.com/httpstate/httpstate/csrf"
)

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
