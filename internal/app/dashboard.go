package app

import (
	"context"
	"net/http"
	"time"

	"github.com/httpstate/httpstate/session"
)

// maxRows is the most sessions a dashboard snapshot lists (the most recently
// used ones); Active still counts them all.
const maxRows = 200

// sessionRow is one session in the dashboard.
type sessionRow struct {
	Key        string    `json:"key"`   // store key: the hash of the ID, never the ID
	Short      string    `json:"short"` // its displayed prefix
	Principal  string    `json:"principal"`
	Created    time.Time `json:"created"`
	LastAccess time.Time `json:"lastAccess"`
	Expiry     time.Time `json:"expiry"`
	Size       int       `json:"size"`
	Current    bool      `json:"current"` // the viewer's own session
}

// snapshot is what the dashboard shows; the event stream sends it as JSON.
type snapshot struct {
	Now       time.Time    `json:"now"`
	Active    int          `json:"active"`
	Users     int          `json:"users"` // distinct principals
	Sessions  []sessionRow `json:"sessions"`
	Truncated bool         `json:"truncated"`
	History   []sample     `json:"history"`

	viewerLive bool // the viewer's session is still in the store
}

// snapshot returns the dashboard of the viewer, the store key of the
// dashboard's own session. The store-wide part comes from the App's shared
// scan cache (see scanCache), so the dashboards open on one App share their
// store reads; the viewer's marks are set on a copy of the shared rows.
func (a *App) snapshot(ctx context.Context, viewer string) (*snapshot, error) {
	sc, err := a.scans.get(ctx)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{
		Now:       a.now(),
		Active:    sc.active,
		Users:     sc.users,
		Sessions:  make([]sessionRow, len(sc.rows)),
		Truncated: sc.truncated,
	}
	copy(snap.Sessions, sc.rows)
	for i := range snap.Sessions {
		if snap.Sessions[i].Key == viewer {
			snap.Sessions[i].Current = true
		}
	}
	// From the full scan's keys (every signed-in session, and a viewer is
	// signed in): the viewer may be live but not among the rows listed.
	_, snap.viewerLive = sc.keys[viewer]
	if !snap.viewerLive && viewer != "" {
		// The shared scan may predate the viewer's session: one made by
		// another instance sharing the store is no event here. Ask the
		// store, rather than tell a live viewer its session is gone.
		_, found, err := a.store.Load(ctx, viewer)
		if err != nil {
			return nil, err
		}
		snap.viewerLive = found
	}
	snap.History = a.history.list()
	if snap.History == nil {
		snap.History = []sample{}
	}
	return snap, nil
}

// dashboard is GET /dashboard (admins only): the page, rendered with a first
// snapshot; its script then follows /dashboard/events.
func (a *App) dashboard(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "Sessions — httpstate")
	snap, err := a.snapshot(r.Context(), p.Key)
	if err != nil {
		a.storeFailed(w, r, "listing sessions failed", err)
		return
	}
	p.Snapshot = snap
	a.render(w, r, http.StatusOK, "dashboard.html", p)
}

// revoke is POST /dashboard/revoke (field key: a store key): that session is
// deleted at once, whichever instance created it.
func (a *App) revoke(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	key := r.PostFormValue("key")
	if key == "" {
		a.fail(w, r, http.StatusBadRequest, "No session given.")
		return
	}
	found, err := a.mgr.Revoke(r.Context(), key)
	if err != nil {
		a.storeFailed(w, r, "revoking a session failed", err)
		return
	}
	a.log.Info("session revoked", "by", s.Principal(), "session", shortKey(key), "found", found)
	a.backToDashboard(w, r, s)
}

// revokeUser is POST /dashboard/revoke-user (field user): every session of
// that user is invalidated ("log out everywhere").
func (a *App) revokeUser(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	user := r.PostFormValue("user")
	if user == "" {
		a.fail(w, r, http.StatusBadRequest, "No user given.")
		return
	}
	n, err := a.mgr.InvalidatePrincipal(r.Context(), user)
	if err != nil {
		a.storeFailed(w, r, "revoking a user's sessions failed", err)
		return
	}
	a.log.Info("user's sessions revoked", "by", s.Principal(), "user", logName(user), "count", n)
	a.backToDashboard(w, r, s)
}

// backToDashboard redirects to the dashboard, or home when the admin has just
// revoked their own session.
func (a *App) backToDashboard(w http.ResponseWriter, r *http.Request, s *session.Session) {
	target := "/dashboard"
	if ok, err := a.viewerLive(r.Context(), s); err == nil && !ok {
		target = "/"
	}
	http.Redirect(w, r, s.EncodeRedirectURL(target), http.StatusSeeOther)
}

// viewerLive reports whether the session s is still in the store.
func (a *App) viewerLive(ctx context.Context, s *session.Session) (bool, error) {
	metas, err := a.mgr.ByPrincipal(ctx, s.Principal())
	if err != nil {
		return false, err
	}
	for _, m := range metas {
		if m.Key == s.Key() {
			return true, nil
		}
	}
	return false, nil
}
