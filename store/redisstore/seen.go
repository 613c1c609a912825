package redisstore

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// keyLen is the length of a canonical store key, session.Key's output:
// base64url without padding of a SHA-256 sum.
const keyLen = (sha256.Size*8 + 5) / 6

// strictKey decodes canonical keys; Strict rejects non-zero trailing bits,
// so that two different strings never decode to the same sum.
var strictKey = base64.RawURLEncoding.Strict()

// keySet is the set of session keys Iterate has met, to drop the keys SCAN
// returns more than once (it may while the keyspace is rehashed).
type keySet interface {
	// add adds k and reports whether it was new.
	add(k string) bool
}

// seenKeys is Iterate's keySet. For a canonical key it keeps the SHA-256
// sum the key encodes, decoded back to its 32 bytes, rather than the key
// string (a 16-byte header plus, since the key is sliced from SCAN's reply,
// the whole Redis key kept alive behind it): about 52 bytes of live heap
// per key with the map's slack, against 99 (TestSeenKeysMemory). Decoding a
// canonical key is injective, so unlike a truncated digest it can never
// merge two sessions, whoever chose the keys. Any other key (the Store
// accepts arbitrary keys) is kept as a copied string in a separate set:
// it cannot be equal to a canonical one.
type seenKeys struct {
	sums  map[[sha256.Size]byte]struct{}
	other map[string]struct{}
}

func newSeenKeys() *seenKeys {
	return &seenKeys{sums: make(map[[sha256.Size]byte]struct{})}
}

// add adds k and reports whether it was new.
func (s *seenKeys) add(k string) bool {
	if sum, ok := decodeKey(k); ok {
		if _, dup := s.sums[sum]; dup {
			return false
		}
		s.sums[sum] = struct{}{}
		return true
	}
	if _, dup := s.other[k]; dup {
		return false
	}
	if s.other == nil {
		s.other = make(map[string]struct{})
	}
	// Clone: k may be a slice of a longer string (the Redis key).
	s.other[strings.Clone(k)] = struct{}{}
	return true
}

// decodeKey returns the SHA-256 sum a canonical key encodes, and false if k
// is not exactly the canonical encoding of 32 bytes.
func decodeKey(k string) (sum [sha256.Size]byte, ok bool) {
	// The decoder skips CR and LF even when strict: refuse them so that
	// only one string maps to each sum.
	if len(k) != keyLen || strings.ContainsAny(k, "\r\n") {
		return sum, false
	}
	var src [keyLen]byte // copied rather than []byte(k), which would allocate
	copy(src[:], k)
	var buf [sha256.Size + 2]byte // DecodedLen(keyLen) rounds up
	n, err := strictKey.Decode(buf[:], src[:])
	if err != nil || n != sha256.Size {
		return sum, false
	}
	copy(sum[:], buf[:n])
	return sum, true
}
