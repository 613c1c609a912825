package csrf

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// SecretLen is the length in bytes of a CSRF secret.
const SecretLen = 32

// tokenLen is the length of an encoded token: base64url (no padding) of the
// 32-byte pad followed by the 32-byte masked secret.
var tokenLen = base64.RawURLEncoding.EncodedLen(2 * SecretLen)

// newSecret returns SecretLen random bytes.
func newSecret() []byte {
	b := make([]byte, SecretLen)
	rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	return b
}

// mask returns a fresh masked token for secret: base64url(pad || pad XOR
// secret) with a random one-time pad, so no two responses carry the same
// bytes (the BREACH mitigation).
func mask(secret []byte) string {
	buf := make([]byte, 2*SecretLen)
	pad, masked := buf[:SecretLen], buf[SecretLen:]
	rand.Read(pad)
	subtle.XORBytes(masked, pad, secret)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// unmask decodes a token produced by mask and returns the secret it carries.
func unmask(tok string) ([]byte, error) {
	if len(tok) != tokenLen {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrBadToken, len(tok), tokenLen)
	}
	buf, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	if len(buf) != 2*SecretLen {
		return nil, fmt.Errorf("%w: decoded length %d", ErrBadToken, len(buf))
	}
	secret := make([]byte, SecretLen)
	subtle.XORBytes(secret, buf[:SecretLen], buf[SecretLen:])
	return secret, nil
}

// verify reports whether tok is a masked form of secret, in constant time with
// respect to the secret's bytes.
func verify(tok string, secret []byte) error {
	got, err := unmask(tok)
	if err != nil {
		return err
	}
	if len(secret) != SecretLen || subtle.ConstantTimeCompare(got, secret) != 1 {
		return fmt.Errorf("%w: does not match", ErrBadToken)
	}
	return nil
}
