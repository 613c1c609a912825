package session

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// loadCodec decodes a cookie-held session from the request's cookie(s):
// name, name.1, name.2… concatenated. Anything that does not decode, or has
// expired, yields a fresh session. Repeated cookies (the same names set for
// another path or a parent domain) are tried in the order sent, as store
// mode tries repeated IDs, so that a stale or planted cookie sent first
// does not hide the live one: the k-th set, at most maxTries of them, is
// the k-th occurrence of every chunk and, when the sets have different
// numbers of chunks (a one-cookie "sid" of another application beside a
// two-chunk session), also the occurrences aligned on the last ones (see
// requestChunks). s.mu is held.
func (s *Session) loadCodec() {
	m := s.m
	name := m.cookieName(s.req)
	value, first, present := requestChunks(s.req.Header, name, m.c.CookieChunks, 0, false)
	s.chunksIn = present
	if !first {
		return
	}
	s.hadID = true
	chunkSets(s.req.Header, name, m.c.CookieChunks, value, func(value string) bool {
		rec, err := m.c.Codec.Decode(value)
		if err != nil {
			m.c.log.LogAttrs(s.reqContext(), slog.LevelDebug, "session cookie rejected", slog.String("error", err.Error()))
			return false
		}
		if rec == nil || rec.Key == "" || !s.now.Before(rec.Expiry()) {
			return false
		}
		s.rec, s.key = rec, rec.Key
		return true
	})
}

// chunkSets calls try with each non-empty set of the chunk cookies name,
// name.1, name.2… in h, in the order loadCodec tries them (see
// requestChunks: the k-th set, k < maxTries, and the set aligned on the
// chunks' last occurrences when it differs), until try returns true. value0
// is set 0 (k 0, not fromEnd), which the caller has read already, with the
// first chunk present. It reports whether try returned true.
func chunkSets(h http.Header, name string, chunks int, value0 string, try func(value string) bool) bool {
	value := value0
	for k := 0; k < maxTries; k++ {
		var start string
		for _, fromEnd := range [2]bool{false, true} {
			if k > 0 || fromEnd {
				var first bool
				if value, first, _ = requestChunks(h, name, chunks, k, fromEnd); !first {
					return false
				}
			}
			if !fromEnd {
				start = value
			} else if value == start {
				continue // the same set: every chunk occurs as often
			}
			if value != "" && try(value) {
				return true
			}
		}
	}
	return false
}

// requestChunks reads the k-th set (from 0, in the order sent) of the chunk
// cookies name, name.1, name.2… of a cookie-held session from h: the k-th
// occurrence of each chunk or, fromEnd, the occurrence as far from the
// chunk's last as the k-th of the first chunk is from its last (so that a
// set with fewer chunks than one sent after it lines up; counts are taken
// up to maxTries). value joins the chunks up to the first one missing, at
// most chunks of them, and is "" when they hold more than
// chunks*maxCookieSize octets; first reports whether the first chunk is
// there. present (meaningful for k 0, not fromEnd) counts every chunk
// cookie, even past a gap (one more than the last index present, up to
// MaxCookieChunks), so that a commit can expire the ones no longer needed.
// k is less than maxTries.
func requestChunks(h http.Header, name string, chunks, k int, fromEnd bool) (value string, first bool, present int) {
	var v [maxTries]string
	var b strings.Builder
	gap, tooLarge := false, false
	lim, n0 := k+1, 0
	if fromEnd {
		lim = maxTries
	}
	for i := 0; i < MaxCookieChunks; i++ {
		n := requestCookies(h, chunkName(name, i), v[:lim])
		if i == 0 {
			n0 = n
		}
		j := k
		if fromEnd {
			j = k - (n0 - n)
		}
		if j < 0 || j >= n {
			gap = true
			continue
		}
		present = i + 1
		if i == 0 {
			first = true
		}
		if gap || i >= chunks || tooLarge {
			continue
		}
		if b.Len()+len(v[j]) > chunks*maxCookieSize {
			tooLarge = true
			continue
		}
		b.WriteString(v[j])
	}
	if tooLarge {
		return "", first, present
	}
	return b.String(), first, present
}

// commitCodec encodes the session into the response's cookie(s) when it
// changed or its last access is due. s.mu is held.
func (s *Session) commitCodec() error {
	m := s.m
	h := s.header()
	isNew := s.rec == nil
	if isNew && (s.key == "" || !s.changed()) {
		if s.invalidated {
			return s.expireChunks(h, 0)
		}
		return nil
	}
	if !isNew && !s.codecChanged() && !s.touchDue() {
		return nil
	}
	var r *Record
	if isNew {
		r = s.newRecord()
	} else {
		cp := *s.rec
		cp.Attrs = make(map[string][]byte, len(s.rec.Attrs)+len(s.pendSet))
		for k, v := range s.rec.Attrs {
			cp.Attrs[k] = v
		}
		for _, k := range s.pendDel {
			delete(cp.Attrs, k)
		}
		for k, v := range s.pendSet {
			cp.Attrs[k] = v
		}
		if s.pendPrincipal != nil {
			cp.Principal = *s.pendPrincipal
		}
		if s.pendIdle != 0 {
			cp.IdleTimeout = s.pendIdle
		}
		cp.LastAccess = s.now
		cp.Key = s.key
		r = &cp
		if !m.c.Now().Before(r.Expiry()) {
			// The session reached its deadline while the request ran (the
			// absolute one, or an idle timeout shorter than the request):
			// as a Store's Save of an expired session does, the changes
			// are dropped and no cookie is sent (the client's has expired
			// too). Encoding it would fail (a Codec refuses an expired
			// record) and turn the response into a 503.
			m.c.log.LogAttrs(s.reqContext(), slog.LevelWarn, "session expired during the request; changes dropped",
				slog.String("session", shortKey(s.key)))
			return nil
		}
	}
	v, err := m.c.Codec.Encode(r)
	if err != nil {
		return s.codecFailed(fmt.Errorf("session: encode: %w", err))
	}
	if !validCookieValue(v) {
		return s.codecFailed(fmt.Errorf("session: codec produced a value that is not cookie-octets"))
	}
	name := m.cookieName(s.req)
	size := len(v)
	var chunks []string
	for i := 0; len(v) > 0; i++ {
		if i == m.c.CookieChunks {
			return s.codecFailed(fmt.Errorf("session: encoded session of %d bytes needs more than %d cookie(s): %w", size, m.c.CookieChunks, ErrTooLarge))
		}
		room := maxCookieSize - len(chunkName(name, i))
		n := min(room, len(v))
		chunks = append(chunks, v[:n])
		v = v[n:]
	}
	secure := m.c.isSecure(s.req)
	age := s.maxAge()
	for i, c := range chunks {
		v, err := formatSetCookie(chunkName(name, i), c, age, secure, m.c.Cookie.SameSite)
		if err != nil {
			return s.configFailed(err)
		}
		h.Add("Set-Cookie", v)
	}
	if err := s.expireChunks(h, len(chunks)); err != nil {
		return err
	}
	markNoStore(h)
	if isNew {
		s.rec = r
		// r.Attrs is pendSet, which release recycles: as in commitStore.
		s.pendInRec = r.Attrs != nil && s.pendSet != nil
		s.created()
	} else {
		if s.renewedFrom != "" {
			ctx := s.reqContext()
			m.emit(ctx, Event{Kind: EventRenewed, Key: s.key, OldKey: s.renewedFrom, Principal: s.principal(), Time: s.now})
			m.c.log.LogAttrs(ctx, slog.LevelInfo, "session renewed", slog.String("session", shortKey(s.key)), slog.String("old", shortKey(s.renewedFrom)))
		}
		s.attrEvents(s.reqContext())
	}
	return nil
}

// codecChanged reports whether a cookie-held session changed in this
// request, so the commit re-issues its cookie. s.mu is held.
func (s *Session) codecChanged() bool {
	return s.changed() || len(s.pendDel) > 0 || s.renewed
}

// codecFailed logs a codec failure and returns it for the ErrorHandler.
// A session this request invalidated still has its cookies expired (see
// expireInvalidated). s.mu is held.
func (s *Session) codecFailed(err error) error {
	s.failed = err
	s.m.c.log.LogAttrs(s.reqContext(), slog.LevelError, "session cookie not written", slog.String("error", err.Error()))
	s.expireInvalidated()
	return err
}

// expireInvalidated expires, along with the ErrorHandler's answer to a
// failed commit (or a recovering middleware's answer to a panic), the
// cookies of a cookie-held session this request invalidated: Invalidate
// reported the logout done (and emitted EventInvalidated), and the cookie
// is all there is of the session, so it must not stay valid because what
// the request wrote afterwards (a new session too large for its cookies)
// could not be sent. The commit's error stays the one reported. s.mu is
// held.
func (s *Session) expireInvalidated() {
	if !s.invalidated || s.m.c.Codec == nil {
		return
	}
	failed := s.failed
	_ = s.expireChunks(s.header(), 0)
	s.failed = failed
}

// expireChunks expires the request's chunk cookies from index from on. s.mu
// is held.
func (s *Session) expireChunks(h http.Header, from int) error {
	name := s.m.cookieName(s.req)
	secure := s.m.c.isSecure(s.req)
	for i := from; i < s.chunksIn; i++ {
		v, err := formatSetCookie(chunkName(name, i), "", 0, secure, s.m.c.Cookie.SameSite)
		if err != nil {
			return s.configFailed(err)
		}
		h.Add("Set-Cookie", v)
	}
	if from == 0 && s.chunksIn > 0 {
		markNoStore(h)
	}
	return nil
}
