package token_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/httpstate/httpstate/token"
)

// An API that signs in users with EdDSA tokens, serves its JWKS and
// protects a route with the Bearer middleware.
func ExampleAuthority() {
	_, priv, _ := ed25519.GenerateKey(nil)
	keys, err := token.NewKeySet(token.SigningKey{ID: "2026-11", Alg: token.EdDSA, Private: priv})
	if err != nil {
		panic(err)
	}
	auth, err := token.New(&token.Options{Keys: keys, Issuer: "https://auth.example", Audience: "api"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/.well-known/jwks.json", keys.JWKS())
	mux.Handle("/me", auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", token.ClaimsFromContext(r.Context()).Subject)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := context.Background()
	pair, err := auth.Issue(ctx, "alice", nil) // at sign-in
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+pair.Access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	next, err := auth.Refresh(ctx, pair.Refresh, nil) // rotation
	fmt.Println(next != nil, err)
	_, err = auth.Refresh(ctx, pair.Refresh, nil) // replay of the old one
	fmt.Println(errors.Is(err, token.ErrReused))
	// Output:
	// 200 hello alice
	// true <nil>
	// true
}
