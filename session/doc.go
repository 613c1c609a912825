// Package session manages server-side HTTP sessions: a middleware that finds
// a request's session lazily and commits only what the request changed.
package session
