// Package secheader sets the HTTP response headers that limit what an
// injected script can do (defence in depth against cross-site scripting),
// with a fresh Content-Security-Policy nonce for every response:
//
//   - Content-Security-Policy (CSP Level 3): by default
//     "script-src 'nonce-N' 'strict-dynamic'; object-src 'none';
//     base-uri 'none'; frame-ancestors 'none'". Only scripts carrying the
//     response's nonce (and the scripts they load) run, so markup injected
//     into a page cannot execute; plugins, <base> rewrites and framing are
//     refused.
//   - X-Content-Type-Options: nosniff, so a browser never runs an upload as
//     script or style by sniffing it (Fetch standard, section "X-Content-Type-Options").
//   - Referrer-Policy: strict-origin-when-cross-origin, so paths and query
//     strings (which may carry tokens) do not leak to other origins.
//   - X-Frame-Options: DENY, the clickjacking defence of browsers that
//     predate frame-ancestors (RFC 7034).
//   - Strict-Transport-Security: "max-age=31536000" (a year), on responses
//     sent over TLS only, as RFC 6797 section 7.2 requires; the browser then
//     uses HTTPS for the host for that long, so a network attacker cannot
//     strip TLS from a later visit. Not sent over plain HTTP, nor when TLS
//     ends at a proxy in front (set it there, or use Options.HSTSAlways).
//
// Templates read the nonce with Nonce and put it on each script element:
//
//	<script nonce="{{.Nonce}}" src="/app.js"></script>
package secheader

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// NoncePlaceholder is replaced, in Options.CSP, by the response's nonce.
const NoncePlaceholder = "{nonce}"

// DefaultCSP is the policy used when Options.CSP is "".
const DefaultCSP = "script-src 'nonce-" + NoncePlaceholder + "' 'strict-dynamic'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// Off, as the value of a header option, omits that header.
const Off = "-"

// Options configures the middleware. A nil *Options means all defaults.
type Options struct {
	// CSP is the Content-Security-Policy; every NoncePlaceholder in it is
	// replaced by the response's nonce. "" means DefaultCSP; Off omits the
	// header (and Nonce then returns ""). Browsers without 'strict-dynamic'
	// support can be served a fallback such as appending "https:
	// 'unsafe-inline'" to script-src, which CSP3 browsers ignore when a
	// nonce and 'strict-dynamic' are present.
	CSP string
	// ReportOnly sends the policy as Content-Security-Policy-Report-Only,
	// for trying a policy out before enforcing it.
	ReportOnly bool
	// ReferrerPolicy is the Referrer-Policy value; "" means
	// "strict-origin-when-cross-origin"; Off omits the header.
	ReferrerPolicy string
	// FrameOptions is the X-Frame-Options value; "" means "DENY"; Off omits
	// the header (do so, or use "SAMEORIGIN", when the CSP allows framing).
	FrameOptions string
	// DisableNoSniff omits X-Content-Type-Options; false (the default)
	// sends "nosniff".
	DisableNoSniff bool
	// HSTS is the Strict-Transport-Security value, sent on responses to
	// requests that came over TLS (r.TLS set); "" means "max-age=31536000";
	// Off omits the header. Add "; includeSubDomains" (and "; preload")
	// only when every subdomain serves HTTPS. New refuses a value that is
	// not of the grammar of RFC 6797 section 6.1 (max-age=<digits> once,
	// no directive twice), which browsers would ignore (section 8.1).
	HSTS string
	// HSTSAlways sends HSTS on every response, for a server behind a proxy
	// that terminates TLS and forwards only HTTPS requests (browsers ignore
	// the header on plain-HTTP responses, RFC 6797 section 8.1).
	HSTSAlways bool
}

// Headers is the security-header middleware. It is immutable and safe for
// concurrent use.
type Headers struct {
	csp       []string // the policy split around NoncePlaceholder; nil = off
	cspHeader string
	referrer  string
	frame     string
	noSniff   bool
	hsts      string
	hstsAll   bool
}

// New returns the middleware configured by o (nil means defaults). It fails
// on an option with characters not allowed in a header value (RFC 9110
// section 5.5: any control character but HTAB), which the HTTP/2 server
// would drop silently, serving the response without the header. Leading and
// trailing spaces and tabs are removed from option values (a value of only
// whitespace counts as "").
func New(o *Options) (*Headers, error) {
	if o == nil {
		o = &Options{}
	}
	h := &Headers{
		cspHeader: "Content-Security-Policy",
		referrer:  orDefault(trimOWS(o.ReferrerPolicy), "strict-origin-when-cross-origin"),
		frame:     orDefault(trimOWS(o.FrameOptions), "DENY"),
		noSniff:   !o.DisableNoSniff,
		hsts:      orDefault(trimOWS(o.HSTS), "max-age=31536000"),
		hstsAll:   o.HSTSAlways,
	}
	if o.ReportOnly {
		h.cspHeader = "Content-Security-Policy-Report-Only"
	}
	if csp := orDefault(trimOWS(o.CSP), DefaultCSP); csp != "" {
		if !httpguts.ValidHeaderFieldValue(csp) {
			return nil, errors.New("secheader: Options.CSP contains a control character")
		}
		h.csp = strings.Split(csp, NoncePlaceholder)
	}
	for _, v := range []string{h.referrer, h.frame, h.hsts} {
		if !httpguts.ValidHeaderFieldValue(v) {
			return nil, errors.New("secheader: a header option contains a control character")
		}
	}
	if h.hsts != "" {
		if err := checkHSTS(h.hsts); err != nil {
			return nil, fmt.Errorf("secheader: Options.HSTS %q: %w", h.hsts, err)
		}
	}
	return h, nil
}

// checkHSTS reports whether v is a Strict-Transport-Security value browsers
// honour (RFC 6797 section 6.1): directives separated by ";", each a token
// name with an optional token or quoted-string value, none twice (names
// are case-insensitive), max-age required with a delta-seconds value
// (quoted or not), and
// includeSubDomains without a value. A browser ignores a header that breaks
// these rules (section 8.1), leaving the host without HSTS.
func checkHSTS(v string) error {
	seen := map[string]bool{}
	for rest := v; ; {
		name, value, hasValue, tail, err := nextDirective(rest)
		if err != nil {
			return err
		}
		if name != "" {
			lname := strings.ToLower(name)
			if seen[lname] {
				return fmt.Errorf("directive %s appears twice", name)
			}
			seen[lname] = true
			switch lname {
			case "max-age":
				// Quoted or not (section 6.2 quotes it in an example).
				if len(value) >= 2 && value[0] == '"' {
					value = value[1 : len(value)-1]
				}
				if !hasValue || value == "" || strings.Trim(value, "0123456789") != "" {
					return errors.New("max-age needs a number of seconds")
				}
			case "includesubdomains":
				if hasValue {
					return errors.New("includeSubDomains takes no value")
				}
			}
		}
		if tail == "" {
			break
		}
		rest = tail[1:] // past ";"
	}
	if !seen["max-age"] {
		return errors.New("max-age is required")
	}
	return nil
}

// nextDirective parses one (possibly empty) directive at the start of s,
// returning what follows it: "" or a string starting with ";".
func nextDirective(s string) (name, value string, hasValue bool, tail string, err error) {
	s = trimOWS(s)
	i := 0
	for i < len(s) && httpguts.IsTokenRune(rune(s[i])) {
		i++
	}
	name, s = s[:i], trimOWS(s[i:])
	if name == "" {
		if s != "" && s[0] != ';' {
			return "", "", false, "", fmt.Errorf("unexpected %q", s[0])
		}
		return "", "", false, s, nil
	}
	if s != "" && s[0] == '=' {
		hasValue = true
		s = trimOWS(s[1:])
		if s != "" && s[0] == '"' {
			j := 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return "", "", false, "", errors.New("unterminated quoted-string")
			}
			value, s = s[:j+1], s[j+1:]
		} else {
			j := 0
			for j < len(s) && httpguts.IsTokenRune(rune(s[j])) {
				j++
			}
			value, s = s[:j], s[j:]
			if value == "" {
				return "", "", false, "", fmt.Errorf("directive %s has an empty value", name)
			}
		}
		s = trimOWS(s)
	}
	if s != "" && s[0] != ';' {
		return "", "", false, "", fmt.Errorf("unexpected %q after directive %s", s[0], name)
	}
	return name, value, hasValue, s, nil
}

// trimOWS removes leading and trailing spaces and tabs, which are not part
// of a field value (RFC 9110 section 5.5) and make an HTTP/2 response that
// carries them malformed (RFC 9113 section 8.2.1): clients such as those
// built on nghttp2 reset the stream, failing the whole response.
func trimOWS(v string) string { return strings.Trim(v, " \t") }

// orDefault returns def for "", "" for Off, and v otherwise.
func orDefault(v, def string) string {
	switch v {
	case "":
		return def
	case Off:
		return ""
	}
	return v
}

type nonceKey struct{}

// Nonce returns the CSP nonce of the response to r, for nonce="..."
// attributes on script (and style) elements; "" outside the middleware or
// when the CSP is off. The nonce is 128 random bits, base64url-encoded.
func Nonce(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey{}).(string)
	return n
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Handler returns middleware that sets the headers on every response before
// next runs (next may still change them) and makes a fresh nonce available
// through Nonce.
func (h *Headers) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		if h.csp != nil {
			nonce := newNonce()
			hdr.Set(h.cspHeader, strings.Join(h.csp, nonce))
			r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce))
		}
		if h.noSniff {
			hdr.Set("X-Content-Type-Options", "nosniff")
		}
		if h.referrer != "" {
			hdr.Set("Referrer-Policy", h.referrer)
		}
		if h.frame != "" {
			hdr.Set("X-Frame-Options", h.frame)
		}
		if h.hsts != "" && (r.TLS != nil || h.hstsAll) {
			hdr.Set("Strict-Transport-Security", h.hsts)
		}
		next.ServeHTTP(w, r)
	})
}
