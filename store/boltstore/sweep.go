package boltstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
)

// sweepChunk is the most expired sessions one Sweep transaction removes;
// Sweep commits chunk after chunk until none is left.
const sweepChunk = 1000

// Sweep removes every expired record and returns its metadata. It walks the
// expiry index from its start up to the store's now, so its cost follows the
// number of expired sessions, not the store's size. Write transactions are
// serialised, so each expired record is removed, and reported, by exactly
// one Sweep. Every chunk removed is committed before Sweep returns; on an
// error, the sessions of the chunks already committed are returned with it.
// A chunk whose commit fails with ErrOutcomeUnknown is not returned: its
// sessions, removed or not, are never reported (as store/redisstore's
// Sweep does not report a reap whose outcome is unknown).
func (s *Store) Sweep(ctx context.Context) ([]session.Meta, error) {
	if err := s.check(ctx, "sweep"); err != nil {
		return nil, err
	}
	// A read-only look first: a sweep that finds nothing writes nothing.
	due, seen := false, 0
	err := s.view("sweep", func(tx *bolt.Tx) error {
		seen = tx.ID()
		k, _ := tx.Bucket(bucketExpiry).Cursor().First()
		// A key too short to hold a time is junk that Sweep removes.
		due = k != nil && (len(k) < 8 || bytes.Compare(k[:8], timeKey(nil, s.now())) <= 0)
		return nil
	})
	// "Nothing due" from a commit not yet fsync'd (another Sweep's or a
	// Delete's) is no answer: the write transaction below, which starts
	// after that commit is on disk, looks again (and, finding nothing,
	// rolls back: no fsync).
	if err != nil || (!due && int64(seen) <= s.durable.Load()) {
		return nil, err
	}
	var out []session.Meta
	for {
		var (
			got     []session.Meta
			more    bool
			corrupt []skipped // removed, to log once committed
		)
		err := s.batch("sweep", func(tx *bolt.Tx, fx *effects) error {
			got, more, corrupt = got[:0], false, corrupt[:0]
			b := bucketsOf(tx)
			limit := timeKey(nil, s.now())
			// Collect first: the cursor must not walk a bucket being changed.
			var entries [][]byte
			c := b.expiry.Cursor()
			// A key too short to hold a time is junk, collected to be
			// dropped: stopping at it would end every Sweep there.
			for k, _ := c.First(); k != nil && (len(k) < 8 || bytes.Compare(k[:8], limit) <= 0); k, _ = c.Next() {
				if len(entries) == sweepChunk {
					more = true
					break
				}
				entries = append(entries, bytes.Clone(k))
			}
			if len(entries) == 0 {
				return errWroteNothing // another Sweep took them
			}
			for _, e := range entries {
				if len(e) < 8 {
					if err := b.expiry.Delete(e); err != nil {
						return err
					}
					continue
				}
				key := string(e[8:])
				v := b.sessions.Get(e[8:])
				if v == nil {
					if err := b.expiry.Delete(e); err != nil { // stale entry
						return err
					}
					continue
				}
				r, err := decodeRecord(key, v)
				if err != nil || !bytes.Equal(timeKey(nil, r.Expiry()), e[:8]) {
					// Corrupt record, or an entry left behind: drop the
					// entry; a live record has its own.
					if err := b.expiry.Delete(e); err != nil {
						return err
					}
					if r == nil {
						if err := b.sessions.Delete(e[8:]); err != nil {
							return err
						}
						fx.set(key, nil)
						corrupt = append(corrupt, skipped{key, err})
					}
					continue
				}
				fx.set(key, nil)
				if err := b.remove(key, r.Principal, r.Created, r.Expiry()); err != nil {
					return err
				}
				got = append(got, session.Meta{
					Key: key, Principal: r.Principal, Created: r.Created,
					LastAccess: r.LastAccess, Expiry: r.Expiry(), Size: attrSize(r.Attrs),
				})
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		s.warnCorrupt("removed corrupt session", corrupt)
		out = append(out, got...)
		if !more {
			return out, nil
		}
		if err := s.check(ctx, "sweep"); err != nil {
			return out, err
		}
	}
}

// attrSize returns the total length of the attribute values.
func attrSize(attrs map[string][]byte) int {
	n := 0
	for _, v := range attrs {
		n += len(v)
	}
	return n
}
