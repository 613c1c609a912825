package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"time"
)

// commit writes the request's changes, once, before the response headers go
// out, and sets the transport headers. An error goes to ErrorHandler.
func (s *Session) commit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return nil
	}
	s.committed = true
	if !s.loaded {
		return nil // the handler never touched the session: no I/O at all
	}
	if s.failed != nil {
		s.issueRenamed()
		// ErrorHandler's answer too is a response of a request that used
		// its session (an application's handler may make it cacheable).
		s.varyOnTransports(s.header())
		return s.failed
	}
	if s.m.c.expireLegacy { // one branch when the option is off
		s.expireLegacyCookie(s.header())
	}
	var err error
	if s.m.c.Codec != nil {
		err = s.commitCodec()
	} else {
		err = s.commitStore()
	}
	// After the transport headers (their one-allocation path wants Vary
	// unset), and whether or not the commit failed: see above.
	s.varyOnTransports(s.header())
	return err
}

// changed reports whether a new session has anything to store. s.mu is held.
func (s *Session) changed() bool {
	return s.create || len(s.pendSet) > 0 || s.pendPrincipal != nil || s.pendIdle != 0
}

func (s *Session) header() http.Header {
	return s.rw.ResponseWriter.Header()
}

// newRecord builds the record of a session created by this request.
func (s *Session) newRecord() *Record {
	c := s.m.c
	r := &Record{
		Key:         s.key,
		Principal:   s.principal(),
		Created:     s.now,
		LastAccess:  s.now,
		IdleTimeout: c.IdleTimeout,
		Deadline:    s.now.Add(c.Lifetime),
		Attrs:       s.pendSet,
	}
	if s.pendIdle != 0 {
		r.IdleTimeout = s.pendIdle
	}
	if r.Attrs == nil {
		r.Attrs = map[string][]byte{}
	}
	return r
}

func (s *Session) commitStore() error {
	m := s.m
	ctx := s.reqContext()
	h := s.header()
	if s.dead {
		// Another request ended or renamed the session while this one ran
		// (see the Save below): write nothing and send no cookie. Expiring
		// the cookie here could delete the new one that a concurrent Renew
		// (a login) just sent.
		return nil
	}
	if s.rec == nil {
		if s.id == "" || !s.changed() {
			if s.invalidated {
				return s.expireTransport(h)
			}
			return nil
		}
		rec := s.newRecord()
		for try := 0; ; try++ {
			err := m.c.Store.Create(ctx, rec)
			if errors.Is(err, ErrExists) && try < 2 {
				s.id = newID()
				s.key = Key(s.id)
				rec.Key = s.key
				continue
			}
			if err != nil {
				return s.storeFailed("create", err)
			}
			break
		}
		s.rec = rec
		s.pendInRec = rec.Attrs != nil && s.pendSet != nil
		s.created()
		s.enforceCap(ctx)
		return s.issue(h)
	}
	d := Delta{Set: s.pendSet, Delete: s.pendDel, Principal: s.pendPrincipal, IdleTimeout: s.pendIdle}
	touched := s.touchDue()
	if touched {
		d.LastAccess = s.now
	}
	if !d.IsEmpty() {
		err := m.c.Store.Save(ctx, s.key, d)
		if errors.Is(err, ErrNotFound) {
			// Another request invalidated or renamed the session while this
			// one ran: its changes are dropped, never written to a
			// resurrected session, and no cookie is sent (a concurrent Renew
			// may just have sent the new one).
			s.dead = true
			m.c.log.LogAttrs(ctx, slog.LevelWarn, "session ended by another request; changes dropped",
				slog.String("session", shortKey(s.key)))
			return nil
		}
		if err != nil {
			err = s.storeFailed("save", err)
			s.issueRenamed()
			return err
		}
		s.attrEvents(ctx)
		if s.pendPrincipal != nil {
			s.enforceCap(ctx)
		}
	}
	// A persistent cookie's Max-Age is the time left: refresh it whenever
	// the recorded access (touched, or written at load by keepAlive) or the
	// idle timeout changes.
	if s.renewed || ((touched || s.accessed) && m.c.Cookie.Persistent) {
		return s.issue(h)
	}
	return nil
}

// issueRenamed sends, along with the ErrorHandler's answer to a failed
// commit, the ID a Renew of this request gave the session: the store has
// already renamed it and the client's old ID is dead, so without it the
// client would lose the session (and what it held) to a failure that left
// the session alive. The commit's error stays the one reported. s.mu is
// held.
func (s *Session) issueRenamed() {
	if !s.renewed || s.dead || s.rec == nil || s.m.c.Codec != nil {
		return
	}
	failed := s.failed
	_ = s.issue(s.header())
	s.failed = failed
}

// storeFailed logs a store failure at commit and returns it for the
// ErrorHandler. s.mu is held.
func (s *Session) storeFailed(op string, err error) error {
	s.failed = fmt.Errorf("session: %s: %w", op, err)
	s.m.c.log.LogAttrs(s.reqContext(), slog.LevelError, "session store failed",
		slog.String("session", shortKey(s.key)), slog.String("op", op), slog.String("error", err.Error()))
	return s.failed
}

// created emits the events of a session stored by this request. s.mu is held.
func (s *Session) created() {
	m := s.m
	ctx := s.reqContext()
	m.c.log.LogAttrs(ctx, slog.LevelInfo, "session created", slog.String("session", shortKey(s.key)))
	if len(m.c.Listeners) == 0 {
		return
	}
	p := s.principal()
	m.emit(ctx, Event{Kind: EventCreated, Key: s.key, Principal: p, Time: s.now})
	for _, k := range sortedKeys(s.pendSet) {
		m.emit(ctx, Event{Kind: EventAttributeAdded, Key: s.key, Principal: p, Attr: k, Time: s.now})
	}
}

// attrEvents emits the attribute events of a saved delta. s.mu is held.
func (s *Session) attrEvents(ctx context.Context) {
	m := s.m
	if len(m.c.Listeners) == 0 {
		return
	}
	p := s.principal()
	for _, k := range sortedKeys(s.pendSet) {
		kind := EventAttributeAdded
		if _, ok := s.rec.Attrs[k]; ok {
			kind = EventAttributeReplaced
		}
		m.emit(ctx, Event{Kind: kind, Key: s.key, Principal: p, Attr: k, Time: s.now})
	}
	for _, k := range s.pendDel {
		m.emit(ctx, Event{Kind: EventAttributeRemoved, Key: s.key, Principal: p, Attr: k, Time: s.now})
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// enforceCap invalidates the principal's oldest other sessions beyond
// MaxPerPrincipal. A store failure here is logged, not fatal: the login
// itself succeeded. The checks of one principal run one at a time in this
// Manager, so concurrent logins of one user leave the last one checked and
// never evict each other all (Managers of several processes sharing a store
// do not coordinate: their concurrent logins may). s.mu is held.
func (s *Session) enforceCap(ctx context.Context) {
	m := s.m
	p := s.principal()
	if m.c.MaxPerPrincipal == 0 || p == "" {
		return
	}
	mu := m.capLock(p)
	mu.Lock()
	defer mu.Unlock()
	ms, err := m.c.Store.ByPrincipal(ctx, p)
	if err != nil {
		m.c.log.LogAttrs(ctx, slog.LevelError, "session MaxPerPrincipal check failed", slog.String("error", err.Error()))
		return
	}
	excess := len(ms) - m.c.MaxPerPrincipal
	for _, meta := range ms { // oldest first
		if excess <= 0 {
			break
		}
		if meta.Key == s.key {
			continue
		}
		if _, err := m.revoke(ctx, meta.Key, p, "evicted by MaxPerPrincipal"); err != nil {
			m.c.log.LogAttrs(ctx, slog.LevelError, "session eviction failed", slog.String("session", shortKey(meta.Key)), slog.String("error", err.Error()))
			continue
		}
		excess--
	}
}

// maxAge returns the Max-Age of the session cookie: -1 (none) for a session
// cookie, else the seconds left until expiry. s.mu is held.
func (s *Session) maxAge() int {
	if !s.m.c.Cookie.Persistent {
		return -1
	}
	left := s.expiry().Sub(s.now)
	if left <= 0 {
		return 0
	}
	return int((left + time.Second - 1) / time.Second)
}

// issue sends the session ID on every enabled transport. s.mu is held.
func (s *Session) issue(h http.Header) error {
	c := s.m.c
	v := ""
	if !c.Cookie.Disabled {
		var err error
		if v, err = s.setCookie(s.id, s.maxAge()); err != nil {
			return s.configFailed(err)
		}
	}
	if c.Header != "" {
		h.Set(c.Header, s.id)
		addVary(h, c.Header)
	}
	addTransportHeaders(h, v)
	return nil
}

// configFailed reports a cookie the configuration makes impossible over
// this connection (such as SameSite=None on a cookie that is not Secure).
// s.mu is held.
func (s *Session) configFailed(err error) error {
	s.failed = &configError{err}
	s.m.c.log.LogAttrs(s.reqContext(), slog.LevelError, "session cookie not written", slog.String("error", err.Error()))
	return s.failed
}

// configError marks a failure caused by the Manager's configuration, which
// the default ErrorHandler answers with 500.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// expireTransport tells the client to forget the session: the cookie with
// Max-Age=0 and an empty ID header. s.mu is held.
func (s *Session) expireTransport(h http.Header) error {
	c := s.m.c
	if !s.hadID {
		return nil
	}
	v := ""
	if !c.Cookie.Disabled {
		var err error
		if v, err = s.setCookie("", 0); err != nil {
			return s.configFailed(err)
		}
	}
	if c.Header != "" {
		h.Set(c.Header, "")
		addVary(h, c.Header)
	}
	addTransportHeaders(h, v)
	return nil
}
