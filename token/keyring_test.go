package token_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/token"
)

func mustKeyring(t testing.TB, keys ...token.Key) *token.Keyring {
	t.Helper()
	k, err := token.NewKeyring(keys...)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return k
}

func TestKeyringRoundTrip(t *testing.T) {
	k := mustKeyring(t, token.GenerateKey(1))
	for _, pt := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("session"), 500)} {
		ct := k.Encrypt(pt, []byte("ad"))
		if got, want := len(ct), len(pt)+token.Overhead; got != want {
			t.Errorf("len(Encrypt(%d bytes)) = %d, want %d", len(pt), got, want)
		}
		got, err := k.Decrypt(ct, []byte("ad"))
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Decrypt = %q, want %q", got, pt)
		}
	}
}

func TestKeyringFreshNonce(t *testing.T) {
	k := mustKeyring(t, token.GenerateKey(1))
	a, b := k.Encrypt([]byte("same"), nil), k.Encrypt([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Errorf("two encryptions of one plaintext are equal: %x", a)
	}
}

func TestKeyringTampered(t *testing.T) {
	k := mustKeyring(t, token.GenerateKey(7))
	ct := k.Encrypt([]byte("attributes"), []byte("sid"))
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if _, err := k.Decrypt(bad, []byte("sid")); err == nil {
			t.Errorf("byte %d flipped: Decrypt succeeded, want an error", i)
		}
	}
	for n := range len(ct) {
		if _, err := k.Decrypt(ct[:n], []byte("sid")); !errors.Is(err, token.ErrDecrypt) && !errors.Is(err, token.ErrUnknownKey) {
			t.Errorf("truncated to %d bytes: err = %v, want ErrDecrypt", n, err)
		}
	}
	if _, err := k.Decrypt(ct, []byte("other")); !errors.Is(err, token.ErrDecrypt) {
		t.Errorf("other associated data: err = %v, want ErrDecrypt", err)
	}
	if _, err := k.Decrypt(append(bytes.Clone(ct), 0), []byte("sid")); !errors.Is(err, token.ErrDecrypt) {
		t.Errorf("extra byte: err = %v, want ErrDecrypt", err)
	}
}

func TestKeyringRotation(t *testing.T) {
	old, next := token.GenerateKey(1), token.GenerateKey(2)
	before := mustKeyring(t, old)
	ctOld := before.Encrypt([]byte("old"), nil)

	// Step 1: the new key is known but does not encrypt yet.
	step1 := mustKeyring(t, old, next)
	if got := step1.CurrentID(); got != 1 {
		t.Errorf("step 1 CurrentID = %d, want 1", got)
	}
	// Step 2: the new key encrypts; the old one still decrypts.
	step2 := mustKeyring(t, next, old)
	ctNew := step2.Encrypt([]byte("new"), nil)
	if got, err := step2.Decrypt(ctOld, nil); err != nil || string(got) != "old" {
		t.Errorf("step 2 Decrypt(old value) = %q, %v; want \"old\", nil", got, err)
	}
	if got, err := step1.Decrypt(ctNew, nil); err != nil || string(got) != "new" {
		t.Errorf("step 1 instance Decrypt(new value) = %q, %v; want \"new\", nil", got, err)
	}
	if _, err := before.Decrypt(ctNew, nil); !errors.Is(err, token.ErrUnknownKey) {
		t.Errorf("old-only ring Decrypt(new value): err = %v, want ErrUnknownKey", err)
	}
	// Step 3: the old key is gone.
	step3 := mustKeyring(t, next)
	if _, err := step3.Decrypt(ctOld, nil); !errors.Is(err, token.ErrUnknownKey) {
		t.Errorf("step 3 Decrypt(old value): err = %v, want ErrUnknownKey", err)
	}
	// A key with a reused ID but other bytes cannot open the value.
	imposter := mustKeyring(t, token.GenerateKey(2))
	if _, err := imposter.Decrypt(ctNew, nil); !errors.Is(err, token.ErrDecrypt) {
		t.Errorf("other key with the same ID: err = %v, want ErrDecrypt", err)
	}
}

var badKeyrings = []struct {
	name string
	keys []token.Key
}{
	{"none", nil},
	{"short", []token.Key{{ID: 1, Secret: make([]byte, 16)}}},
	{"long", []token.Key{{ID: 1, Secret: make([]byte, 33)}}},
	{"duplicate", []token.Key{token.GenerateKey(1), token.GenerateKey(1)}},
}

func TestNewKeyringRejects(t *testing.T) {
	for _, tt := range badKeyrings {
		if _, err := token.NewKeyring(tt.keys...); err == nil {
			t.Errorf("NewKeyring(%s) succeeded, want an error", tt.name)
		}
	}
}

func FuzzKeyringDecrypt(f *testing.F) {
	k := mustKeyring(f, token.Key{ID: 3, Secret: bytes.Repeat([]byte{9}, 32)})
	f.Add(k.Encrypt([]byte("hello"), []byte("ad")), []byte("ad"))
	f.Add([]byte{1, 0, 0, 0, 3}, []byte(nil))
	f.Add([]byte{}, []byte("ad"))
	f.Fuzz(func(t *testing.T, ct, ad []byte) {
		pt, err := k.Decrypt(ct, ad)
		if err != nil {
			if pt != nil {
				t.Errorf("Decrypt returned %q with error %v", pt, err)
			}
			return
		}
		// Only a genuine ciphertext opens; re-encrypting must round-trip.
		again, err := k.Decrypt(k.Encrypt(pt, ad), ad)
		if err != nil || !bytes.Equal(again, pt) {
			t.Errorf("round trip of %q: %q, %v", pt, again, err)
		}
	})
}

func TestKeyringConcurrent(t *testing.T) {
	k := mustKeyring(t, token.GenerateKey(1), token.GenerateKey(2))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				pt := []byte{byte(i), byte(j)}
				got, err := k.Decrypt(k.Encrypt(pt, nil), nil)
				if err != nil || !bytes.Equal(got, pt) {
					t.Errorf("goroutine %d: round trip of %v = %v, %v", i, pt, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
