// Package app is httpstate's reference web application, served by
// "httpstate serve": a login form, a shopping cart kept in the server session,
// and an admin dashboard that lists the live sessions of the store and updates
// itself over server-sent events.
//
// It shows the session package used the way an application should use it:
// the ID is renewed at login, the session is invalidated at logout, the cart is
// changed atomically with session.Update, every unsafe request carries a CSRF
// token bound to the session, and every link to a page of the app and every
// form action goes through Session.EncodeURL so the app keeps working with
// URL rewriting when cookies are blocked (the links to /metrics, /healthz and
// the static assets, outside the session, carry no ID).
//
// # Observability
//
// Lifecycle events reach the app through a session.Listener: they feed the
// Prometheus counters served at /metrics (a registry of the app's own, never
// the global one) and wake the dashboards' event streams. The store is wrapped
// in a decorator that records the latency of every store call. The number of
// active sessions is always read from the store itself (Manager.Iterate), so
// two instances that share one Redis store each see every session; /metrics
// and the chart take it from the scans the dashboards share (below), so
// scrapes, which need no login, never walk the store more than the
// dashboards do. Those counts do not wait for a walk newer than the latest
// session event (anyone can make one), only for one at most 500ms old or
// the one in progress.
//
// The dashboards of one App share their store reads: a snapshot's store-wide
// part (the sorted rows, the counts) comes from one scan of the store, taken by
// whichever viewer needs it first while the others wait for it, and reused
// for min(PollInterval/2, 500ms) unless a session event happens on this
// instance, after which the next snapshot scans again. Events wake a stream
// at most once per 250ms, or per PollInterval when that is shorter (events
// in between are coalesced), since anyone can create sessions, and with them
// events, at will. N open dashboards
// therefore cost about two store scans per poll interval, not N; the viewer's
// own marks (its row, whether its session is still live) are derived per
// viewer from a copy.
//
// The package is not public API; it exists for the httpstate command.
package app
