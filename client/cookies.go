package client

import (
	"net/http"
	"net/url"
	"strings"
)

// Jar stores cookies for the client from the raw Set-Cookie lines of every
// response and produces the raw Cookie header of every request, so that
// cookies net/http's parser would drop (nameless, UTF-8 values) survive.
// *jar.Jar implements it; implementations must be safe for concurrent use.
type Jar interface {
	// SetCookieLines stores the Set-Cookie header values of a response to a
	// request for u, exactly as received.
	SetCookieLines(u *url.URL, lines []string)
	// CookieHeader returns the Cookie header value to send with a request
	// for u; "" means none.
	CookieHeader(u *url.URL) string
}

// sizedJar is a Jar that counts its cookies (*jar.Jar does): an empty jar
// needs no lookup.
type sizedJar interface{ Len() int }

// cookieHeader returns the jar's Cookie header for u.
func (t *cookieTransport) cookieHeader(u *url.URL) string {
	if sj, ok := t.jar.(sizedJar); ok && sj.Len() == 0 {
		return ""
	}
	return t.jar.CookieHeader(u)
}

// cookieTransport is the RoundTripper layer that runs the jar on every hop:
// http.Client calls it once per request of a redirect chain, with that hop's
// URL, because the client's http.Client has no Jar of its own.
type cookieTransport struct {
	jar  Jar
	next http.RoundTripper
}

// CloseIdleConnections closes the idle connections of the transport under
// it, if it can: http.Client.CloseIdleConnections reaches a transport
// through this method only.
func (t *cookieTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (t *cookieTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// The dial gate pays off where a dial is slow (a TLS handshake); a
	// plain TCP dial on a busy pool costs less than the gate's per-request
	// trace hooks.
	if r.URL.Scheme == "https" {
		r = withConnWait(r) // a shallow copy
	}
	// Several Cookie lines the caller set go out as one header, with or
	// without the jar's cookies (RFC 6265bis section 5.8.3 allows one
	// Cookie header only).
	if h := t.cookieHeader(r.URL); h != "" || len(r.Header["Cookie"]) > 1 {
		// A RoundTripper must not modify its request: work on a copy.
		r2 := new(http.Request)
		*r2 = *r
		r2.Header = r.Header.Clone()
		if r2.Header == nil {
			r2.Header = make(http.Header)
		}
		if old := r2.Header.Values("Cookie"); len(old) > 0 {
			// The Cookie header lines set by the caller come first, all
			// of them.
			h = strings.TrimSuffix(joinCookieLines(old)+h, "; ")
		}
		if h != "" {
			r2.Header.Set("Cookie", h)
		} else {
			r2.Header.Del("Cookie")
		}
		r = r2
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if lines := resp.Header.Values("Set-Cookie"); len(lines) > 0 {
		t.jar.SetCookieLines(r.URL, lines)
	}
	return resp, nil
}

// joinCookieLines returns the non-empty Cookie header lines, each followed
// by "; ".
func joinCookieLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if l = strings.TrimRight(strings.TrimSpace(l), ";"); l != "" {
			b.WriteString(l)
			b.WriteString("; ")
		}
	}
	return b.String()
}
