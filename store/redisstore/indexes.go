package redisstore

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// The two indexes live in other cluster slots than the session hashes, so
// no script can update them together with a hash. Two rules keep them
// right without cross-slot atomicity:
//
//  1. A writer that makes a hash live or names a principal in it adds the
//     index entries after its script has run (addIndexes).
//  2. Whoever removes an entry re-reads the hash after the removal and puts
//     the entry back if the hash still needs it (removeVerified).
//
// Whatever the interleaving, a live hash then ends up with its entries: an
// adder after a remover leaves the entry; a remover after an adder sees the
// adder's hash on its re-read.

// indexEntry names one index entry: member in the sorted set set.
type indexEntry struct {
	set    string // the sorted set's key
	member string // the session key
	// principal is the principal whose index set is; "" for the expiry
	// index.
	principal string
}

// addIndexes queues the index entries of a session: the expiry index (a
// lower bound, ZADD LT) and the principal's index (an upper bound, ZADD GT)
// whose key lives until its latest deadline plus the grace.
func (s *Store) addIndexes(ctx context.Context, pipe redis.Pipeliner, key, principal string, exp, deadline, now int64) {
	pipe.ZAddLT(ctx, s.expiry, redis.Z{Score: float64(exp), Member: key})
	if principal != "" {
		s.addPrincipal(ctx, pipe, key, principal, deadline, now)
	}
}

// addPrincipal queues key's entry in principal's index. The score only
// ever grows (GT) but from +inf, the placeholder of preIndex.
func (s *Store) addPrincipal(ctx context.Context, pipe redis.Pipeliner, key, principal string, deadline, now int64) {
	pk := s.principalKey(principal)
	pipe.ZAddGT(ctx, pk, redis.Z{Score: deadlineScore(deadline), Member: key})
	if deadline != 0 {
		// Lower a +inf placeholder to the deadline.
		pipe.ZAddLT(ctx, pk, redis.Z{Score: deadlineScore(deadline), Member: key})
	}
	if deadline == 0 {
		// A session without a deadline may live forever: so does the set.
		pipe.Persist(ctx, pk)
		return
	}
	ttl := s.ttl(deadline, now)
	// NX sets a TTL on a new set; GT only ever extends it. A set that has
	// no TTL (a member without deadline) keeps none.
	pipe.Do(ctx, "PEXPIRE", pk, ttl, "NX")
	pipe.Do(ctx, "PEXPIRE", pk, ttl, "GT")
}

// preIndex adds key to principal's index before a script names the
// principal in the hash, with a +inf placeholder score, so that a process
// dying between the script and addIndexes never leaves a session its
// principal's index misses ("log out everywhere" must see it). With pipe
// nil it runs at once (one round trip), else it is queued (in an ordered
// pipeline, before the script), and it returns how many commands it
// queued. An entry whose script then writes nothing (ErrNotFound,
// ErrExists) is taken back (dropPlaceholder); one whose script fails is
// pruned by ByPrincipal.
//
// deadline is the session's deadline (Unix ms), 0 when it has none or is
// not known yet (Save). When known, the set's TTL is extended to cover it
// (PEXPIRE GT, as addPrincipal does), so that the placeholder lists the
// session for as long as it lives even when addIndexes never runs: in a
// set made by older sessions, it would go with their TTL. GT leaves a set
// without a TTL (one preIndex made, or one listing a session without a
// deadline) without one. With deadline 0 the placeholder lives as long as
// the set.
func (s *Store) preIndex(ctx context.Context, pipe redis.Pipeliner, key, principal string, deadline, now int64) (int, error) {
	if principal == "" {
		return 0, nil
	}
	pk := s.principalKey(principal)
	z := redis.Z{Score: inf, Member: key}
	if pipe == nil && deadline == 0 {
		return 1, s.c.ZAdd(ctx, pk, z).Err()
	}
	at := pipe == nil
	if at {
		pipe = s.c.Pipeline() // one key: one node, one round trip
	}
	pipe.ZAdd(ctx, pk, z)
	n := 1
	if deadline != 0 {
		pipe.Do(ctx, "PEXPIRE", pk, s.ttl(deadline, now), "GT")
		n++
	}
	if at {
		_, err := pipe.Exec(ctx)
		return n, err
	}
	return n, nil
}

// allOK reports whether every command of cmds succeeded.
func allOK(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if c.Err() != nil {
			return false
		}
	}
	return true
}

// dropPlaceholder takes back preIndex's entry of key in principal's index
// after a script that wrote nothing (the session was missing, or the key
// taken): left, it would stay at +inf, in a set without a TTL when preIndex
// made the set, or re-score the entry of the live session holding the key.
// removeVerified keeps the entry when the hash names the principal. It
// runs even when ctx is done (detached): the placeholder was sent. Best
// effort: on error the entry is left for ByPrincipal to prune.
func (s *Store) dropPlaceholder(ctx context.Context, key, principal string) {
	if principal == "" {
		return
	}
	ctx, cancel := s.detach(ctx)
	defer cancel()
	_ = s.removeVerified(ctx, []indexEntry{{set: s.principalKey(principal), member: key, principal: principal}})
}

// removeVerified removes entries, then re-reads their hashes and restores
// the entries a hash still needs (rule 2): an existing hash keeps its
// expiry-index entry, a live hash naming the principal its principal entry.
func (s *Store) removeVerified(ctx context.Context, entries []indexEntry) error {
	if len(entries) == 0 {
		return nil
	}
	// Once an entry is removed, the re-read and the put-back must run:
	// they do even if ctx is done meanwhile (rule 2 would fail otherwise).
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := s.detach(ctx)
	defer cancel()
	pipe := s.c.Pipeline()
	for _, e := range entries {
		pipe.ZRem(ctx, e.set, e.member)
	}
	if !s.ordered {
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		pipe = s.c.Pipeline()
	}
	// Read from the master: a replica that has not seen a write yet would
	// let a live session's entry go.
	reads := make([]hmgetCmd, len(entries))
	for i, e := range entries {
		reads[i] = s.hmget(ctx, pipe, s.hashKey(e.member), metaFields...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	now := ms(s.now())
	pipe = s.c.Pipeline()
	n := 0
	for i, e := range entries {
		vals, _ := reads[i].vals()
		st, ok, err := decodeMeta(e.member, vals)
		if err != nil || !ok {
			continue
		}
		switch {
		case e.principal == "":
			pipe.ZAddLT(ctx, s.expiry, redis.Z{Score: float64(st.expiry()), Member: e.member})
			n++
		case st.rec.Principal == e.principal && st.expiry() > now:
			s.addPrincipal(ctx, pipe, e.member, e.principal, deadlineMS(st.rec.Deadline), now)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	_, err := pipe.Exec(ctx)
	return err
}

// nowArg formats a Unix ms time as a sorted-set bound.
func nowArg(now int64) string { return strconv.FormatInt(now, 10) }
