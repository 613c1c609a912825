package boltstore

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
)

// Load returns the live record under key; found is false when there is
// none. A record in the read cache costs no transaction; otherwise Load
// reads the file in a read-only transaction and caches what it decoded,
// unless it read a commit whose fsync has not returned.
// Either way it writes nothing.
func (s *Store) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	if err := s.check(ctx, "load"); err != nil {
		return nil, false, err
	}
	var seq uint64
	if s.cache != nil {
		var r *session.Record
		if r, seq = s.cache.get(key); r != nil {
			if !r.Expiry().After(s.now()) {
				s.cache.drop(key, r)
				return nil, false, nil
			}
			return r, true, nil
		}
	}
	var (
		r       *session.Record
		decErr  error
		present bool
		seen    int
	)
	err := s.safeView(func(tx *bolt.Tx) error {
		seen = tx.ID()
		v := tx.Bucket(bucketSessions).Get([]byte(key))
		if v == nil {
			return nil
		}
		present = true
		r, decErr = decodeRecord(key, v)
		return nil
	})
	if err != nil {
		return nil, false, wrap("load", err)
	}
	if !present {
		return nil, false, nil
	}
	if decErr != nil {
		return nil, false, fmt.Errorf("boltstore: load %.8s: %w", key, decErr)
	}
	if !r.Expiry().After(s.now()) {
		return nil, false, nil
	}
	// The cache holds only what is on disk: not a record read from a
	// commit whose fsync has not returned (its own write fills the cache
	// once it has).
	if s.cache != nil && int64(seen) <= s.durable.Load() {
		if h := s.onLoadRead; h != nil {
			h(key)
		}
		s.cache.fill(r.Key, r, seq) // r.Key is a copy of key
	}
	return r, true, nil
}

// ByPrincipal lists the live sessions of principal, oldest (by Created)
// first, ties broken by key: a prefix scan of the principal index in a
// read-only transaction. Anonymous sessions (principal "") are not indexed:
// ByPrincipal("") returns none. A record that does not decode (corrupt) is
// skipped, with a warning to Options.Logger: it lists the others, as
// store/redisstore does (Load of that record fails with an error).
func (s *Store) ByPrincipal(ctx context.Context, principal string) ([]session.Meta, error) {
	if err := s.check(ctx, "by principal"); err != nil {
		return nil, err
	}
	if principal == "" {
		return nil, nil
	}
	prefix := principalPrefix(nil, principal)
	var (
		metas   []session.Meta
		corrupt []skipped
	)
	err := s.view("by principal", func(tx *bolt.Tx) error {
		metas, corrupt = metas[:0], corrupt[:0]
		sessions := tx.Bucket(bucketSessions)
		now := s.now()
		var lens []uint64
		c := tx.Bucket(bucketPrincipals).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) < len(prefix)+8 {
				continue
			}
			key := k[len(prefix)+8:]
			v := sessions.Get(key)
			if v == nil {
				continue // a stale entry
			}
			m, l, err := decodeMeta(string(key), v, lens)
			lens = l
			if err != nil {
				corrupt = append(corrupt, skipped{string(key), err})
				continue
			}
			// Skip entries that no longer describe the record: expired,
			// or stale after the key was reused.
			if m.Principal != principal || !m.Expiry.After(now) ||
				!bytes.Equal(k[len(prefix):len(prefix)+8], timeKey(nil, m.Created)) {
				continue
			}
			metas = append(metas, m)
		}
		return nil
	})
	s.warnCorrupt("skipping corrupt session", corrupt)
	if err != nil {
		return nil, err
	}
	return metas, nil
}

// skipped is a record a read could not decode, for the Logger once the
// read's transaction has ended.
type skipped struct {
	key string
	err error
}

// warnCorrupt logs msg for each record in recs, named by the start of its
// store key, as the package's errors name it, and drops it from the read
// cache. Listings skip such a record because Load of it fails, so that the
// session cannot be used (InvalidatePrincipal cannot list it): a decoded
// copy in the cache (the bytes damaged under a running store) must not
// keep serving it. Dropping a key is always safe: Load then reads the file.
func (s *Store) warnCorrupt(msg string, recs []skipped) {
	for _, r := range recs {
		if s.cache != nil {
			s.cache.set(r.key, nil)
		}
		s.log.Warn("boltstore: "+msg, "key", fmt.Sprintf("%.8s", r.key), "err", r.err)
	}
}

// iterateChunk is how many sessions Iterate reads per read-only transaction.
const iterateChunk = 256

// Iterate calls fn with the metadata of every live session, in key order,
// until fn returns false. It reads in chunks, each in its own read-only
// transaction, and calls fn outside any transaction, so fn may call the
// Store; sessions created or removed during the iteration may or may not be
// visited. A record that does not decode (corrupt) is skipped, with a
// warning to Options.Logger, as store/redisstore does: one bad record does
// not hide the others (Load of it fails with an error).
func (s *Store) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	if err := s.check(ctx, "iterate"); err != nil {
		return err
	}
	var (
		after   []byte // last key read; nil before the first chunk
		chunk   = make([]session.Meta, 0, iterateChunk)
		lens    []uint64
		corrupt []skipped
	)
	for {
		if err := s.check(ctx, "iterate"); err != nil {
			return err
		}
		chunk, corrupt = chunk[:0], corrupt[:0]
		done := false
		err := s.view("iterate", func(tx *bolt.Tx) error {
			now := s.now()
			c := tx.Bucket(bucketSessions).Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil; k, v = c.Next() {
				if len(chunk) == iterateChunk {
					return nil
				}
				after = append(after[:0], k...)
				m, l, err := decodeMeta(string(k), v, lens)
				lens = l
				if err != nil {
					corrupt = append(corrupt, skipped{string(k), err})
					continue
				}
				if m.Expiry.After(now) {
					chunk = append(chunk, m)
				}
			}
			done = true
			return nil
		})
		s.warnCorrupt("skipping corrupt session", corrupt)
		if err != nil {
			return err
		}
		for _, m := range chunk {
			if !fn(m) {
				return nil
			}
		}
		if done {
			return nil
		}
	}
}
