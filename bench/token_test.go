package bench

// Cookie-held sessions (store/cookiestore vs gorilla/securecookie on the same
// 1 KB record) and JWT signing/verification per algorithm (token.KeySet).
//
//	cd bench && go test -run='^$' -bench='CookieSession|JWT' -count=6 .

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/securecookie"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

// kbRecord returns a session whose attributes total 1 KB (16 attributes of
// 64 bytes of JSON), as both codecs encode it.
func kbRecord(now time.Time) *session.Record {
	r := &session.Record{
		Key: "k7Qe2yH8abcDEFghiJKLmnoPQRstuVWXyz0123456789", Principal: "alice@example.com",
		Created: now.Add(-time.Hour), LastAccess: now, IdleTimeout: 30 * time.Minute,
		Deadline: now.Add(23 * time.Hour), Attrs: map[string][]byte{},
	}
	for i := range 16 {
		v := fmt.Sprintf(`"%062d"`, i) // 64 bytes
		r.Attrs[fmt.Sprintf("attr%02d", i)] = []byte(v)
	}
	return r
}

func cookieCodecs(b *testing.B) (*cookiestore.Codec, *securecookie.SecureCookie, *securecookie.SecureCookie) {
	ring, err := token.NewKeyring(token.GenerateKey(1))
	if err != nil {
		b.Fatal(err)
	}
	cs, err := cookiestore.New(&cookiestore.Options{Keyring: ring})
	if err != nil {
		b.Fatal(err)
	}
	// gorilla/securecookie with AES-256 (CTR) and HMAC-SHA256, gob-encoded,
	// as gorilla/sessions' CookieStore uses it.
	sc := securecookie.New(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32))
	// The same with its JSON serializer, to separate serialisation from
	// crypto cost.
	scj := securecookie.New(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32)).
		SetSerializer(securecookie.JSONEncoder{})
	return cs, sc, scj
}

func BenchmarkCookieSessionEncode(b *testing.B) {
	cs, sc, scj := cookieCodecs(b)
	rec := kbRecord(time.Now())
	b.Run("cookiestore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cs.Encode(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		s    *securecookie.SecureCookie
	}{{"securecookie", sc}, {"securecookie-json", scj}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.s.Encode("sid", rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCookieSessionDecode(b *testing.B) {
	cs, sc, scj := cookieCodecs(b)
	rec := kbRecord(time.Now())
	v1, err := cs.Encode(rec)
	if err != nil {
		b.Fatal(err)
	}
	v2, err := sc.Encode("sid", rec)
	if err != nil {
		b.Fatal(err)
	}
	v3, err := scj.Encode("sid", rec)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cookiestore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cs.Decode(v1); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(v1)), "cookie-bytes")
	})
	for _, c := range []struct {
		name string
		s    *securecookie.SecureCookie
		v    string
	}{{"securecookie", sc, v2}, {"securecookie-json", scj, v3}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var out session.Record
				if err := c.s.Decode("sid", c.v, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.v)), "cookie-bytes")
		})
	}
}

func jwtKeys(b *testing.B) []token.SigningKey {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rs, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	es, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return []token.SigningKey{
		{ID: "hs", Alg: token.HS256, Secret: securecookie.GenerateRandomKey(32)},
		{ID: "ed", Alg: token.EdDSA, Private: ed},
		{ID: "rs", Alg: token.RS256, Private: rs},
		{ID: "es", Alg: token.ES256, Private: es},
	}
}

func jwtClaims() *token.Claims {
	now := time.Now()
	return &token.Claims{Use: token.UseAccess, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "https://auth.example", Subject: "alice", Audience: jwt.ClaimStrings{"api"},
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), NotBefore: jwt.NewNumericDate(now),
		IssuedAt: jwt.NewNumericDate(now), ID: "0123456789abcdef",
	}}
}

func BenchmarkJWTSign(b *testing.B) {
	for _, k := range jwtKeys(b) {
		ks, err := token.NewKeySet(k)
		if err != nil {
			b.Fatal(err)
		}
		c := jwtClaims()
		b.Run(k.Alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ks.Sign(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJWTVerify(b *testing.B) {
	for _, k := range jwtKeys(b) {
		ks, err := token.NewKeySet(k)
		if err != nil {
			b.Fatal(err)
		}
		tok, err := ks.Sign(jwtClaims())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(k.Alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ks.Parse(tok, &token.Claims{}, jwt.WithIssuer("https://auth.example"), jwt.WithAudience("api")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCookieSessionInterleaved times a round trip (Encode then Decode)
// of both codecs in every iteration, so that load swings on a shared machine
// hit both alike, and reports the ratio of the totals as the
// "securecookie/cookiestore" metric (and each side's ns per round trip).
func BenchmarkCookieSessionInterleaved(b *testing.B) {
	cs, sc, _ := cookieCodecs(b)
	rec := kbRecord(time.Now())
	var tCS, tSC time.Duration
	for b.Loop() {
		t0 := time.Now()
		v, err := cs.Encode(rec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cs.Decode(v); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		w, err := sc.Encode("sid", rec)
		if err != nil {
			b.Fatal(err)
		}
		var out session.Record
		if err := sc.Decode("sid", w, &out); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		tCS += t1.Sub(t0)
		tSC += t2.Sub(t1)
	}
	b.ReportMetric(float64(tSC)/float64(tCS), "securecookie/cookiestore")
	b.ReportMetric(float64(tCS.Nanoseconds())/float64(b.N), "cookiestore-ns/rt")
	b.ReportMetric(float64(tSC.Nanoseconds())/float64(b.N), "securecookie-ns/rt")
}
