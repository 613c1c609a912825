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
// chunkSet). The Cookie header is read once, whatever the number of sets
// tried (readCookies). s.mu is held.
func (s *Session) loadCodec() {
	m := s.m
	var vals [MaxCookieChunks][maxTries]string
	var n [MaxCookieChunks]uint8
	own := cookieSlots{name: m.cookieName(s.req), vals: vals[:], n: n[:]}
	s.readCookies(&own)
	s.chunksIn = own.present()
	if own.n[0] == 0 {
		return
	}
	s.hadID = true
	own.chunkSets(m.c.CookieChunks, func(value string) bool {
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

// chunkSets calls try with each non-empty set of the chunk cookies in s, in
// the order loadCodec tries them (see chunkSet: the k-th set, k <
// maxTries, and the set aligned on the chunks' last occurrences when it
// differs), until try returns true, joining at most chunks chunks. It
// reports whether try returned true.
func (s *cookieSlots) chunkSets(chunks int, try func(value string) bool) bool {
	for k := 0; k < maxTries && k < int(s.n[0]); k++ {
		start := s.chunkSet(chunks, k, false)
		if start != "" && try(start) {
			return true
		}
		// The same set when every chunk occurs as often.
		if v := s.chunkSet(chunks, k, true); v != start && v != "" && try(v) {
			return true
		}
	}
	return false
}

// chunkSet returns the k-th set (from 0, in the order sent; k < n[0]) of
// the chunk cookies in s: the k-th occurrence of each chunk or, fromEnd,
// the occurrence as far from the chunk's last as the k-th of the first
// chunk is from its last (so that a set with fewer chunks than one sent
// after it lines up; counts are taken up to maxTries). It joins the chunks
// up to the first one missing, at most chunks of them, and is "" when they
// hold more than chunks*maxCookieSize octets. One chunk is returned as it
// is, without a copy.
func (s *cookieSlots) chunkSet(chunks, k int, fromEnd bool) string {
	var parts [MaxCookieChunks]string
	np, size := 0, 0
	for i := 0; i < min(chunks, len(s.vals)); i++ {
		j := k
		if fromEnd {
			j = k - (int(s.n[0]) - int(s.n[i]))
		}
		if j < 0 || j >= int(s.n[i]) {
			break
		}
		if size += len(s.vals[i][j]); size > chunks*maxCookieSize {
			return ""
		}
		parts[np] = s.vals[i][j]
		np++
	}
	if np == 1 {
		return parts[0]
	}
	return strings.Join(parts[:np], "")
}

// present returns one more than the index of the last chunk cookie in s
// (0 if there is none): every chunk cookie the request carried is below
// it, even past a gap, so that a commit can expire the ones no longer
// needed.
func (s *cookieSlots) present() int {
	for i := len(s.n) - 1; i >= 0; i-- {
		if s.n[i] > 0 {
			return i + 1
		}
	}
	return 0
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
