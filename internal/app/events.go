package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/httpstate/httpstate/session"
)

// keepAlive is how often an idle event stream sends a comment line, so
// proxies and browsers do not time the connection out.
const keepAlive = 15 * time.Second

// minSnapshotGap is the least time between two snapshots of an event stream
// that session events wake (less when PollInterval is shorter). Every session
// created on this instance, by anyone, is an event, and each snapshot after
// one walks the store: without a gap, a stream of new sessions would keep
// every open dashboard walking the store back to back. The events within a
// gap are coalesced into the next snapshot.
const minSnapshotGap = 250 * time.Millisecond

// streamWriteTimeout bounds each write (and flush) of an event stream. The
// server has no WriteTimeout, which would cut every stream; without this
// deadline a client that stops reading without closing the connection
// (gone without a FIN, or hostile) would hold the stream's goroutine and hub
// subscription, and delay a graceful shutdown, until TCP gives up.
const streamWriteTimeout = 10 * time.Second

// events is GET /dashboard/events (admins only): a server-sent event stream
// (the WHATWG HTML "Server-sent events" format) of dashboard snapshots.
//
// A snapshot is taken when a session event happens on this instance (at most
// one per minSnapshotGap, however many events come) and at least every
// PollInterval, so sessions created, renewed or expired by another
// instance sharing the store show up too. The store-wide part of it comes from
// the App's scan cache, shared by every open stream: N viewers do not cost N
// store scans per poll, and a scan older than the latest local session event
// is never reused. It is sent as an
// event "sessions" only when it differs from the previous one. When a
// snapshot fails (the store is down) the stream sends an event "unavailable"
// once, and the next snapshot that succeeds as "sessions" whatever it holds.
// When the
// viewer's own session is gone (logged out, revoked, expired) the stream sends
// an event "gone" and ends; the stream also ends when the client leaves or
// the App shuts down. A HEAD gets the stream's header and nothing more.
func (a *App) events(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	viewer := s.Key()
	rc := http.NewResponseController(w)
	// send writes s and flushes it within the write timeout. A writer
	// without deadlines (ErrNotSupported) still streams, unbounded.
	send := func(s string) error {
		if err := rc.SetWriteDeadline(time.Now().Add(a.writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
		return rc.Flush()
	}
	// The connection may serve another request once the stream ends.
	defer rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		// No body can follow: a stream would run, its writes discarded,
		// for as long as the client kept the connection open.
		return
	}
	if err := send("retry: 2000\n\n"); err != nil {
		if r.Context().Err() == nil && errors.Is(err, http.ErrNotSupported) {
			a.log.Error("event stream cannot flush", "err", err)
		}
		return
	}

	// ctx ends with the request or when the App shuts down, so that a
	// snapshot waiting for a slow store does not hold a graceful shutdown
	// up until the store call times out.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(a.doneCtx, cancel)
	defer stop()

	wake, unsubscribe := a.hub.subscribe()
	defer unsubscribe()
	poll := time.NewTicker(a.poll)
	defer poll.Stop()
	// idle wakes the loop when a keep-alive is due, however long the poll.
	idle := time.NewTimer(a.keepAlive)
	defer idle.Stop()
	lastWrite := time.Now()
	var last []byte
	down := false // the last snapshot failed
	var lastSnap time.Time
	for {
		lastSnap = time.Now()
		snap, err := a.snapshot(ctx, viewer)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !down {
				// Once per outage: the dashboard says the table is
				// stale, and the next snapshot is sent even if
				// unchanged, to say it is live again.
				down, last = true, nil
				a.log.Warn("dashboard snapshot failed", "err", err)
				if send("event: unavailable\ndata: {}\n\n") != nil {
					return
				}
				lastWrite = time.Now()
			}
		} else {
			down = false
			if !snap.viewerLive {
				send("event: gone\ndata: {}\n\n")
				return
			}
			// Compare without the timestamp, which always differs.
			now := snap.Now
			snap.Now = time.Time{}
			body, err := json.Marshal(snap)
			if err != nil {
				a.log.Error("encoding a snapshot failed", "err", err)
				return
			}
			if !bytes.Equal(body, last) {
				last = body
				snap.Now = now
				body, _ = json.Marshal(snap)
				if send("event: sessions\ndata: "+string(body)+"\n\n") != nil {
					return
				}
				lastWrite = time.Now()
			}
		}
		if time.Since(lastWrite) >= a.keepAlive {
			if send(": keep-alive\n\n") != nil {
				return
			}
			lastWrite = time.Now()
		}
		idle.Reset(a.keepAlive - time.Since(lastWrite))
		select {
		case <-ctx.Done():
			return
		case <-idle.C:
		case <-wake:
			// At most one snapshot per snapshotGap for events: the
			// ones that come meanwhile wait in wake for the next.
			if wait := a.snapshotGap - time.Since(lastSnap); wait > 0 {
				gap := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					gap.Stop()
					return
				case <-gap.C:
				}
			}
		case <-poll.C:
		}
		// select picks at random among ready cases: a tick pending
		// since a slow snapshot must not outrun the shutdown.
		if ctx.Err() != nil {
			return
		}
	}
}
