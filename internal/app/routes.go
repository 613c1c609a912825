package app

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// routes builds the App's handler tree.
//
// /healthz, /metrics and /static/ sit outside the session middleware: probes,
// scrapers and asset requests never create sessions. Everything else runs
// inside session.Manager.Handler (which strips ";sid=" path parameters and
// commits the session before the response header) and, inside that, the CSRF
// protector, which rejects every unsafe request without the session's token.
func (a *App) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("GET /cart", a.cart)
	mux.HandleFunc("POST /cart", a.addToCart)
	mux.Handle("GET /api/csrf", noStore(a.csrf.TokenHandler()))
	mux.HandleFunc("GET /dashboard", a.admin(a.dashboard))
	mux.HandleFunc("GET /dashboard/events", a.adminStream(a.events))
	mux.HandleFunc("POST /dashboard/revoke", a.admin(a.revoke))
	mux.HandleFunc("POST /dashboard/revoke-user", a.admin(a.revokeUser))
	mux.HandleFunc("/", a.notFound)
	withSession := a.mgr.Handler(a.csrf.Handler(mux))

	outer := http.NewServeMux()
	outer.HandleFunc("GET /healthz", a.healthz)
	outer.Handle("GET /metrics", a.metrics.handler())
	outer.Handle("GET /static/", cacheAssets(a.static))
	outer.Handle("/", withSession)
	headers, err := newSecurityHeaders(a.behindTLS)
	if err != nil {
		return nil, err
	}
	return headers(limitBody(outer)), nil
}

// maxRequestBody bounds a request body. The app's forms are a few hundred
// bytes (a user name and password, a cart item of at most 100 bytes, a
// store key, the CSRF token).
const maxRequestBody = 64 << 10

// limitBody bounds request bodies to maxRequestBody before anything reads
// them: the CSRF protector parses an unsafe request's form before the
// routes run, a multipart form of any size (32 MB in memory, the rest in
// temporary files), and anyone may send one. A body announced longer gets
// 413 at once; a longer chunked one is cut off, so its form reads as empty
// (403 for want of a CSRF token).
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxRequestBody {
			w.Header().Set("Connection", "close")
			http.Error(w, "413 request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		h.ServeHTTP(w, r)
	})
}

// healthzTimeout bounds the store check of /healthz.
const healthzTimeout = 2 * time.Second

// healthz answers health probes: 200 "ok" when the session store answers
// (a Load of a key no session has), 503 "store unavailable" when it fails or
// does not answer within healthzTimeout. Without the store the app can only
// answer 503, so a load balancer should send its users elsewhere.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), healthzTimeout)
	defer cancel()
	if err := a.store.ping(ctx); err != nil {
		a.log.Warn("health check: session store unavailable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("store unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// noStore marks h's responses as not cacheable.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// cacheAssets lets browsers keep the embedded assets for an hour. It serves
// files only: a directory (a path ending in "/") is 404, not a listing.
func cacheAssets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
