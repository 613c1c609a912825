package redisstore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/session"
)

// readMetas reads the metadata of keys with one pipelined HMGET each (split
// by node in a cluster). A nil entry means the hash does not exist.
func (s *Store) readMetas(ctx context.Context, keys []string) ([]*stored, []error, error) {
	pipe := s.c.Pipeline()
	cmds := make([]*redis.SliceCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.HMGet(ctx, s.hashKey(k), metaFields...)
	}
	if len(keys) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	out := make([]*stored, len(keys))
	errs := make([]error, len(keys))
	for i, c := range cmds {
		st, ok, err := decodeMeta(keys[i], c.Val())
		switch {
		case err != nil:
			errs[i] = err
		case ok:
			out[i] = st
		}
	}
	return out, errs, nil
}

// ByPrincipal lists the live sessions of principal, oldest first. It prunes
// the index on the way: entries past their deadline (ZREMRANGEBYSCORE) and
// entries whose session is gone, expired or no longer the principal's.
func (s *Store) ByPrincipal(ctx context.Context, principal string) ([]session.Meta, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	now := ms(s.now())
	pk := s.principalKey(principal)
	pipe := s.c.Pipeline()
	pipe.ZRemRangeByScore(ctx, pk, "-inf", nowArg(now))
	members := pipe.ZRange(ctx, pk, 0, -1)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, s.wrap("by principal", err)
	}
	keys := members.Val()
	sts, errs, err := s.readMetas(ctx, keys)
	if err != nil {
		return nil, s.wrap("by principal", err)
	}
	var out []session.Meta
	var stale []indexEntry
	for i, st := range sts {
		switch {
		case errs[i] != nil:
			s.log.Warn("redisstore: skipping corrupt session", "key", keys[i], "err", errs[i])
		case st != nil && st.rec.Principal == principal && st.live(now):
			out = append(out, st.meta())
		case st != nil && st.moving && st.rec.Principal == principal && st.expiry() > now:
			// Being renamed: the new key is indexed already; keep the entry
			// until the rename finishes.
		default:
			stale = append(stale, indexEntry{set: pk, member: keys[i], principal: principal})
		}
	}
	if len(stale) > 0 {
		if err := s.removeVerified(ctx, stale); err != nil {
			return nil, s.wrap("by principal: prune", err)
		}
	}
	slices.SortFunc(out, func(a, b session.Meta) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// Iterate calls fn with the metadata of every live session, reading them
// with SCAN (never KEYS) on every master of a cluster, until fn returns
// false. A session created or deleted meanwhile may or may not be seen; on
// a cluster whose slots move meanwhile (resharding, failover), so may one
// whose slot moves from a master not scanned yet to one already scanned.
//
// Each key SCAN returns is remembered (see seenKeys: 32 bytes per canonical
// key), across all the masters of a cluster, so that a key SCAN returns
// twice, or finds on two masters while its slot migrates, is reported once.
func (s *Store) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	return s.iterate(ctx, fn, newSeenKeys())
}

// iterate is Iterate with the set of seen keys given, so that a test can
// measure another one.
func (s *Store) iterate(ctx context.Context, fn func(session.Meta) bool, seen keySet) error {
	if err := s.check(); err != nil {
		return err
	}
	nodes, err := s.nodes(ctx)
	if err != nil {
		return s.wrap("iterate", err)
	}
	match := globEscape(s.prefix) + "s:{*"
	for _, n := range nodes {
		var cursor uint64
		for {
			rks, next, err := n.ScanType(ctx, cursor, match, 512, "hash").Result()
			if err != nil {
				return s.wrap("iterate", err)
			}
			keys := make([]string, 0, len(rks))
			for _, rk := range rks {
				if k, ok := s.keyOf(rk); ok && seen.add(k) {
					keys = append(keys, k)
				}
			}
			sts, errs, err := s.readMetas(ctx, keys)
			if err != nil {
				return s.wrap("iterate", err)
			}
			now := ms(s.now())
			for i, st := range sts {
				if errs[i] != nil {
					s.log.Warn("redisstore: skipping corrupt session", "key", keys[i], "err", errs[i])
					continue
				}
				if st != nil && st.live(now) && !fn(st.meta()) {
					return nil
				}
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
	}
	return nil
}

// nodes returns the clients to SCAN: every master of a cluster, every shard
// of a ring, else the client itself.
func (s *Store) nodes(ctx context.Context) ([]redis.Cmdable, error) {
	var (
		mu  sync.Mutex
		out []redis.Cmdable
	)
	collect := func(_ context.Context, c *redis.Client) error {
		mu.Lock()
		out = append(out, c)
		mu.Unlock()
		return nil
	}
	switch c := s.c.(type) {
	case *redis.ClusterClient:
		if err := c.ForEachMaster(ctx, collect); err != nil {
			return nil, err
		}
	case *redis.Ring:
		if err := c.ForEachShard(ctx, collect); err != nil {
			return nil, err
		}
	default:
		out = append(out, s.c)
	}
	return out, nil
}

// Sweep removes the sessions that have expired by the store's clock and
// returns their metadata. The expiry index lists every session with a score
// no later than its expiry; Sweep reads the entries due by now, re-scores
// the ones still alive and claims the expired ones with ZREM: only the one
// caller whose ZREM removed the entry reports and deletes the session, so
// concurrent sweeps, in any number of processes, report each session once.
// A session Redis evicted before any sweep saw it (past Options.Grace) is
// pruned from the index without a report: its metadata is gone.
//
// On its first call, and then at most once every Options.Grace/2 by the
// store's clock, Sweep first repairs the expiry index: it SCANs the
// session hashes and puts back the entries the index misses (see the
// package doc, Key design), so that a session left out of it (an index
// update that failed, a process that died) is still reported. A failed
// repair is returned, joined with the sweep's error, after the sweep, and
// run again by the next Sweep, unless ctx ended it (the next is then half
// a grace later, so that a ctx too short for a repair still sweeps).
//
// A reap whose reply is lost is resent by go-redis and recognised by its
// token (see the package doc, Retries): the session is reported. When every
// resend fails, Sweep returns, with the sessions it did report, the error,
// wrapping ErrOutcomeUnknown when the reap may have run. The entry goes
// back into the expiry index, so a session whose reap did not run is
// reported by a later Sweep; one whose reap did run is never reported.
func (s *Store) Sweep(ctx context.Context) ([]session.Meta, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	now := ms(s.now())
	// The index repair goes first, so that this Sweep reports the expired
	// sessions it puts back. Its failure does not stop the sweep: it is
	// returned after it, and the next Sweep repairs again, unless ctx
	// ended it: a caller's deadline shorter than a repair would otherwise
	// make every later Sweep repair, run out of time and sweep nothing.
	var repairErr error
	if prev, due := s.repairDue(now); due {
		if err := s.repairIndex(ctx); err != nil {
			if ctx.Err() == nil {
				s.undoRepair(prev, now)
			}
			repairErr = s.wrap("sweep: index repair", err)
		}
	}
	out, err := s.sweep(ctx, now)
	if repairErr != nil {
		return out, errors.Join(err, repairErr)
	}
	return out, err
}

// sweep is Sweep after the index repair.
func (s *Store) sweep(ctx context.Context, now int64) ([]session.Meta, error) {
	var out []session.Meta
	for {
		due, err := s.c.ZRangeByScore(ctx, s.expiry, &redis.ZRangeBy{
			Min: "-inf", Max: nowArg(now), Count: int64(s.batch),
		}).Result()
		if err != nil {
			return out, s.wrap("sweep", err)
		}
		if len(due) == 0 {
			return out, nil
		}
		metas, err := s.sweepBatch(ctx, due, now)
		out = append(out, metas...)
		if err != nil {
			return out, err
		}
		if err := ctxOK(ctx); err != nil {
			return out, err
		}
	}
}

// reapKeys returns the keys of reapScript for the session key.
func (s *Store) reapKeys(key string) []string { return []string{s.hashKey(key), s.tokenKey(key)} }

// sweepBatch handles one batch of due expiry-index entries.
func (s *Store) sweepBatch(ctx context.Context, due []string, now int64) ([]session.Meta, error) {
	sts, errs, err := s.readMetas(ctx, due)
	if err != nil {
		return nil, s.wrap("sweep", err)
	}
	// Re-score the live, claim the rest (ZREM's reply says who won). A
	// resent ZREM would answer 0 for an entry the lost first run removed,
	// as if another sweeper had won, and nobody would reap and report the
	// session: the claims are never resent (noRetryIntCmd).
	// From the claims to the reaps and put-backs, Close waits before it
	// closes the store's own client.
	if !s.hold() {
		return nil, s.check()
	}
	defer s.release()
	pipe := s.c.Pipeline()
	claims := make([]*redis.IntCmd, len(due))
	var claimed []redis.Z
	for i, st := range sts {
		if errs[i] == nil && st != nil && st.expiry() > now {
			pipe.ZAddXX(ctx, s.expiry, redis.Z{Score: float64(st.expiry()), Member: due[i]})
			continue
		}
		claims[i] = redis.NewIntCmd(ctx, "zrem", s.expiry, due[i])
		_ = pipe.Process(ctx, noRetryIntCmd{claims[i]})
		claimed = append(claimed, redis.Z{Score: float64(now), Member: due[i]})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		// Whether the claims ran is unknown: put the entries back (a
		// lower bound, ZADD LT), so that a later Sweep claims them. An
		// entry another sweeper won meanwhile is then claimed again, and
		// its reap finds the hash gone, reporting nothing twice.
		if len(claimed) > 0 {
			ctx, cancel := s.detach(ctx)
			defer cancel()
			if perr := s.c.ZAddLT(ctx, s.expiry, claimed...).Err(); perr != nil {
				err = errors.Join(err, perr)
			}
		}
		return nil, s.wrap("sweep: claim", err)
	}
	// The claims are ours alone: the reaps (and the put-backs) run even if
	// ctx is done by now, or the claimed sessions would go unreported, out
	// of the index. Sweep returns ctx's error after this batch.
	ctx, cancel := s.detach(ctx)
	defer cancel()
	// Delete what we won; a session found alive (created again, or revived
	// by a writer with a slower clock) goes back into the index. go-redis
	// may resend a reap whose reply was lost: its token (see reapScript)
	// makes the rerun report the deletion again.
	pipe = s.c.Pipeline()
	reaps := make([]*redis.Cmd, len(due))
	args := make([][]any, len(due))
	won := make([]int, 0, len(due))
	for i, c := range claims {
		if c == nil || c.Val() != 1 {
			continue
		}
		won = append(won, i)
		args[i] = []any{now, newToken(), s.tokenMS}
		reaps[i] = reapScript.EvalSha(ctx, pipe, s.reapKeys(due[i]), args[i]...)
	}
	if len(won) == 0 {
		return nil, nil
	}
	_, _ = pipe.Exec(ctx) // errors are read per command below
	var (
		out      []session.Meta
		revived  []redis.Z
		unindex  []indexEntry
		firstErr error
	)
	for _, i := range won {
		c := reaps[i]
		if isNoScript(c.Err()) {
			c = reapScript.Run(ctx, s.c, s.reapKeys(due[i]), args[i]...)
		}
		outcome(c)
		n, err := c.Int64()
		if err != nil {
			// Every resend failed: the reap may have run or not. Put the
			// entry back (a lower bound, ZADD LT), so that a reap that did
			// not run is done, and reported, by a later Sweep; one that did
			// run goes unreported (see Sweep).
			revived = append(revived, redis.Z{Score: float64(now), Member: due[i]})
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		switch n {
		case 1:
			st := sts[i]
			if st == nil || errs[i] != nil {
				// Expired after our read (a moving hash, or a corrupt
				// one): report what we know.
				st = &stored{rec: session.Record{Key: due[i]}}
			}
			if errs[i] != nil {
				s.log.Warn("redisstore: dropping corrupt session from the expiry index", "key", due[i], "err", errs[i])
			}
			out = append(out, st.meta())
			if p := st.rec.Principal; p != "" {
				unindex = append(unindex, indexEntry{set: s.principalKey(p), member: due[i], principal: p})
			}
		case 2:
			// Alive at now: its expiry is after now, so now+1 is a lower
			// bound, and one this Sweep does not read again (at now it
			// would, and spin on a hash it reads as expired and the
			// script as alive).
			revived = append(revived, redis.Z{Score: float64(now + 1), Member: due[i]})
		case 3:
			// Corrupt: its entry is dropped (claimed above), the hash left
			// to Redis's TTL. Put back, it would fail every later Sweep.
			// Warned of here, once dropped, not at the claim: a reap may
			// find alive (2) a hash read as corrupt, and put it back.
			if errs[i] != nil {
				s.log.Warn("redisstore: dropping corrupt session from the expiry index", "key", due[i], "err", errs[i])
			} else {
				s.log.Warn("redisstore: dropping corrupt session from the expiry index", "key", due[i])
			}
		}
	}
	pipe = s.c.Pipeline()
	if len(revived) > 0 {
		pipe.ZAddLT(ctx, s.expiry, revived...)
	}
	seen := make(map[string]bool)
	for _, e := range unindex {
		if !seen[e.set] {
			seen[e.set] = true
			pipe.ZRemRangeByScore(ctx, e.set, "-inf", nowArg(now))
		}
	}
	if len(revived)+len(seen) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			firstErr = cmp.Or(firstErr, err)
		}
	}
	if err := s.removeVerified(ctx, unindex); err != nil {
		firstErr = cmp.Or(firstErr, err)
	}
	if firstErr != nil {
		return out, s.wrap("sweep: reap", firstErr)
	}
	return out, nil
}
