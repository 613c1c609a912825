// Package app is httpstate's reference web application, served by
// "httpstate serve": a login form, a shopping cart kept in the server session,
// and an admin dashboard that lists the live sessions of the store and updates
// itself over server-sent events.
//
// It shows the session package used the way an application should use it:
// the ID is renewed at login, the session is invalidated at logout, the cart is
// changed atomically with session.Update, every unsafe request carries a CSRF
// token bound to the session, and every link and form action goes through
// Session.EncodeURL so the app keeps working with URL rewriting when cookies
// are blocked.
//
// # Observability
//
// Lifecycle events reach the app through a session.Listener: they feed the
// Prometheus counters served at /metrics (a registry of the app's own, never
// the global one) and wake the dashboards' event streams. The store is wrapped
// in a decorator that records the latency of every store call. The number of
// active sessions is always read from the store itself (Manager.Iterate), so
// two instances that share one Redis store each see every session.
//
// The package is not public API; it exists for the httpstate command.
package app
