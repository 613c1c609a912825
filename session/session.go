package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"
	"unsafe"
)

// Session is one request's view of its session. It loads lazily: a request
// that never calls a method costs no store I/O. Changes are buffered and
// committed as one Delta before the response headers go out, except Update,
// Renew and Invalidate, which reach the store at once. A Session is safe for
// concurrent use by the goroutines of its request; it must not be used after
// the request's handler has returned.
type Session struct {
	m   *Manager
	req *http.Request // the request as the handler sees it
	rw  responseWriter
	ctx sessionContext

	// mu protects every field below. (The bools sit together, after the
	// buffers, so that the Session fits a smaller allocation size class.)
	mu sync.Mutex

	urlID  string    // ID from the ";sid=" path parameter, if URL rewriting is on
	failed error     // a store failure: the response goes to ErrorHandler
	now    time.Time // the Manager's clock at load

	id       string  // the current ID; "" while there is none
	key      string  // Key(id), or the record key in codec mode
	rec      *Record // the stored record; nil for a new session
	chunksIn int     // codec mode: how many cookies the request carried
	// codec mode: the key the request's cookie carried, before this
	// request's Renew; its EventRenewed waits for the commit that sends
	// the new cookie.
	renewedFrom string

	pendSet       map[string][]byte // attributes set by this request
	pendDel       []string          // attributes of rec deleted by this request
	pendPrincipal *string
	pendIdle      time.Duration

	// Buffers that save a request its commonest string allocations. Each
	// is written at most once (lookupUsed, idUsed), before any string over
	// it exists, and never changes afterwards, so strings made over it with
	// unsafe.String stay immutable; they keep the Session alive, nothing
	// more.
	lookupBuf [keyLen]byte // the store key of the first candidate ID
	idBuf     [idLen]byte  // the ID of a session this request creates

	loaded      bool
	committed   bool // commit ran
	hadID       bool // the request carried some session ID or cookie
	hadCookie   bool // the request carried the session cookie (any value): the client keeps cookies
	hadHeader   bool // the request carried the session header (any value): the client keeps the ID
	create      bool // a new session must be stored at commit even if empty
	renewed     bool // the ID changed: send it
	invalidated bool // this request invalidated a session
	dead        bool // another request ended the session: write nothing
	endedElse   bool // an Invalidate found the session ended elsewhere: never expire the cookie
	lookupUsed  bool
	idUsed      bool
	pendInRec   bool // rec.Attrs is pendSet (a session this request created)
	recShared   bool // rec came from Store.Load: read-only, copy before changing
	accessed    bool // keepAlive wrote this request's access at load: the commit's touch is done
	// legacy has bit i set for each cookie chunkName(legacyCookieName, i)
	// the commit expires (expireLegacyCookie), as decided at load.
	legacy uint8
}

// ownRec makes s.rec the Session's own, copying a record that Store.Load
// handed out (read-only, possibly shared with other requests) before the
// Session changes it. s.mu is held.
func (s *Session) ownRec() {
	if !s.recShared {
		return
	}
	r := *s.rec
	if s.rec.Attrs != nil {
		r.Attrs = make(map[string][]byte, len(s.rec.Attrs)+1)
		for k, v := range s.rec.Attrs {
			r.Attrs[k] = v
		}
	}
	s.rec, s.recShared = &r, false
}

// maxPooledPend is the largest pending-changes map release recycles; a
// larger one keeps memory a small request does not need.
const maxPooledPend = 8

// release runs after the handler has returned and the session is committed
// (so no change can be buffered any more, see change): it takes the
// pending-changes map away from the Session, empties it and gives it to the
// Manager's pool for a later request. A goroutine that (against the
// documentation) still holds the Session sees no pending changes and, for a
// session this request created, no attributes: never another request's
// data, since the map is detached under s.mu before it is cleared.
func (s *Session) release() {
	s.mu.Lock()
	p := s.pendSet
	s.pendSet = nil
	if s.pendInRec && s.rec != nil {
		s.rec.Attrs = nil
	}
	s.pendInRec = false
	committed := s.committed
	s.mu.Unlock()
	if p == nil || !committed || len(p) > maxPooledPend {
		return
	}
	clear(p)
	s.m.pend.Put(p)
}

// lookupKey returns Key(id), over s.lookupBuf the first time. The string is
// only handed to Store.Load; once the record is found, s.key is the
// record's own copy. s.mu is held.
func (s *Session) lookupKey(id string) string {
	if s.lookupUsed {
		return Key(id)
	}
	s.lookupUsed = true
	keyInto(&s.lookupBuf, id)
	return unsafe.String(&s.lookupBuf[0], keyLen)
}

// freshID returns a new ID, over s.idBuf the first time. s.mu is held.
func (s *Session) freshID() string {
	if s.idUsed {
		return newID()
	}
	s.idUsed = true
	newIDInto(&s.idBuf)
	return unsafe.String(&s.idBuf[0], idLen)
}

// FromRequest returns the session of a request served through
// Manager.Handler, or nil.
func FromRequest(r *http.Request) *Session {
	return FromContext(r.Context())
}

// FromContext returns the session carried by ctx (a request's context under
// Manager.Handler), or nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

// ctxKey is the context key of the request's *Session.
type ctxKey struct{}

// managerKey is the context key of the request's *Session of one Manager
// (the nearest may be another Manager's).
type managerKey struct{ m *Manager }

// fromContext returns the Session of m's middleware that ctx carries, or
// nil.
func (m *Manager) fromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(managerKey{m}).(*Session)
	return s
}

// sessionContext is the request context carrying the session. It is embedded
// in Session to save an allocation per request.
type sessionContext struct {
	context.Context
	s *Session
}

// Value returns the session for ctxKey, and for the managerKey of its
// Manager, and defers to the parent otherwise.
func (c *sessionContext) Value(key any) any {
	switch k := key.(type) {
	case ctxKey:
		return c.s
	case managerKey:
		if k.m == c.s.m {
			return c.s
		}
	}
	return c.Context.Value(key)
}

// errDead is returned by operations on a session another request ended.
var errDead = fmt.Errorf("session: ended by another request: %w", ErrNotFound)

// load finds the session on first use. It returns s.failed. s.mu is held.
func (s *Session) load() error {
	if s.loaded {
		return s.failed
	}
	s.loaded = true
	m := s.m
	s.now = m.c.Now()
	if m.closed.Load() {
		s.failed = fmt.Errorf("session: %w", ErrClosed)
		return s.failed
	}
	if m.c.Codec != nil {
		s.loadCodec()
		return nil
	}
	var err error
	done := false
	var c candidates
	if !m.c.Cookie.Disabled {
		// Repeated cookies: try a few, never many.
		var vals [1][maxTries]string
		var n [1]uint8
		own := cookieSlots{name: m.cookieName(s.req), vals: vals[:], n: n[:]}
		s.readCookies(&own)
		s.hadCookie = n[0] > 0
		for _, v := range vals[0][:n[0]] {
			if done, err = s.try(&c, v); done || err != nil {
				break
			}
		}
	}
	if !done && err == nil && m.c.Header != "" {
		if v := s.req.Header.Get(m.c.Header); v != "" {
			s.hadHeader = true
			done, err = s.try(&c, v)
		}
	}
	// A client that sent the session cookie (or header) keeps the ID itself
	// and never needs URL rewriting: a ";sid=" ID in its URL came from
	// someone else's link and is not adopted (session fixation), even if
	// its cookie or header ID is stale.
	if !done && err == nil && s.urlID != "" && !s.hadCookie && !s.hadHeader {
		_, err = s.try(&c, s.urlID)
	}
	if err == nil && s.rec != nil {
		err = s.keepAlive()
	}
	if err != nil {
		s.failed = err
		m.c.log.LogAttrs(s.reqContext(), slog.LevelError, "session store failed", slog.String("error", err.Error()))
	}
	return s.failed
}

// try adopts id if it names a live session. It reports whether it did; an
// error means the store failed. s.mu is held.
func (s *Session) try(c *candidates, id string) (bool, error) {
	s.hadID = true
	if !validID(id) || c.n == maxTries {
		return false, nil
	}
	for _, t := range c.ids[:c.n] {
		if equalID(t, id) {
			return false, nil
		}
	}
	c.ids[c.n] = id
	c.n++
	key := s.lookupKey(id)
	rec, found, err := s.m.c.Store.Load(s.reqContext(), key)
	if err != nil {
		return false, fmt.Errorf("session: load: %w", err)
	}
	if !found || rec == nil || !equalID(rec.Key, key) || !s.now.Before(rec.Expiry()) {
		return false, nil
	}
	// The record's copy of the key (equal, as checked above), not key: the
	// Session's buffer must not outlive the request in anything the Session
	// hands on.
	s.id, s.key, s.rec, s.recShared = id, rec.Key, rec, true
	return true, nil
}

// keepAlive records this request's access at once, before the handler
// runs, when the session found has less than a tenth of its idle timeout
// (or less than its touch interval, as touchDue caps it) left before it
// would expire for idleness:
// a session is in use from the start of the request, and without this a
// request slower than the time left would find the session expired at
// commit and lose its writes. The write is the commit's touch made early (a
// touch is due this close to expiry, and the commit does not make it
// again: see touchDue), so it costs one more write only when the request
// also changes attributes, at most once per idle period of a session.
// s.rec keeps the access before this request (LastAccess reports it);
// s.accessed marks the touch done, for the commit (a persistent cookie's
// Max-Age) and expiry. A session that ends meanwhile is left to the
// commit, which finds it ended, as for one ended later in the request.
// s.rec is not nil; s.mu is held.
func (s *Session) keepAlive() error {
	r := s.rec
	idle := r.LastAccess.Add(r.IdleTimeout)
	if !r.Deadline.IsZero() && !idle.Before(r.Deadline) {
		return nil // the absolute deadline comes first: no touch extends it
	}
	if idle.Sub(s.now) >= max(min(s.m.c.TouchInterval, r.IdleTimeout/2), r.IdleTimeout/10) {
		return nil
	}
	err := s.m.c.Store.Save(s.reqContext(), s.key, Delta{LastAccess: s.now})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	s.accessed = true
	return nil
}

// maxTries is the most candidate IDs one request may look up.
const maxTries = 4

// candidates are the IDs a request's load has looked up, for
// de-duplication.
type candidates struct {
	ids [maxTries]string
	n   int
}

// reqContext returns the request's own context (without the session).
func (s *Session) reqContext() context.Context {
	return s.ctx.Context
}

// ensureID gives a new session an ID, so that EncodeURL and Key work before
// the commit stores it. s.mu is held.
func (s *Session) ensureID() {
	if s.id == "" && s.key == "" {
		if s.m.c.Codec != nil {
			s.key = Key(newID())
		} else {
			s.id = s.freshID()
			s.key = Key(s.id)
		}
	}
}

// use loads the session and refuses a failed or dead one. s.mu is held.
func (s *Session) use() error {
	if err := s.load(); err != nil {
		return err
	}
	if s.dead {
		return errDead
	}
	return nil
}

// ErrCommitted reports a change made after the session was committed (once
// the response headers have gone out): it could not reach the client or the
// store, so it is refused rather than lost silently.
var ErrCommitted = errors.New("session: changed after the response was committed")

// change is use for methods that buffer a change for the commit. s.mu is
// held.
func (s *Session) change() error {
	if err := s.use(); err != nil {
		return err
	}
	if s.committed {
		return ErrCommitted
	}
	return nil
}

// Key returns the session's store key (the hash of its ID); "" while the
// session has no ID (a new session nothing was written to).
func (s *Session) Key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil {
		return ""
	}
	return s.key
}

// IsNew reports whether the session is not stored yet: the request carried no
// live session, or this request invalidated it.
func (s *Session) IsNew() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil {
		return false
	}
	return s.rec == nil
}

// Created returns when the session was created (now, for a new one).
func (s *Session) Created() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil || s.rec == nil {
		return s.now
	}
	return s.rec.Created
}

// LastAccess returns the last recorded access before this request (now, for a
// new session).
func (s *Session) LastAccess() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil || s.rec == nil {
		return s.now
	}
	return s.rec.LastAccess
}

// Expiry returns when the session expires if not used again: the earlier of
// the idle deadline (counted from the last access this request records, see
// Options.TouchInterval) and the absolute deadline.
func (s *Session) Expiry() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil {
		return time.Time{}
	}
	return s.expiry()
}

// expiry computes the expiry as the commit will record it. s.mu is held.
func (s *Session) expiry() time.Time {
	r := Record{LastAccess: s.now, IdleTimeout: s.m.c.IdleTimeout, Deadline: s.now.Add(s.m.c.Lifetime)}
	if s.rec != nil {
		r.IdleTimeout = s.rec.IdleTimeout
		r.Deadline = s.rec.Deadline
		if !s.accessed && !s.touchDue() && (s.m.c.Store != nil || !s.codecChanged()) {
			// The commit will not touch it (in Codec mode, not re-issue
			// the cookie, which keeps the access it records).
			r.LastAccess = s.rec.LastAccess
		}
	}
	if s.pendIdle != 0 {
		r.IdleTimeout = s.pendIdle
	}
	return r.Expiry()
}

// touchDue reports whether the commit records this request's access as the
// session's last access: TouchInterval has passed since the recorded one.
// The interval is capped at half the idle timeout the commit leaves the
// session with (its own, see SetIdleTimeout), as Options.TouchInterval is
// at half the Manager's: a session in steady use must never expire between
// two recorded accesses, nor a request shortening its idle timeout below
// the time since the recorded access end the session it uses. A request
// setting the idle timeout (which writes anyway) records its access, so the
// new timeout counts from now. An access keepAlive wrote at load is this
// request's touch: not due again. s.rec is not nil; s.mu is held.
func (s *Session) touchDue() bool {
	if s.pendIdle != 0 {
		return true
	}
	if s.accessed {
		return false
	}
	return s.now.Sub(s.rec.LastAccess) >= min(s.m.c.TouchInterval, s.rec.IdleTimeout/2)
}

// lookup returns the current encoded value of attr. s.mu is held.
func (s *Session) lookup(attr string) ([]byte, bool) {
	if v, ok := s.pendSet[attr]; ok {
		return v, true
	}
	if s.rec == nil {
		return nil, false
	}
	for _, d := range s.pendDel {
		if d == attr {
			return nil, false
		}
	}
	v, ok := s.rec.Attrs[attr]
	return v, ok
}

// Get JSON-decodes the attribute key into dst and reports whether it exists.
// An error means the store failed (the response will be a 503) or the value
// does not decode into dst.
func (s *Session) Get(key string, dst any) (bool, error) {
	v, ok, err := s.raw(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return true, fmt.Errorf("session: attribute %q: %w", key, err)
	}
	return true, nil
}

// raw returns the encoded value of the attribute key.
func (s *Session) raw(key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.use(); err != nil {
		return nil, false, err
	}
	v, ok := s.lookup(key)
	return v, ok, nil
}

// Set JSON-encodes v as the attribute key. It is written at commit as part of
// the request's Delta, so concurrent requests setting other attributes keep
// theirs. Setting an attribute on a new session creates it at commit.
func (s *Session) Set(key string, v any) error {
	b, err := encodeValue(v)
	if err != nil {
		return fmt.Errorf("session: attribute %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.change(); err != nil {
		return err
	}
	s.setLocked(key, b)
	return nil
}

// setLocked buffers a new encoded value. s.mu is held.
func (s *Session) setLocked(key string, b []byte) {
	s.ensureID()
	if s.pendSet == nil {
		if p, ok := s.m.pend.Get().(map[string][]byte); ok {
			s.pendSet = p // empty: release clears before it recycles
		} else {
			s.pendSet = make(map[string][]byte, 2)
		}
	}
	s.pendSet[key] = b
	s.unDelete(key)
}

func (s *Session) unDelete(key string) {
	for i, d := range s.pendDel {
		if d == key {
			s.pendDel = append(s.pendDel[:i], s.pendDel[i+1:]...)
			return
		}
	}
}

// Delete removes the attribute key (at commit).
func (s *Session) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.change(); err != nil {
		return err
	}
	delete(s.pendSet, key)
	if s.rec != nil {
		if _, ok := s.rec.Attrs[key]; ok {
			for _, d := range s.pendDel {
				if d == key {
					return nil
				}
			}
			s.pendDel = append(s.pendDel, key)
		}
	}
	return nil
}

// Keys returns the names of the session's attributes, sorted.
func (s *Session) Keys() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.use(); err != nil {
		return nil, err
	}
	var keys []string
	if s.rec != nil {
		for k := range s.rec.Attrs {
			if _, ok := s.lookup(k); ok {
				if _, set := s.pendSet[k]; !set {
					keys = append(keys, k)
				}
			}
		}
	}
	for k := range s.pendSet {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Principal returns the user the session belongs to; "" for anonymous.
func (s *Session) Principal() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil {
		return ""
	}
	return s.principal()
}

// storedPrincipal returns the principal the store holds for s.rec: a
// pending SetPrincipal is the store's only once the commit has written it
// (a failed commit leaves s.failed, and nothing reaches the store after).
// The events of writes made before the commit (Update, Renew, Invalidate)
// name it. s.rec is not nil; s.mu is held.
func (s *Session) storedPrincipal() string {
	if s.committed && s.pendPrincipal != nil {
		return *s.pendPrincipal
	}
	return s.rec.Principal
}

func (s *Session) principal() string {
	if s.pendPrincipal != nil {
		return *s.pendPrincipal
	}
	if s.rec != nil {
		return s.rec.Principal
	}
	return ""
}

// SetPrincipal attaches the session to principal ("" detaches it), at
// commit. With Options.MaxPerPrincipal, the principal's oldest other sessions
// beyond the cap are invalidated at that commit. Call Renew too at login.
func (s *Session) SetPrincipal(p string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.change(); err != nil {
		return err
	}
	s.ensureID()
	s.pendPrincipal = &p
	return nil
}

// SetIdleTimeout gives this session its own idle timeout (at commit),
// counted from this request. The last access of a session with an idle
// timeout d is recorded at least once per d/2 of use (Options.TouchInterval
// shrinks for it), so a session in steady use does not expire.
func (s *Session) SetIdleTimeout(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("session: idle timeout %v not positive", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.change(); err != nil {
		return err
	}
	s.ensureID()
	s.pendIdle = d
	return nil
}

// Renew gives the session a new ID, keeping its data, and makes the old ID
// dead at once (Store.Rename). Call it at login and at every privilege change
// to defeat session fixation. On a new session it makes sure the session is
// stored at commit. With a Codec (cookie-held sessions) there is no server
// state to rename: the response carries the session anew, and a copy of the
// old cookie stays valid until its expiry; EventRenewed is emitted by the
// commit that sends the new cookie, if it does.
func (s *Session) Renew() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.change(); err != nil {
		return err
	}
	if s.rec == nil {
		s.id, s.key = "", ""
		s.ensureID()
		s.create = true
		return nil
	}
	m := s.m
	ctx := s.reqContext()
	old := s.key
	if m.c.Codec != nil {
		// Nothing happens before the commit sends the new cookie (a
		// commit that fails leaves the client the old one): the event
		// waits for it, naming the key the client's cookie carried.
		if s.renewedFrom == "" {
			s.renewedFrom = old
		}
		s.key = Key(newID())
		s.ownRec()
		s.rec.Key = s.key
		s.renewed = true
		return nil
	}
	var err error
	for try := 0; ; try++ {
		id := newID()
		key := Key(id)
		err = m.c.Store.Rename(ctx, old, key)
		if errors.Is(err, ErrExists) && try < 2 {
			continue
		}
		if err == nil {
			s.id, s.key = id, key
		}
		break
	}
	if errors.Is(err, ErrNotFound) {
		s.dead = true
		return errDead
	}
	if err != nil {
		s.failed = fmt.Errorf("session: renew: %w", err)
		m.c.log.LogAttrs(ctx, slog.LevelError, "session store failed", slog.String("session", shortKey(old)), slog.String("error", err.Error()))
		return s.failed
	}
	s.ownRec()
	s.rec.Key = s.key
	s.renewed = true
	// The principal the store renamed with the session: a pending
	// SetPrincipal is not written before the commit, which may yet fail
	// (as for EventInvalidated).
	m.emit(ctx, Event{Kind: EventRenewed, Key: s.key, OldKey: old, Principal: s.storedPrincipal(), Time: s.now})
	m.c.log.LogAttrs(ctx, slog.LevelInfo, "session renewed", slog.String("session", shortKey(s.key)), slog.String("old", shortKey(old)))
	return nil
}

// Invalidate ends the session: its data is deleted from the store at once and
// the response expires the cookie (Max-Age=0). Afterwards the Session is a
// new, empty one; writing to it starts a fresh session with a new ID. Once
// the response has started, a cookie-held (Codec) session cannot be ended:
// Invalidate returns ErrCommitted. A
// session another request has already ended or renamed (Renew) is left
// alone, and then the response does not expire the cookie: it may hold the
// new ID a concurrent login has just sent.
func (s *Session) Invalidate() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return err
	}
	m := s.m
	if m.c.Codec != nil && s.committed {
		// The cookie is all there is, and the response can no longer
		// expire it: refused rather than reported done.
		return ErrCommitted
	}
	ctx := s.reqContext()
	ended := s.dead // by another request: nothing of this one's to expire
	if s.rec != nil && !s.dead {
		deleted := true
		if m.c.Store != nil {
			var err error
			if deleted, err = m.c.Store.Delete(ctx, s.key); err != nil {
				s.failed = fmt.Errorf("session: invalidate: %w", err)
				m.c.log.LogAttrs(ctx, slog.LevelError, "session store failed", slog.String("session", shortKey(s.key)), slog.String("error", err.Error()))
				return s.failed
			}
		}
		// A session another request (or Revoke, or a sweep) has already
		// ended had its event then: nothing was deleted now.
		if deleted {
			// The stored principal: a pending SetPrincipal dies unwritten,
			// but one the commit has written (a failed commit leaves
			// s.failed, returned above) is the store's now.
			p := s.storedPrincipal()
			key := s.key
			if s.renewedFrom != "" {
				// A cookie-held session renewed by this request: the
				// new key never reached the client.
				key = s.renewedFrom
			}
			m.emit(ctx, Event{Kind: EventInvalidated, Key: key, Principal: p, Time: s.now})
			m.c.log.LogAttrs(ctx, slog.LevelInfo, "session invalidated", slog.String("session", shortKey(key)))
		} else {
			ended = true
		}
	}
	// Once the session was found ended by another request, no later
	// Invalidate of this request (one with nothing left to end) expires
	// the cookie either: it may hold the ID a concurrent login sent.
	s.endedElse = s.endedElse || ended
	s.invalidated = !s.endedElse
	s.dead = false
	s.rec, s.recShared = nil, false
	s.id, s.key = "", ""
	s.pendInRec = false // rec (dropped below) may share pendSet: both go to the GC
	s.pendSet, s.pendDel, s.pendPrincipal, s.pendIdle = nil, nil, nil, 0
	s.create, s.renewed, s.renewedFrom = false, false, ""
	s.accessed = false
	return nil
}

// update applies fn to attr atomically in the store (or locally for a new or
// cookie-held session). It returns the value written. s.mu is not held.
func (s *Session) update(attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.use(); err != nil {
		return nil, err
	}
	if s.rec == nil || s.m.c.Codec != nil {
		if s.committed {
			return nil, ErrCommitted
		}
		old, ok := s.lookup(attr)
		nv, err := fn(old, ok)
		if err != nil {
			return nil, err
		}
		s.setLocked(attr, nv)
		return nv, nil
	}
	pend, hasPend := s.pendSet[attr]
	pendDeleted := false
	for _, d := range s.pendDel {
		pendDeleted = pendDeleted || d == attr
	}
	var existed bool
	ctx := s.reqContext()
	nv, err := s.m.c.Store.Update(ctx, s.key, attr, func(old []byte, ok bool) ([]byte, error) {
		existed = ok
		switch {
		case hasPend:
			old, ok = pend, true
		case pendDeleted:
			old, ok = nil, false
		}
		nv, err := fn(old, ok)
		if err != nil {
			return nil, &fnError{err}
		}
		return nv, nil
	})
	// The callback's own error first: one wrapping ErrNotFound (an
	// application's "no such item") is not the session ended elsewhere.
	var fe *fnError
	if errors.As(err, &fe) {
		return nil, fe.err
	}
	if errors.Is(err, ErrNotFound) {
		s.dead = true
		return nil, errDead
	}
	if err != nil {
		s.failed = fmt.Errorf("session: update: %w", err)
		s.m.c.log.LogAttrs(ctx, slog.LevelError, "session store failed", slog.String("session", shortKey(s.key)), slog.String("error", err.Error()))
		return nil, s.failed
	}
	delete(s.pendSet, attr)
	s.unDelete(attr)
	s.ownRec()
	if s.rec.Attrs == nil {
		s.rec.Attrs = make(map[string][]byte)
	}
	kind := EventAttributeReplaced
	switch {
	case nv == nil:
		delete(s.rec.Attrs, attr)
		kind = EventAttributeRemoved
	case !existed:
		kind = EventAttributeAdded
	}
	if nv != nil {
		s.rec.Attrs[attr] = nv
	}
	if nv != nil || existed {
		s.m.emit(ctx, Event{Kind: kind, Key: s.key, Principal: s.storedPrincipal(), Attr: attr, Time: s.now})
	}
	return nv, nil
}

// fnError marks an error returned by an Update callback, as opposed to a
// store failure.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }
func (e *fnError) Unwrap() error { return e.err }
