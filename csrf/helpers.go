package csrf

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
)

// TemplateField returns a hidden form input carrying a fresh token, for
// html/template forms:
//
//	<input type="hidden" name="csrf_token" value="...">
//
// The token is base64url, which needs no escaping. It returns "" where Token
// would.
func TemplateField(r *http.Request) template.HTML {
	tok := Token(r)
	if tok == "" {
		return ""
	}
	return template.HTML(`<input type="hidden" name="` + FieldName + `" value="` + tok + `">`)
}

// TokenHandler returns a handler that answers {"token":"..."} with a fresh
// token, for JavaScript clients that send it back in the X-CSRF-Token header.
// The response is marked Cache-Control: no-store. It works with or without
// the Protector's Handler around it; a failure to obtain the secret is a 500.
func (p *Protector) TokenHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		if st == nil || st.p != p {
			// Outside this Protector's Handler: give the SecretSource this
			// Protector's clock (nowOf) as Handler would.
			st = &reqState{p: p, w: w}
			r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		}
		tok, err := st.token(r)
		if err != nil {
			http.Error(w, "csrf: cannot issue a token", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(struct {
			Token string `json:"token"`
		}{tok})
	})
}
