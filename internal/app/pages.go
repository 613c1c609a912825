package app

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/secheader"
	"github.com/httpstate/httpstate/session"
)

// assets holds the templates and the static files (CSS, JavaScript): the app
// needs nothing from the network.
//
//go:embed assets/templates/*.html assets/static
var assets embed.FS

// parseTemplates parses the embedded page templates.
func parseTemplates() (*template.Template, error) {
	return template.New("").Funcs(template.FuncMap{
		"clock": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"iso": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"short": shortKey,
	}).ParseFS(assets, "assets/templates/*.html")
}

// shortKey is the prefix of a store key shown in pages and logs: enough to
// tell sessions apart, and only a hash of the ID in any case.
func shortKey(key string) string {
	if len(key) > 12 {
		return key[:12]
	}
	return key
}

// attr is one session attribute as the home page shows it.
type attr struct {
	Name, Value string
}

// page is the data of every template.
type page struct {
	s *session.Session

	Title     string
	User      string
	IsAdmin   bool
	Error     string
	CSRFField template.HTML
	CSRFToken string
	// Nonce is the response's CSP nonce, for script elements.
	Nonce string

	Key        string
	IsNew      bool
	Created    time.Time
	LastAccess time.Time
	Expiry     time.Time
	Attrs      []attr
	// IdleTimeout and Lifetime are the configured session timeouts.
	IdleTimeout time.Duration
	Lifetime    time.Duration
	Cart        []string

	Snapshot *snapshot // the dashboard
}

// URL returns u encoded for the request's session (";sid=ID" when URL
// rewriting is on and the request came without the cookie).
func (p *page) URL(u string) string {
	if p.s == nil {
		return u
	}
	return p.s.EncodeURL(u)
}

// newPage fills the data every page shows. It issues the CSRF token first:
// with a session-bound secret that may add an attribute to the session.
func (a *App) newPage(r *http.Request, title string) *page {
	s := session.FromRequest(r)
	p := &page{s: s, Title: title, CSRFToken: csrf.Token(r), Nonce: secheader.Nonce(r),
		IdleTimeout: a.idle, Lifetime: a.lifetime}
	if p.CSRFToken != "" {
		p.CSRFField = template.HTML(`<input type="hidden" name="` + csrf.FieldName + `" value="` + template.HTMLEscapeString(p.CSRFToken) + `">`)
	}
	if s == nil {
		return p
	}
	p.User = s.Principal()
	p.IsAdmin = a.users.isAdmin(p.User)
	p.Key = s.Key()
	p.IsNew = s.IsNew()
	p.Created, p.LastAccess, p.Expiry = s.Created(), s.LastAccess(), s.Expiry()
	return p
}

// render writes the template name with status. The page is rendered into a
// buffer first, so a template error becomes a clean 500.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := a.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		a.log.Error("rendering a page failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers with a short error page.
func (a *App) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	// No CSRF token here: an error page has no form, and a 404 must not
	// create a session.
	p := &page{s: session.FromRequest(r), Title: http.StatusText(status), Error: msg}
	if p.s != nil {
		p.User = p.s.Principal()
	}
	a.render(w, r, status, "error.html", p)
}

// internalError logs err and answers 500 without details.
func (a *App) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.Error(what, "path", logPath(r.URL.Path), "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// storeFailed answers a session or store call that failed: 503, as the
// session middleware answers a failing load, since the store is the likely
// cause; 500 for a session too large to store (the app's bug). The details
// are logged, not sent.
func (a *App) storeFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, session.ErrTooLarge) {
		a.internalError(w, r, what, err)
		return
	}
	a.log.Error(what, "path", logPath(r.URL.Path), "err", err)
	http.Error(w, "503 session service unavailable", http.StatusServiceUnavailable)
}

// home is GET /: who you are, the session, the cart and the forms.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	a.renderHome(w, r, http.StatusOK, "")
}

func (a *App) renderHome(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	p := a.newPage(r, "httpstate reference app")
	p.Error = errMsg
	if s := p.s; s != nil {
		names, err := s.Keys()
		if err != nil {
			a.storeFailed(w, r, "reading session attributes failed", err)
			return
		}
		sort.Strings(names)
		for _, n := range names {
			v := "(hidden)"
			if n != csrf.SessionAttr {
				var raw json.RawMessage
				if _, err := s.Get(n, &raw); err != nil {
					v = "(unreadable)"
				} else {
					v = string(raw)
				}
			}
			p.Attrs = append(p.Attrs, attr{Name: n, Value: v})
		}
		cart, _, err := session.Get[[]string](s, cartAttr)
		if err != nil {
			a.storeFailed(w, r, "reading the cart failed", err)
			return
		}
		p.Cart = cart
	}
	a.render(w, r, status, "home.html", p)
}

// notFound answers 404 for every path without a route.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, http.StatusNotFound, "There is no page at this address.")
}

// csrfMessage is what a rejected request is told.
const csrfMessage = "Forbidden: missing or invalid CSRF token"

// csrfFailed is the CSRF protector's error handler: 403, nothing changed. A
// browser (Accept: text/html) gets the app's error page with a way back,
// a script asking for JSON gets {"error":...}, anything else plain text.
//
// When the protector found no secret because the session could not be read
// (the store is failing), nothing was forged: that is logged as a store
// failure and answered 503, as the session middleware answers one.
func (a *App) csrfFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, csrf.ErrNoSecret) {
		if s := session.FromRequest(r); s != nil {
			if _, serr := s.Keys(); serr != nil {
				a.log.Error("reading the session failed", "method", r.Method, "path", logPath(r.URL.Path), "err", serr)
				http.Error(w, "503 session service unavailable", http.StatusServiceUnavailable)
				return
			}
		}
	}
	a.log.Warn("csrf check failed", "method", r.Method, "path", logPath(r.URL.Path), "reason", err)
	switch accept := r.Header.Get("Accept"); {
	case strings.Contains(accept, "application/json"):
		writeJSON(w, http.StatusForbidden, map[string]string{"error": csrfMessage})
		return
	case strings.Contains(accept, "text/html"):
		a.fail(w, r, http.StatusForbidden, "The form was stale or did not come from this site "+
			"(missing or invalid CSRF token); nothing was changed. Go back, reload the page and try again.")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte(csrfMessage + "\n"))
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// logPath is the path p for logs, with the value of every path parameter
// (";name=value") replaced by "…": the session middleware strips the
// ";sid=" it reads, but leaves one whose removal would make a dot segment
// ("/a/..;sid=ID/b"), and an ID must never reach the logs.
func logPath(p string) string {
	if !strings.Contains(p, ";") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for p != "" {
		i := strings.IndexByte(p, ';')
		if i < 0 {
			b.WriteString(p)
			break
		}
		b.WriteString(p[:i+1])
		p = p[i+1:]
		end := strings.IndexAny(p, "/;")
		if end < 0 {
			end = len(p)
		}
		if name, _, ok := strings.Cut(p[:end], "="); ok {
			b.WriteString(name)
			b.WriteString("=…")
		} else {
			b.WriteString(p[:end])
		}
		p = p[end:]
	}
	return b.String()
}
