package app

import (
	"io"
	"net/http"
	"strings"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
)

// login is POST /login (fields user, password). On success it renews the
// session ID, so an ID planted before login (session fixation) is dead, drops
// the cart of a different user signed in before (an anonymous cart stays), sets
// the principal, replaces the CSRF secret (tokens handed out before login stop
// working) and redirects to /. A bad password gets 401 and changes nothing.
func (a *App) login(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	user, password := r.PostFormValue("user"), r.PostFormValue("password")
	if s == nil || !a.users.check(user, password) {
		a.metrics.logins.WithLabelValues("failed").Inc()
		a.log.Warn("login failed", "user", logName(user), "session", shortKey(sessionKey(s)))
		a.renderHome(w, r, http.StatusUnauthorized, "Wrong user name or password.")
		return
	}
	old, prev := s.Key(), s.Principal()
	if err := s.Renew(); err != nil {
		a.storeFailed(w, r, "renewing the session failed", err)
		return
	}
	if prev != "" && prev != user {
		// Another user signs in over a signed-in session (a shared
		// browser): the previous user's cart is not theirs to see. An
		// anonymous cart, on the other hand, carries over.
		if err := s.Delete(cartAttr); err != nil {
			a.storeFailed(w, r, "clearing the previous user's cart failed", err)
			return
		}
	}
	if err := s.SetPrincipal(user); err != nil {
		a.storeFailed(w, r, "setting the principal failed", err)
		return
	}
	if err := csrf.Rotate(r); err != nil {
		a.storeFailed(w, r, "rotating the csrf secret failed", err)
		return
	}
	a.metrics.logins.WithLabelValues("ok").Inc()
	a.log.Info("login", "user", user, "old_session", shortKey(old), "session", shortKey(s.Key()))
	http.Redirect(w, r, s.EncodeRedirectURL("/"), http.StatusSeeOther)
}

// logout is POST /logout: the session is invalidated (its data gone, its
// cookie expired) and the browser goes back to /.
func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	if s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	user, key := s.Principal(), s.Key()
	if err := s.Invalidate(); err != nil {
		a.storeFailed(w, r, "invalidating the session failed", err)
		return
	}
	a.log.Info("logout", "user", user, "session", shortKey(key))
	http.Redirect(w, r, s.EncodeRedirectURL("/"), http.StatusSeeOther)
}

// admin lets only the dashboard's users reach h; others get 403.
func (a *App) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s == nil || !a.users.isAdmin(s.Principal()) {
			a.fail(w, r, http.StatusForbidden, "The dashboard is for administrators: log in as admin.")
			return
		}
		h(w, r)
	}
}

// adminStream is admin for the dashboard's event stream. A browser's
// EventSource (Accept: text/event-stream) without an admin session is told
// "gone", as an open stream is when its viewer's session ends: it is a
// dashboard reconnecting after its session ended while it was disconnected
// (a server restarted on a memory: store, the idle timeout passed during a
// network outage). A 403 would make the EventSource give up without an
// event, the page saying "reconnecting…" for ever. Other requests get 403.
func (a *App) adminStream(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if (s == nil || !a.users.isAdmin(s.Principal())) && strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "event: gone\ndata: {}\n\n")
			return
		}
		a.admin(h)(w, r)
	}
}

// maxLoggedName is how much of an unverified user name a log line keeps.
const maxLoggedName = 64

// logName shortens a user name taken from a request before it is logged, so
// a failed login with a megabyte-long name does not write a megabyte-long
// log line.
func logName(name string) string {
	if len(name) <= maxLoggedName {
		return name
	}
	return strings.ToValidUTF8(name[:maxLoggedName], "") + "…"
}

// sessionKey returns s's store key, "" for none.
func sessionKey(s *session.Session) string {
	if s == nil {
		return ""
	}
	return s.Key()
}
