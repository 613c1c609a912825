package session

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// idBytes is the entropy of a session ID: 256 bits from crypto/rand.
const idBytes = 32

// idLen is the length of an encoded session ID: base64url without padding of
// idBytes bytes.
const idLen = (idBytes*8 + 5) / 6

// shortKeyLen is the length of the key prefix that logs carry.
const shortKeyLen = 8

// Key returns the store key for a session ID: base64url (no padding) of
// SHA-256(id). It is what stores, dashboards, logs (a short prefix) and admin
// commands use; never the ID itself, so a dump of a store holds no usable
// session ID.
func Key(id string) string {
	var out [keyLen]byte
	keyInto(&out, id)
	return string(out[:])
}

// keyLen is the length of a store key: base64url (no padding) of a SHA-256
// sum.
const keyLen = (sha256.Size*8 + 5) / 6

// keyInto writes Key(id) into out.
func keyInto(out *[keyLen]byte, id string) {
	var sum [sha256.Size]byte
	if len(id) <= 64 {
		var buf [64]byte // keeps the hot path free of a []byte(id) allocation
		n := copy(buf[:], id)
		sum = sha256.Sum256(buf[:n])
	} else {
		sum = sha256.Sum256([]byte(id))
	}
	base64.RawURLEncoding.Encode(out[:], sum[:])
}

// newID returns a fresh session ID: 256 random bits, base64url-encoded.
func newID() string {
	var out [idLen]byte
	newIDInto(&out)
	return string(out[:])
}

// newIDInto writes a fresh session ID into out: one 32-byte read from
// crypto/rand, base64url-encoded.
func newIDInto(out *[idLen]byte) {
	var b [idBytes]byte
	// crypto/rand.Read never returns an error (it crashes the program
	// irrecoverably if the system source fails).
	_, _ = rand.Read(b[:])
	base64.RawURLEncoding.Encode(out[:], b[:])
}

// validID reports whether s has the shape of an ID that newID returns: exactly
// idLen base64url characters, with the unused low bits of the last character
// zero (the canonical encoding). Anything else is never looked up.
func validID(s string) bool {
	if len(s) != idLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !base64URLAlphabet[s[i]] {
			return false
		}
	}
	// 32 bytes = 256 bits = 42 full characters + 4 bits; the last character
	// carries 4 bits followed by 2 zero bits.
	return base64Value(s[len(s)-1])&0x3 == 0
}

// base64URLAlphabet marks the base64url alphabet (RFC 4648 section 5).
var base64URLAlphabet = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isBase64URL(byte(c))
	}
	return t
}()

func isBase64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func base64Value(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '-':
		return 62
	default:
		return 63
	}
}

// equalID compares two IDs (or keys) in time that depends only on their
// lengths, never on their contents (as crypto/subtle.ConstantTimeCompare,
// without converting to []byte).
func equalID(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	// Eight bytes at a time (the compiler turns each le64 into one load),
	// then the tail; every byte is always compared.
	var v uint64
	i := 0
	for ; i+8 <= len(a); i += 8 {
		v |= le64(a[i:]) ^ le64(b[i:])
	}
	for ; i < len(a); i++ {
		v |= uint64(a[i] ^ b[i])
	}
	return subtle.ConstantTimeEq(int32(v>>32|v&0xffffffff), 0) == 1
}

// le64 reads the first eight bytes of s as a little-endian integer.
func le64(s string) uint64 {
	_ = s[7] // one bounds check
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// shortKey returns the prefix of a store key that lifecycle logs carry.
func shortKey(key string) string {
	if len(key) > shortKeyLen {
		return key[:shortKeyLen]
	}
	return key
}
