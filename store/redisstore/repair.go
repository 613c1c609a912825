package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// repairDue claims this Store's next index repair (see repairIndex) when
// none has run for half the grace by the store's clock (or ever), so that
// a Sweep called at least that often scans every session hash while it
// exists: a hash outlives its session by the grace. It returns the time
// of the repair claimed before, for undoRepair, and whether it claimed one.
func (s *Store) repairDue(now int64) (prev int64, due bool) {
	prev = s.lastRepair.Load()
	if prev != 0 && now-prev < s.grace.Milliseconds()/2 && now >= prev {
		return prev, false
	}
	return prev, s.lastRepair.CompareAndSwap(prev, now)
}

// undoRepair gives a failed repair's claim back, so that the next Sweep
// runs it again.
func (s *Store) undoRepair(prev, now int64) { s.lastRepair.CompareAndSwap(now, prev) }

// repairIndex puts back into the expiry index the session hashes missing
// from it, each scored by its expiry (ZADD LT, a lower bound): a Create or
// Rename whose index update failed for good, or a process that died
// between a script and its index update, leaves such a hash, and without
// an entry no Sweep would report its expiry. It SCANs the hashes as
// Iterate does (every master of a cluster), asks the expiry index about
// each batch with one ZMSCORE, and reads the metadata of the missing ones;
// it keeps nothing across batches, so its memory is one batch's whatever
// the store's size.
// A corrupt hash is left out (Sweep drops its entry). Adding an entry for
// a hash that exists is always safe (rule 2 of indexes.go): a hash gone
// by the time Sweep claims the entry (deleted, reaped by another sweeper)
// makes its reap report nothing, so no session is reported twice; a live
// one is re-scored.
func (s *Store) repairIndex(ctx context.Context) error {
	nodes, err := s.nodes(ctx)
	if err != nil {
		return err
	}
	match := globEscape(s.prefix) + "s:{*"
	// No set of the keys met (unlike Iterate's): it would grow with the
	// store, and a key SCAN returns again (a rehash, a slot moving) costs
	// only its place in a later ZMSCORE, which finds the entry put back.
	for _, n := range nodes {
		var cursor uint64
		for {
			rks, next, err := n.ScanType(ctx, cursor, match, 512, "hash").Result()
			if err != nil {
				return err
			}
			keys := make([]string, 0, len(rks))
			for _, rk := range rks {
				if k, ok := s.keyOf(rk); ok {
					keys = append(keys, k)
				}
			}
			if err := s.repairBatch(ctx, keys); err != nil {
				return err
			}
			if cursor = next; cursor == 0 {
				break
			}
			if err := ctxOK(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// repairBatch is repairIndex for the session keys of one SCAN reply.
func (s *Store) repairBatch(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	// ZMSCORE answers nil for a missing member; go-redis's FloatSliceCmd
	// would read it as 0, so the raw reply is read.
	args := make([]any, 0, 2+len(keys))
	args = append(args, "zmscore", s.expiry)
	for _, k := range keys {
		args = append(args, k)
	}
	scores, err := s.c.Do(ctx, args...).Slice()
	if err != nil {
		return err
	}
	if len(scores) != len(keys) {
		return errors.New("zmscore: reply of the wrong length")
	}
	var missing []string
	for i, sc := range scores {
		if sc == nil {
			missing = append(missing, keys[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sts, _, err := s.readMetas(ctx, missing)
	if err != nil {
		return err
	}
	var zs []redis.Z
	for i, st := range sts {
		if st != nil { // nil: gone since the SCAN, or corrupt
			zs = append(zs, redis.Z{Score: float64(st.expiry()), Member: missing[i]})
		}
	}
	if len(zs) == 0 {
		return nil
	}
	s.log.Warn("redisstore: sweep put sessions missing from the expiry index back", "count", len(zs))
	return s.c.ZAddLT(ctx, s.expiry, zs...).Err()
}
