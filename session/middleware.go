package session

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
)

// Handler returns middleware that gives every request a Session (see
// FromRequest). With URL rewriting on, it strips its ";sid=..." path
// parameters (named after CookieOptions.Name when one is set: another
// Manager's are left alone) from r.URL.Path and RawPath before next routes
// the request, and uses the value as a session ID. The session loads on first use and commits before
// the response headers go out: on the handler's first WriteHeader, Write,
// Flush or ReadFrom, or when it returns having written nothing. If the commit
// fails, ErrorHandler writes the response instead and the handler's writes are
// discarded. If next panics, nothing is committed; the panic goes on (a
// session this request renamed with Renew still has its new ID set in the
// response headers, if they have not gone out, and a cookie-held session it
// invalidated its cookies expired; the same holds for a commit that fails).
//
// The ResponseWriter passed to next supports http.Flusher, http.Hijacker,
// io.ReaderFrom and Unwrap (for http.ResponseController).
//
// A request already under this Manager's middleware (the middleware applied
// twice, say to an application and again to one of its sub-routers) keeps
// its Session: the inner middleware passes the request and the
// ResponseWriter it was given through unchanged (with another Manager's
// middleware in between, the request gets a context in which FromRequest
// returns this Manager's Session again).
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := m.fromContext(r.Context()); s != nil {
			// The outer middleware has stripped the URL (its ";sid=" ID
			// is in s) and commits through w: a second Session would not
			// see that ID, and would commit the same session twice.
			if FromContext(r.Context()) != s {
				// Another Manager's middleware in between made its
				// Session the nearest: FromRequest returns this one's.
				r = r.WithContext(&sessionContext{Context: r.Context(), s: s})
			}
			next.ServeHTTP(w, r)
			return
		}
		s := &Session{m: m}
		s.ctx.Context = r.Context()
		s.ctx.s = s
		r2 := r.WithContext(&s.ctx)
		if m.c.URLRewriting && m.c.Codec == nil {
			if u, id := stripURL(r.URL, m.c.paramMarker); u != nil {
				r2.URL = u
				r2.RequestURI = u.RequestURI()
				s.urlID = id
			}
		}
		s.req = r2
		s.rw.ResponseWriter = w
		s.rw.s = s
		returned := false
		defer func() {
			if !returned { // next panicked: the panic goes on, its stack intact
				s.panicked()
			}
		}()
		next.ServeHTTP(&s.rw, r2)
		returned = true
		if !s.rw.wroteHeader && !s.rw.failed {
			if err := s.commit(); err != nil {
				s.rw.fail(err)
			}
		}
		s.release()
	})
}

// panicked runs when the handler panics: nothing is committed, but a
// session this request renamed (Renew) has its new ID put in the response
// headers, if they have not gone out, for whatever answer a recovering
// middleware in front writes: the old ID is dead in the store, so without
// it the client would lose the session to the panic. Likewise a cookie-held
// session this request invalidated has its cookies expired: Invalidate
// reported the logout done.
func (s *Session) panicked() {
	if s.rw.wroteHeader {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return
	}
	s.committed = true // nothing buffered may reach the store after this
	s.issueRenamed()
	s.expireInvalidated()
	if s.loaded {
		// The recovering middleware's answer is a response of a request
		// that used its session, as commit's are.
		s.varyOnTransports(s.header())
	}
}

// errCommitFailed is what the handler's writes return after the session
// commit failed and ErrorHandler answered instead.
var errCommitFailed = errors.New("session: commit failed; response replaced by ErrorHandler")

// responseWriter commits the session before the first byte of the response.
type responseWriter struct {
	http.ResponseWriter
	s           *Session
	wroteHeader bool // the final header was passed on (or the commit failed)
	failed      bool // the commit failed: ErrorHandler wrote the response
}

// before commits the session ahead of the final header. It reports whether
// the handler's response may proceed.
func (w *responseWriter) before() bool {
	if w.failed {
		return false
	}
	if w.wroteHeader {
		return true
	}
	w.wroteHeader = true
	if err := w.s.commit(); err != nil {
		w.fail(err)
		return false
	}
	return true
}

func (w *responseWriter) fail(err error) {
	w.failed = true
	w.wroteHeader = true
	w.s.m.c.ErrorHandler(w.ResponseWriter, w.s.req, err)
}

// WriteHeader commits the session, then sends the header. Informational
// (1xx) headers other than 101 pass through without a commit.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if !w.wroteHeader {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if w.wroteHeader || !w.before() {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write commits the session before the first byte.
func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.before() {
		return 0, errCommitFailed
	}
	return w.ResponseWriter.Write(b)
}

// Flush commits the session, then flushes if the underlying writer can.
func (w *responseWriter) Flush() {
	_ = w.FlushError()
}

// FlushError is Flush reporting errors (used by http.ResponseController).
func (w *responseWriter) FlushError() error {
	wrote := w.wroteHeader
	if !w.before() {
		return errCommitFailed
	}
	err := http.NewResponseController(w.ResponseWriter).Flush()
	w.unsent(wrote, err)
	return err
}

// unsent undoes before's mark when a Flush or Hijack the underlying writer
// does not support sent nothing: the handler's later WriteHeader (such as an
// error status) must still go out. The commit is done and stays done; it
// does not run again. wrote is wroteHeader before the call.
func (w *responseWriter) unsent(wrote bool, err error) {
	if !wrote && errors.Is(err, http.ErrNotSupported) {
		w.wroteHeader = false
	}
}

// ReadFrom commits the session, then copies from src, using the underlying
// writer's ReadFrom (sendfile) when it has one.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.before() {
		return 0, errCommitFailed
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, src)
}

// Hijack commits the session (its Set-Cookie cannot be sent any more), then
// hijacks the connection if the underlying writer can.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	wrote := w.wroteHeader
	if !w.before() {
		return nil, nil, errCommitFailed
	}
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	w.unsent(wrote, err)
	return conn, brw, err
}

// Unwrap returns the underlying ResponseWriter (http.ResponseController).
func (w *responseWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// writerOnly hides every method but Write, so io.Copy cannot recurse into
// ReadFrom.
type writerOnly struct{ io.Writer }
