package boltstore

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
)

// Every write below runs its work in s.batch, which may run it more than
// once: each run starts by resetting what it reports, and reports expected
// outcomes through its closure so the shared transaction still commits; a
// run that wrote nothing returns errWroteNothing, so that a transaction of
// such runs alone is rolled back rather than committed (no fsync).
// Each run also records in fx what the read cache must learn once the
// transaction has committed: a record decoded from the bytes written, which
// no caller holds, or nil for a removed key.

// validate checks that a key and principal fit the index keys. Too long
// is a format limit (ErrTooLarge), as for MaxAttrs; an empty key is the
// caller's mistake.
func validate(op, key, principal string) error {
	switch {
	case key == "":
		return fmt.Errorf("boltstore: %s: empty key", op)
	case len(key) > MaxKeyLen:
		return fmt.Errorf("boltstore: %s: key of %d bytes, over the limit of %d: %w", op, len(key), MaxKeyLen, ErrTooLarge)
	case len(principal) > MaxPrincipalLen:
		return fmt.Errorf("boltstore: %s %.8s: principal of %d bytes, over the limit of %d: %w", op, key, len(principal), MaxPrincipalLen, ErrTooLarge)
	}
	return nil
}

// getLive returns the live record under key, nil when there is none.
// An undecodable record is an error.
func getLive(b buckets, key string, now time.Time) (*session.Record, error) {
	v := b.sessions.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	r, err := decodeRecord(key, v)
	if err != nil {
		return nil, fmt.Errorf("record %.8s: %w", key, err)
	}
	if !r.Expiry().After(now) {
		return nil, nil
	}
	return r, nil
}

// clearExpired removes an expired record under key, and its index entries,
// so that the key can be reused. A live record is left alone; the caller
// has checked there is none.
func clearExpired(b buckets, key string) error {
	v := b.sessions.Get([]byte(key))
	if v == nil {
		return nil
	}
	r, err := decodeRecord(key, v)
	if err != nil {
		// Nothing to learn about its index entries: overwrite the record
		// only. Stale index entries are skipped by readers and by Sweep.
		return b.sessions.Delete([]byte(key))
	}
	return b.remove(key, r.Principal, r.Created, r.Expiry())
}

// Create stores r. It returns an error wrapping session.ErrExists if a live
// record holds r.Key, and one wrapping ErrTooLarge, writing nothing, if r
// has more than MaxAttrs attributes or is too large for bbolt. An expired
// record under r.Key that no Sweep has reported yet is replaced.
func (s *Store) Create(ctx context.Context, r *session.Record) error {
	if err := s.check(ctx, "create"); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("boltstore: create: nil record")
	}
	if err := validate("create", r.Key, r.Principal); err != nil {
		return err
	}
	v, err := encodeChecked("create", r, s.maxValue)
	if err != nil {
		return err
	}
	var res error
	err = s.batch("create", func(tx *bolt.Tx, fx *effects) error {
		res = nil
		b := bucketsOf(tx)
		old, err := getLive(b, r.Key, s.now())
		if err != nil {
			return err
		}
		if old != nil {
			res = fmt.Errorf("boltstore: create %.8s: %w", r.Key, session.ErrExists)
			return errWroteNothing
		}
		if err := clearExpired(b, r.Key); err != nil {
			return err
		}
		if err := b.put(r.Key, v, r.Principal, r.Created, r.Expiry()); err != nil {
			return err
		}
		return fx.setEncoded(r.Key, v)
	})
	if err != nil {
		return err
	}
	return res
}

// Save applies d to the live record under key in one committed transaction.
// It returns an error wrapping session.ErrNotFound, writing nothing, when
// there is no live record, and one wrapping ErrTooLarge, writing nothing,
// when the record d would leave has more than MaxAttrs attributes or is too
// large for bbolt. An empty delta only checks the record exists, in the
// read cache or else in a read-only transaction (in a write transaction,
// rolled back, when that look saw a commit whose fsync has not returned).
func (s *Store) Save(ctx context.Context, key string, d session.Delta) error {
	if err := s.check(ctx, "save"); err != nil {
		return err
	}
	if d.IsEmpty() {
		if s.cache != nil {
			if r, _ := s.cache.get(key); r != nil && r.Expiry().After(s.now()) {
				return nil
			}
		}
		var (
			r    *session.Record
			seen int
		)
		err := s.view("save", func(tx *bolt.Tx) error {
			var err error
			seen = tx.ID()
			r, err = getLive(bucketsOf(tx), key, s.now())
			return err
		})
		if err == nil && int64(seen) > s.durable.Load() {
			// The look saw a commit not yet fsync'd: ask a write
			// transaction, which starts after it is on disk.
			r, err = s.liveOnDisk(key)
		}
		if err != nil {
			return err
		}
		if r == nil {
			return fmt.Errorf("boltstore: save %.8s: %w", key, session.ErrNotFound)
		}
		return nil
	}
	return s.saveDelta(key, d)
}

// saveDelta is Save of a non-empty delta. It is apart so that the closure
// capturing d moves d to the heap only here, not on an empty Save.
func (s *Store) saveDelta(key string, d session.Delta) error {
	// Only the principal: a key no record can hold (empty, too long) is
	// ErrNotFound, as any other absent key, and a principal too long is
	// ErrTooLarge whatever the key.
	if d.Principal != nil && len(*d.Principal) > MaxPrincipalLen {
		return fmt.Errorf("boltstore: save %.8s: principal of %d bytes, over the limit of %d: %w", key, len(*d.Principal), MaxPrincipalLen, ErrTooLarge)
	}
	var res error
	err := s.batch("save", func(tx *bolt.Tx, fx *effects) error {
		res = nil
		b := bucketsOf(tx)
		r, err := getLive(b, key, s.now())
		if err != nil {
			return err
		}
		if r == nil {
			res = fmt.Errorf("boltstore: save %.8s: %w", key, session.ErrNotFound)
			return errWroteNothing
		}
		oldPrincipal, oldExpiry := r.Principal, r.Expiry()
		applyDelta(r, &d)
		v, err := encodeChecked("save", r, s.maxValue)
		if err != nil {
			res = err
			return errWroteNothing
		}
		if err := b.replace(r, v, oldPrincipal, oldExpiry); err != nil {
			return err
		}
		return fx.setEncoded(key, v)
	})
	if err != nil {
		return err
	}
	return res
}

// liveOnDisk returns the live record under key, or nil, as a write
// transaction sees it: after every commit before it has been fsync'd. It
// writes nothing, so alone it is rolled back (no fsync). It is not inlined
// into Save so that Save's read-only path keeps its record on the stack
// (a variable the batched closure captured would move to the heap).
func (s *Store) liveOnDisk(key string) (*session.Record, error) {
	var r *session.Record
	err := s.batch("save", func(tx *bolt.Tx, fx *effects) error {
		var err error
		r, err = getLive(bucketsOf(tx), key, s.now())
		if err != nil {
			return err
		}
		return errWroteNothing
	})
	return r, err
}

// applyDelta applies d to r, a record this package owns.
func applyDelta(r *session.Record, d *session.Delta) {
	for _, name := range d.Delete {
		delete(r.Attrs, name)
	}
	if len(d.Set) > 0 && r.Attrs == nil {
		r.Attrs = make(map[string][]byte, len(d.Set))
	}
	for name, v := range d.Set {
		r.Attrs[name] = v // encoded into a fresh buffer before the tx ends
	}
	if d.LastAccess.After(r.LastAccess) { // a late commit never moves it back
		r.LastAccess = d.LastAccess
	}
	if d.IdleTimeout != 0 {
		r.IdleTimeout = d.IdleTimeout
	}
	if d.Principal != nil {
		r.Principal = *d.Principal
	}
}

// replace writes r, encoded as v, over the record stored under r.Key, whose
// principal and expiry were oldPrincipal and oldExpiry, moving only the
// index entries that changed.
func (b buckets) replace(r *session.Record, v []byte, oldPrincipal string, oldExpiry time.Time) error {
	if err := b.sessions.Put([]byte(r.Key), v); err != nil {
		return err
	}
	if r.Principal != oldPrincipal {
		if oldPrincipal != "" {
			if err := b.principals.Delete(principalKey(oldPrincipal, r.Created, r.Key)); err != nil {
				return err
			}
		}
		if r.Principal != "" {
			if err := b.principals.Put(principalKey(r.Principal, r.Created, r.Key), nil); err != nil {
				return err
			}
		}
	}
	if exp := r.Expiry(); !exp.Equal(oldExpiry) {
		if err := b.expiry.Delete(expiryKey(oldExpiry, r.Key)); err != nil {
			return err
		}
		if err := b.expiry.Put(expiryKey(exp, r.Key), nil); err != nil {
			return err
		}
	}
	return nil
}

// Update atomically replaces attribute attr of the live record under key
// with fn's result (nil deletes it) and commits. fn receives a copy of the
// current value. It runs inside the shared write transaction, so it must be
// quick and must not call the Store; it may run more than once. Update
// returns the value written, fn's error unchanged, an error wrapping
// session.ErrNotFound when there is no live record, or one wrapping
// ErrTooLarge, writing nothing, when fn's value would take the record over
// MaxAttrs attributes or beyond what bbolt stores.
func (s *Store) Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	if err := s.check(ctx, "update"); err != nil {
		return nil, err
	}
	var (
		res error
		out []byte
	)
	err := s.batch("update", func(tx *bolt.Tx, fx *effects) error {
		res, out = nil, nil
		b := bucketsOf(tx)
		r, err := getLive(b, key, s.now())
		if err != nil {
			return err
		}
		if r == nil {
			res = fmt.Errorf("boltstore: update %.8s: %w", key, session.ErrNotFound)
			return errWroteNothing
		}
		old, ok := r.Attrs[attr]
		nv, err := callFn(fn, old, ok)
		if err != nil {
			res = err
			return errWroteNothing
		}
		if nv == nil {
			if !ok {
				return errWroteNothing // nothing to delete
			}
			delete(r.Attrs, attr)
		} else {
			if r.Attrs == nil {
				r.Attrs = make(map[string][]byte, 1)
			}
			r.Attrs[attr] = nv
		}
		v, err := encodeChecked("update", r, s.maxValue)
		if err != nil {
			res = err
			return errWroteNothing
		}
		out = nv
		if err := b.replace(r, v, r.Principal, r.Expiry()); err != nil {
			return err
		}
		return fx.setEncoded(key, v)
	})
	if err != nil {
		return nil, err
	}
	if res != nil {
		return nil, res
	}
	return out, nil
}

// Rename moves the live record under oldKey to newKey in one committed
// transaction. It returns an error wrapping session.ErrNotFound when oldKey
// holds no live record and one wrapping session.ErrExists when newKey holds
// one (renaming a key to itself included).
func (s *Store) Rename(ctx context.Context, oldKey, newKey string) error {
	if err := s.check(ctx, "rename"); err != nil {
		return err
	}
	if err := validate("rename", newKey, ""); err != nil {
		return err
	}
	var res error
	err := s.batch("rename", func(tx *bolt.Tx, fx *effects) error {
		res = nil
		b := bucketsOf(tx)
		now := s.now()
		r, err := getLive(b, oldKey, now)
		if err != nil {
			return err
		}
		if r == nil {
			res = fmt.Errorf("boltstore: rename %.8s: %w", oldKey, session.ErrNotFound)
			return errWroteNothing
		}
		taken, err := getLive(b, newKey, now)
		if err != nil {
			return err
		}
		if taken != nil || oldKey == newKey {
			res = fmt.Errorf("boltstore: rename to %.8s: %w", newKey, session.ErrExists)
			return errWroteNothing
		}
		if err := clearExpired(b, newKey); err != nil {
			return err
		}
		if err := b.remove(oldKey, r.Principal, r.Created, r.Expiry()); err != nil {
			return err
		}
		r.Key = newKey
		v := encodeRecord(make([]byte, 0, encodedSize(r)), r)
		if err := b.put(newKey, v, r.Principal, r.Created, r.Expiry()); err != nil {
			return err
		}
		fx.set(oldKey, nil)
		return fx.setEncoded(newKey, v)
	})
	if err != nil {
		return err
	}
	return res
}

// Delete removes the live record under key and commits; found reports
// whether one existed. An expired record is absent to Delete too
// (found=false): it is left for the Sweep that reports it, as every
// expired session is. Deleting an absent or expired key writes nothing; a
// corrupt record is removed (found=false).
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx, "delete"); err != nil {
		return false, err
	}
	present, seen := false, 0
	err := s.view("delete", func(tx *bolt.Tx) error {
		seen = tx.ID()
		present = tx.Bucket(bucketSessions).Get([]byte(key)) != nil
		return nil
	})
	// "Absent" from a commit not yet fsync'd (another write's Delete or
	// Rename) is no answer: after a crash the record may be back. The
	// write transaction below starts after that commit is on disk.
	if err != nil || (!present && int64(seen) <= s.durable.Load()) {
		return false, err
	}
	var found bool
	err = s.batch("delete", func(tx *bolt.Tx, fx *effects) error {
		found = false
		b := bucketsOf(tx)
		v := b.sessions.Get([]byte(key))
		if v == nil {
			return errWroteNothing
		}
		r, err := decodeRecord(key, v)
		if err != nil {
			fx.set(key, nil)
			return b.sessions.Delete([]byte(key))
		}
		if !r.Expiry().After(s.now()) {
			return errWroteNothing // Sweep's to remove and report
		}
		fx.set(key, nil)
		found = true
		return b.remove(key, r.Principal, r.Created, r.Expiry())
	})
	if err != nil {
		return false, err
	}
	return found, nil
}
