package cli

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// digestCreds are the user name and password of --auth-type digest.
type digestCreds struct {
	user, pass string
}

// authChallenge is one challenge of a WWW-Authenticate field (RFC 9110,
// section 11.6.1): its scheme and auth-params, names in lower case.
type authChallenge struct {
	scheme string
	params map[string]string
}

// maxChallenges bounds the challenges parseChallenges reads: a server
// lists a few; a hostile one could fill megabytes of header with them.
const maxChallenges = 64

// digestParams are the auth-params of a Digest challenge (RFC 7616,
// section 3.3): the only ones parseChallenges keeps.
var digestParams = map[string]bool{"realm": true, "domain": true, "nonce": true, "opaque": true,
	"stale": true, "algorithm": true, "qop": true, "charset": true, "userhash": true}

// parseChallenges reads the challenges of WWW-Authenticate field values
// (RFC 9110, section 11.6.1: a comma-separated list of challenges, each a
// scheme and auth-params, values tokens or quoted strings), the first
// maxChallenges of them, each with the params of digestParams only, so
// that what it holds stays small whatever the field's size. A token68
// (Basic's credentials) is read as a parameter of no use; what does not
// parse is skipped.
func parseChallenges(values []string) []authChallenge {
	var out []authChallenge
	for _, v := range values {
		cur := -1 // index in out of the challenge being read
		i := 0
		for i < len(v) {
			for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == ',') {
				i++
			}
			start := i
			for i < len(v) && !strings.ContainsRune(" \t,=\"", rune(v[i])) {
				i++
			}
			tok := v[start:i]
			if tok == "" {
				if i < len(v) {
					i++ // a stray '=' or '"'
				}
				continue
			}
			j := i
			for j < len(v) && (v[j] == ' ' || v[j] == '\t') {
				j++
			}
			if j == len(v) || v[j] != '=' {
				// A scheme: a new challenge.
				if len(out) == maxChallenges {
					return out
				}
				out = append(out, authChallenge{scheme: tok, params: map[string]string{}})
				cur = len(out) - 1
				continue
			}
			// name = value
			i = j + 1
			for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
				i++
			}
			var val string
			if i < len(v) && v[i] == '"' {
				var b strings.Builder
				i++
				for i < len(v) && v[i] != '"' {
					if v[i] == '\\' && i+1 < len(v) {
						i++
					}
					b.WriteByte(v[i])
					i++
				}
				i++ // the closing quote
				val = b.String()
			} else {
				vs := i
				for i < len(v) && v[i] != ',' && v[i] != ' ' && v[i] != '\t' {
					i++
				}
				val = v[vs:i]
			}
			if name := strings.ToLower(tok); cur >= 0 && digestParams[name] {
				if _, dup := out[cur].params[name]; !dup {
					out[cur].params[name] = val
				}
			}
		}
	}
	return out
}

// digestAlgorithms are the algorithms of RFC 7616, section 6.1, without
// their "-sess" suffix.
var digestAlgorithms = map[string]func() hash.Hash{
	"MD5":         md5.New,
	"SHA-256":     sha256.New,
	"SHA-512-256": sha512.New512_256,
}

// digestChallenge is a Digest challenge (RFC 7616, section 3.3) the
// command can answer.
type digestChallenge struct {
	realm, nonce, opaque string
	algorithm            string // as the server wrote it; "" if absent (MD5)
	newHash              func() hash.Hash
	sess                 bool // a "-sess" algorithm
	qop                  bool // qop=auth; false: RFC 2069's form without qop
	userhash             bool
	// stale: the request answered had a good response with a stale
	// nonce (RFC 7616, section 3.3: stale=true, case-insensitive).
	stale bool
}

// pickDigest returns the Digest challenge of the WWW-Authenticate values
// to answer: of those the command supports (an algorithm of
// digestAlgorithms, plain or -sess, and qop "auth" among the offered ones
// or no qop at all, RFC 2069's form, then not a -sess one), the first one
// with a SHA-2 algorithm, else the first one (MD5). A server lists the
// challenges it prefers first (RFC 7616, section 3.7), but a client may
// follow its own policy: taking the first would let a man in the middle
// who puts an MD5 challenge first downgrade the answer to MD5, which
// makes an offline guess of the password far cheaper.
func pickDigest(values []string) (*digestChallenge, bool) {
	var md5Pick *digestChallenge
	for _, ch := range parseChallenges(values) {
		if !strings.EqualFold(ch.scheme, "Digest") {
			continue
		}
		p := ch.params
		nonce, ok := p["nonce"]
		if !ok {
			continue
		}
		realm := p["realm"]
		d := &digestChallenge{realm: realm, nonce: nonce, opaque: p["opaque"], algorithm: p["algorithm"]}
		alg := strings.ToUpper(d.algorithm)
		if alg == "" {
			alg = "MD5"
		}
		if base, ok := strings.CutSuffix(alg, "-SESS"); ok {
			alg, d.sess = base, true
		}
		if d.newHash = digestAlgorithms[alg]; d.newHash == nil {
			continue
		}
		if q, ok := p["qop"]; ok {
			for o := range strings.SplitSeq(q, ",") {
				if strings.EqualFold(strings.TrimSpace(o), "auth") {
					d.qop = true
				}
			}
			if !d.qop {
				continue // auth-int only
			}
		} else if d.sess {
			continue // -sess needs a cnonce, so qop
		}
		d.userhash = strings.EqualFold(p["userhash"], "true")
		d.stale = strings.EqualFold(p["stale"], "true")
		if alg != "MD5" {
			return d, true
		}
		if md5Pick == nil {
			md5Pick = d
		}
	}
	return md5Pick, md5Pick != nil
}

func (d *digestChallenge) h(s string) string {
	h := d.newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// newCnonce returns a client nonce: 128 random bits.
func newCnonce() string { return rand.Text() }

// authorization returns the Authorization value answering d for a request
// of method to uri (its request-target), as RFC 7616, section 3.4, computes
// it, with nonce count 1 (each challenge is answered once) and cnonce.
func (d *digestChallenge) authorization(c digestCreds, method, uri, cnonce string) string {
	const nc = "00000001"
	ha1 := d.h(c.user + ":" + d.realm + ":" + c.pass)
	if d.sess {
		ha1 = d.h(ha1 + ":" + d.nonce + ":" + cnonce)
	}
	ha2 := d.h(method + ":" + uri)
	var response string
	if d.qop {
		response = d.h(ha1 + ":" + d.nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	} else {
		response = d.h(ha1 + ":" + d.nonce + ":" + ha2)
	}
	var b strings.Builder
	b.WriteString("Digest ")
	switch {
	case d.userhash:
		b.WriteString("username=" + quoteParam(d.h(c.user+":"+d.realm)))
	case needsExtValue(c.user):
		// RFC 7616, section 3.4.4: username* in RFC 8187's encoding.
		b.WriteString("username*=UTF-8''" + extValue(c.user))
	default:
		b.WriteString("username=" + quoteParam(c.user))
	}
	b.WriteString(", realm=" + quoteParam(d.realm))
	b.WriteString(", uri=" + quoteParam(uri))
	if d.algorithm != "" {
		b.WriteString(", algorithm=" + d.algorithm)
	}
	b.WriteString(", nonce=" + quoteParam(d.nonce))
	if d.qop {
		b.WriteString(", nc=" + nc + ", cnonce=" + quoteParam(cnonce) + ", qop=auth")
	}
	b.WriteString(", response=" + quoteParam(response))
	if d.opaque != "" {
		b.WriteString(", opaque=" + quoteParam(d.opaque))
	}
	if d.userhash {
		b.WriteString(", userhash=true")
	}
	return b.String()
}

// quoteParam returns s as a quoted-string (RFC 9110, section 5.6.4).
func quoteParam(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// extValue percent-encodes s as RFC 8187's value-chars: bytes other than
// attr-char as %XX.
func extValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// needsExtValue reports whether a user name cannot go in a quoted-string
// as it is: non-ASCII or control characters.
func needsExtValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return true
		}
	}
	return false
}
