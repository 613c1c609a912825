package cookiestore_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

// Sessions without a server-side store: the Manager keeps each session,
// encrypted, in the client's cookie.
func Example() {
	// In production, load the keys from a secret store; keep the old ones
	// after the current key while their cookies may still be alive.
	ring, err := token.NewKeyring(token.GenerateKey(2), token.GenerateKey(1))
	if err != nil {
		panic(err)
	}
	codec, err := cookiestore.New(&cookiestore.Options{Keyring: ring})
	if err != nil {
		panic(err)
	}
	sessions, err := session.New(&session.Options{Codec: codec})
	if err != nil {
		panic(err)
	}
	defer sessions.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/visit", func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Update(session.FromRequest(r), "visits", func(n int, _ bool) (int, error) { return n + 1, nil })
		if err != nil {
			http.Error(w, "session error", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "visit %d", n)
	})
	srv := httptest.NewServer(sessions.Handler(mux))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for range 3 {
		resp, err := client.Get(srv.URL + "/visit")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(body))
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}
