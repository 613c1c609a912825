package cookiestore_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/token"
)

var fuzzKey = token.Key{ID: 9, Secret: bytes.Repeat([]byte{7}, 32)}

// FuzzDecodePlaintext seals arbitrary plaintexts with the right key, so the
// fuzzer reaches the binary decoder behind the authentication.
func FuzzDecodePlaintext(f *testing.F) {
	clock := testutil.NewClock(tNow)
	c := newCodec(f, clock, -1, fuzzKey)
	ring, _ := token.NewKeyring(fuzzKey)
	v, _ := c.Encode(sampleRecord())
	sealed, _ := base64.RawURLEncoding.DecodeString(v)
	plain, err := ring.Decrypt(sealed, []byte("test"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	f.Add([]byte{1})
	f.Add([]byte{1, 0, 0, 2, 'k', 'k'})
	f.Fuzz(func(t *testing.T, plain []byte) {
		v := base64.RawURLEncoding.EncodeToString(ring.Encrypt(plain, []byte("test")))
		r, err := c.Decode(v)
		if err != nil {
			return
		}
		if r.Key == "" {
			t.Fatalf("decoded a record with an empty key")
		}
		v2, err := c.Encode(r)
		if err != nil {
			return // e.g. the record's own expiry lies in the past
		}
		r2, err := c.Decode(v2)
		if err != nil || !equalRecord(r, r2) {
			t.Errorf("re-encode round trip: %+v -> %+v, %v", r, r2, err)
		}
	})
}

// FuzzDecode feeds arbitrary cookie values.
func FuzzDecode(f *testing.F) {
	clock := testutil.NewClock(tNow)
	c := newCodec(f, clock, 0, fuzzKey)
	v, _ := c.Encode(sampleRecord())
	f.Add(v)
	f.Add(v[:40])
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := c.Decode(s)
		if err == nil && (r == nil || r.Key == "") {
			t.Errorf("Decode(%q) = %+v, nil", s, r)
		}
	})
}
