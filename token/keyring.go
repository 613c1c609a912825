package token

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors of Keyring.Decrypt; callers test with errors.Is.
var (
	// ErrUnknownKey reports a value encrypted under a key ID the Keyring does
	// not hold (a retired key, or a forgery).
	ErrUnknownKey = errors.New("token: unknown key")
	// ErrDecrypt reports a value that is malformed, was tampered with, or was
	// encrypted with other associated data.
	ErrDecrypt = errors.New("token: cannot decrypt")
)

// KeySize is the length of a Keyring key: AES-256.
const KeySize = 32

// keyringVersion is the first byte of every Keyring ciphertext.
const keyringVersion = 1

// Overhead is how many bytes Encrypt adds to a plaintext: a version byte, the
// 4-byte key ID, the 12-byte nonce and the 16-byte GCM tag.
const Overhead = 1 + 4 + 12 + 16

// Key is one Keyring key.
type Key struct {
	// ID names the key inside every value it encrypts; IDs are unique within
	// a Keyring.
	ID uint32
	// Secret is KeySize random bytes (see GenerateKey).
	Secret []byte
}

// GenerateKey returns a new random Key with the given ID.
func GenerateKey(id uint32) Key {
	k := Key{ID: id, Secret: make([]byte, KeySize)}
	rand.Read(k.Secret) // never fails (crypto/rand, Go 1.24+)
	return k
}

// Keyring encrypts and authenticates values with AES-256-GCM under a set of
// keys: the first key encrypts, every key decrypts (see the package doc for
// the rotation procedure). Each ciphertext is
//
//	version (1 byte) | key ID (4 bytes, big-endian) | nonce (12) | ciphertext | tag (16)
//
// and the header is authenticated along with the caller's associated data.
// A Keyring is immutable and safe for concurrent use.
type Keyring struct {
	current uint32
	aeads   map[uint32]cipher.AEAD
}

// NewKeyring returns a Keyring over keys; keys[0] is the current key, which
// encrypts. It fails on no keys, a key of the wrong size or a duplicate ID.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("token: NewKeyring needs at least one key")
	}
	k := &Keyring{current: keys[0].ID, aeads: make(map[uint32]cipher.AEAD, len(keys))}
	for _, key := range keys {
		if len(key.Secret) != KeySize {
			return nil, fmt.Errorf("token: key %d is %d bytes, want %d", key.ID, len(key.Secret), KeySize)
		}
		if _, dup := k.aeads[key.ID]; dup {
			return nil, fmt.Errorf("token: duplicate key ID %d", key.ID)
		}
		block, err := aes.NewCipher(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("token: key %d: %w", key.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("token: key %d: %w", key.ID, err)
		}
		k.aeads[key.ID] = aead
	}
	return k, nil
}

// CurrentID returns the ID of the key that encrypts.
func (k *Keyring) CurrentID() uint32 { return k.current }

// Encrypt seals plaintext under the current key, authenticating ad (which is
// not stored: Decrypt must be given the same ad). The result is
// len(plaintext)+Overhead bytes.
func (k *Keyring) Encrypt(plaintext, ad []byte) []byte {
	aead := k.aeads[k.current]
	out := make([]byte, 5+aead.NonceSize(), Overhead+len(plaintext))
	out[0] = keyringVersion
	binary.BigEndian.PutUint32(out[1:5], k.current)
	nonce := out[5 : 5+aead.NonceSize()]
	rand.Read(nonce)
	return aead.Seal(out, nonce, plaintext, k.additional(out[:5], ad))
}

// additional returns the data GCM authenticates: the header, then ad.
func (k *Keyring) additional(header, ad []byte) []byte {
	a := make([]byte, 0, len(header)+len(ad))
	return append(append(a, header...), ad...)
}

// Decrypt opens a value made by Encrypt with any key of the Keyring. It
// returns an error wrapping ErrUnknownKey for a key ID it does not hold and
// ErrDecrypt for anything malformed, tampered with or sealed with other ad.
func (k *Keyring) Decrypt(ciphertext, ad []byte) ([]byte, error) {
	if len(ciphertext) < Overhead {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrDecrypt, len(ciphertext))
	}
	if ciphertext[0] != keyringVersion {
		return nil, fmt.Errorf("%w: unknown version %d", ErrDecrypt, ciphertext[0])
	}
	id := binary.BigEndian.Uint32(ciphertext[1:5])
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w: key ID %d", ErrUnknownKey, id)
	}
	nonce := ciphertext[5 : 5+aead.NonceSize()]
	pt, err := aead.Open(nil, nonce, ciphertext[5+aead.NonceSize():], k.additional(ciphertext[:5], ad))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	return pt, nil
}
