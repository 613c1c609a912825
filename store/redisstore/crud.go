package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/session"
)

// Create stores r unless a live session holds r.Key (session.ErrExists).
// One round trip for an anonymous session on one server (the script and
// its expiry-index entry pipelined); with a principal, or on a cluster,
// the entries follow in a second; on a cluster a principal's placeholder
// (see preIndex) goes before, in a third.
// A context done before the script is sent gives its error, nothing
// written. When the context ends while the script is being sent or
// answered (it may have run), Create runs it again, detached (see the
// package doc, Retries: the rerun finds its own token): it returns nil,
// the session indexed, when the session exists, ErrExists when the key
// was taken before, and an error wrapping ErrOutcomeUnknown when the
// rerun fails too. An index update that fails once the session is made
// is added again, and if it fails again, Create returns nil all the same,
// with a warning (see the package doc, Key design), unless the
// principal's index may miss the session: it is then deleted again and
// Create returns the error (a session out of the expiry index is put
// back by a later Sweep's index repair, see the package doc). Close waits
// for a Create in flight to end (see Close).
func (s *Store) Create(ctx context.Context, r *session.Record) error {
	// Close waits for the index entries of a session made.
	if !s.hold() {
		return s.check()
	}
	defer s.release()
	if r == nil {
		return errors.New(errPrefix + "create: nil record")
	}
	if err := s.checkRecord(r); err != nil {
		return err
	}
	now := ms(s.now())
	exp := expiryMS(r.LastAccess, r.IdleTimeout, r.Deadline)
	args := append([]any{now, s.ttl(exp, now), newToken(), s.tokenMS}, encodeRecord(r)...)
	hk := s.hashKey(r.Key)
	dl := deadlineMS(r.Deadline)
	pipe := s.c.Pipeline()
	pre := 0
	if s.ordered {
		pre, _ = s.preIndex(ctx, pipe, r.Key, r.Principal, dl, now)
	} else if _, err := s.preIndex(ctx, nil, r.Key, r.Principal, dl, now); err != nil {
		return s.wrap("create: index", err)
	}
	keys := []string{hk, s.tokenKey(r.Key)}
	created := createScript.EvalSha(ctx, pipe, keys, args...)
	// An anonymous session's one entry (a lower bound) is safe to add
	// before knowing the script's result: after it in the same round trip
	// (rule 1 of indexes.go). A principal's entry waits for success, so a
	// failed Create never rescores another session's entry.
	late := !s.ordered || r.Principal != ""
	if !late {
		s.addIndexes(ctx, pipe, r.Key, r.Principal, exp, dl, now)
	}
	if err := ctx.Err(); err != nil {
		// Done before the script is sent: nothing to doubt. preIndex's
		// placeholder, if sent (a cluster), is taken back.
		if !s.ordered {
			s.dropPlaceholder(ctx, r.Key, r.Principal)
		}
		return s.wrap("create", err)
	}
	cmds, _ := pipe.Exec(ctx) // the script's error and the entries' are read apart
	// placed: the principal's index lists the key (preIndex's placeholder
	// ran before on a cluster, first in the pipeline on one server).
	placed := !s.ordered || r.Principal == "" || allOK(cmds[:pre])
	if !late && cmds[len(cmds)-1].Err() != nil {
		// The script's pipelined entry failed: added again below if the
		// session was made.
		late = true
	}
	if isNoScript(created.Err()) {
		created = createScript.Run(ctx, s.c, keys, args...)
		late = true
	}
	if cerr := created.Err(); cerr != nil && ctx.Err() != nil && !isReply(cerr) {
		// The context ended while the script was being sent or answered
		// (a deadline, with ContextTimeoutEnabled): it may have run, and
		// the session exist without its index entries. A rerun is safe
		// (it finds its own token), so it runs, detached, after the
		// placeholder it needs, and tells.
		dctx, cancel := s.detach(ctx)
		defer cancel()
		_, err := s.preIndex(dctx, nil, r.Key, r.Principal, dl, now)
		if err == nil {
			placed = true
			created = createScript.Run(dctx, s.c, keys, args...)
			err, late = created.Err(), true
		}
		if err != nil {
			// The first run may have made the session: not ErrExists.
			return s.wrap("create", fmt.Errorf("%w: %w", ErrOutcomeUnknown, errors.Join(cerr, err)))
		}
	}
	if err := created.Err(); err != nil {
		return s.wrap("create", sentErr(err))
	}
	n, err := created.Int64()
	if err != nil {
		return s.wrap("create", err)
	}
	if n == 0 {
		s.dropPlaceholder(ctx, r.Key, r.Principal)
		return fmt.Errorf(errPrefix+"create %q: %w", r.Key, session.ErrExists)
	}
	if late {
		// The session exists: its entries are added even if ctx is done
		// by now (Sweep could never report a session missing from the
		// expiry index).
		ctx, cancel := s.detach(ctx)
		defer cancel()
		pipe := s.c.Pipeline()
		s.addIndexes(ctx, pipe, r.Key, r.Principal, exp, dl, now)
		if _, err := pipe.Exec(ctx); err != nil {
			_, err = s.unindexed(ctx, "create", r.Key, placed, err)
			return err
		}
	}
	return nil
}

// unindexed handles a session that a Create or Rename made but whose
// index entries failed (err), so that the call reports what Redis holds.
// When its principal's index lists it (placed: preIndex's placeholder, or
// no principal) the session is kept and the call succeeds, with a
// warning: it is out of the expiry index, as after a process dying there
// (see the package doc), until a Sweep's index repair puts it back
// (repairIndex), so that Sweep still reports its expiry. Else "log out
// everywhere" would miss it: it is deleted again (gone reports that it
// was), and the call fails with err (wrapping ErrOutcomeUnknown too if the
// delete's outcome is unknown).
func (s *Store) unindexed(ctx context.Context, op, key string, placed bool, err error) (gone bool, _ error) {
	if placed {
		s.log.Warn("redisstore: session made without all its index entries; a later Sweep's index repair adds its expiry entry", "op", op, "key", key, "err", err)
		return false, nil
	}
	if derr := runOnce(ctx, s.c, deleteScript, s.hashKey(key), ms(s.now())).Err(); derr != nil {
		return false, s.wrap(op+": index", fmt.Errorf("%w; deleting the session again: %w", err, derr))
	}
	return true, s.wrap(op+": index", err)
}

// Load returns the live session under key with one HGETALL; the expiry
// check is done here, by the store's clock.
func (s *Store) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	if err := s.check(); err != nil {
		return nil, false, err
	}
	h, err := s.c.HGetAll(ctx, s.hashKey(key)).Result()
	if err != nil {
		return nil, false, s.wrap("load", err)
	}
	if len(h) == 0 {
		return nil, false, nil
	}
	st, err := decodeHash(key, h)
	if err != nil {
		return nil, false, s.wrap("load", err)
	}
	if !st.live(ms(s.now())) {
		return nil, false, nil
	}
	if st.rec.Attrs == nil {
		st.rec.Attrs = map[string][]byte{}
	}
	return &st.rec, true, nil
}

// Save applies d to the live session under key with one EVALSHA: only the
// attributes in d are written. It returns session.ErrNotFound when the
// session is not live. A delta whose idle timeout leaves the session
// expired is written and returns nil, also when go-redis resent it after
// a lost reply (see saveScript). A change of principal also updates the principal
// indexes (the new one before, the old one after the script). A context
// done before the script is sent gives its error, nothing written; when
// it ends while the script is being sent or answered (it may have run,
// its index work not done), Save runs it again, detached, as Create does,
// and returns the rerun's outcome (an error wrapping ErrOutcomeUnknown,
// not ErrNotFound, if the session is gone by then or the rerun fails).
// A write made whose index update fails returns nil all the same, with a
// warning to Options.Logger: the new principal's placeholder lists the
// session, but only as long as that principal's index set lives (its TTL
// may end before the session's deadline, not known before the script);
// an expiry-index entry left later than a shortened expiry delays Sweep's
// report, and loses it when the session expired more than Options.Grace
// before the entry's score (Redis has dropped the hash by then). Close
// waits for a Save in flight that changes the principal or the idle
// timeout (see Close).
func (s *Store) Save(ctx context.Context, key string, d session.Delta) error {
	if err := s.check(); err != nil {
		return err
	}
	now := ms(s.now())
	args := make([]any, 7, 7+2*len(d.Set)+len(d.Delete))
	args[0], args[1], args[2], args[3], args[4], args[5] = now, s.graceMS, "", "", "0", ""
	if !d.LastAccess.IsZero() {
		args[2] = ms(d.LastAccess)
	}
	if d.IdleTimeout != 0 {
		args[3] = d.IdleTimeout.Milliseconds()
	}
	if d.Principal != nil {
		args[4], args[5] = "1", *d.Principal
	}
	args[6] = len(d.Set)
	for k, v := range d.Set {
		if len(k)+len(attrPrefix) > s.maxArg || len(v) > s.maxArg {
			return s.attrTooLarge("save", key, k, v)
		}
		args = append(args, attrPrefix+k, v)
	}
	for _, k := range d.Delete {
		if len(k)+len(attrPrefix) > s.maxArg {
			return s.attrTooLarge("save", key, k, nil)
		}
		args = append(args, attrPrefix+k)
	}
	if err := s.checkKeys("save", key, d.Principal); err != nil {
		return err
	}
	if d.Principal != nil || d.IdleTimeout != 0 {
		// Index work may follow the script (never on the commonest
		// Saves, a touch or attributes alone): Close waits for it.
		if !s.hold() {
			return s.check()
		}
		defer s.release()
	}
	if d.Principal != nil {
		// The deadline is not known before the script: the placeholder
		// lives as long as the set.
		if _, err := s.preIndex(ctx, nil, key, *d.Principal, 0, 0); err != nil {
			return s.wrap("save: index", err)
		}
	}
	keys := []string{s.hashKey(key)}
	if d.IdleTimeout != 0 {
		// A shorter idle timeout may leave the session expired: the
		// script then keeps a token for its rerun (see saveScript).
		keys = append(keys, s.tokenKey(key))
		args = append(args, newToken(), s.tokenMS)
	}
	if err := ctx.Err(); err != nil {
		// Done before the script is sent: nothing to doubt, and no
		// rerun below for a write the caller gave up before it began.
		if d.Principal != nil {
			s.dropPlaceholder(ctx, key, *d.Principal)
		}
		return s.wrap("save", err)
	}
	res, err := saveScript.Run(ctx, s.c, keys, args...).Result()
	rerun := false
	if err != nil && ctx.Err() != nil && !isReply(err) {
		// The context ended while the script was being sent or answered
		// (a deadline, with ContextTimeoutEnabled): it may have run, and
		// its index entries, if any, not be updated. A rerun is safe (see
		// saveScript), so it runs, detached, and tells.
		dctx, cancel := s.detach(ctx)
		defer cancel()
		var rerr error
		if res, rerr = saveScript.Run(dctx, s.c, keys, args...).Result(); rerr != nil {
			return s.wrap("save", fmt.Errorf("%w: %w", ErrOutcomeUnknown, errors.Join(err, rerr)))
		}
		err, rerun = nil, true
	}
	if err != nil {
		return s.wrap("save", sentErr(err))
	}
	if n, isInt := res.(int64); isInt {
		if n == 1 {
			return nil // the common case: one round trip, no index to change
		}
		if d.Principal != nil {
			s.dropPlaceholder(ctx, key, *d.Principal)
		}
		if rerun {
			// The first run may have written before the session went:
			// not ErrNotFound, which says nothing was.
			return fmt.Errorf(errPrefix+"save %q: %w: the session is gone", key, ErrOutcomeUnknown)
		}
		return fmt.Errorf(errPrefix+"save %q: %w", key, session.ErrNotFound)
	}
	r, isSlice := res.([]any)
	if !isSlice || len(r) != 4 || r[0] != int64(1) {
		return fmt.Errorf(errPrefix+"save %q: unexpected reply %v", key, res)
	}
	exp, _ := r[1].(int64)
	deadline, _ := r[2].(int64)
	oldExp, _ := r[3].(int64)
	moved := d.Principal != nil && *d.Principal != ""
	// The write is applied: its index entries are too, even if ctx is
	// done by now (an expiry-index entry left later than the expiry would
	// delay, or lose, the session's report by Sweep).
	ctx, cancel := s.detach(ctx)
	defer cancel()
	// The new principal's entry gets its real score (preIndex put +inf).
	// The old principal's entry stays: ByPrincipal filters and prunes it,
	// and its score and the set's TTL bound its life.
	pipe := s.c.Pipeline()
	if moved {
		s.addPrincipal(ctx, pipe, key, *d.Principal, deadline, now)
	}
	// A retried script (see saveScript) replies exp == oldExp: the expiry
	// moved in the first run, whose reply was lost.
	if exp < oldExp || (d.IdleTimeout != 0 && exp == oldExp) {
		pipe.ZAddLT(ctx, s.expiry, redis.Z{Score: float64(exp), Member: key})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		// The write is made: so says Save. The new principal's
		// placeholder lists the session (as long as the set lives); an
		// expiry-index entry left later than the expiry delays Sweep's
		// report, or loses it (past the grace).
		s.log.Warn("redisstore: session written without all its index entries", "op", "save", "key", key, "err", err)
	}
	return nil
}

// Update atomically replaces one attribute: it reads the value (HMGET),
// calls fn, and writes the result with a script that checks the value is
// still the one read (sent back with the write, so a value read that is
// longer than Redis accepts in one argument is refused, ErrTooLarge,
// before fn runs), retrying fn on conflict. When the reply to that
// script is lost the write is not resent (it could apply fn twice): Update
// returns an error wrapping ErrOutcomeUnknown, and the value is either the
// old one or fn's, applied once.
func (s *Store) Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := s.checkKeys("update", key, nil); err != nil {
		return nil, err
	}
	if len(attr)+len(attrPrefix) > s.maxArg {
		return nil, s.attrTooLarge("update", key, attr, nil)
	}
	hk := s.hashKey(key)
	field := attrPrefix + attr
	fields := append(slices.Clone(metaFields), field)
	for attempt := 0; ; attempt++ {
		if attempt > 2 {
			// Back off a little under heavy contention.
			d := time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(200*time.Microsecond)))
			select {
			case <-ctx.Done():
				return nil, s.wrap("update", ctx.Err())
			case <-time.After(d):
			}
		}
		vals, err := s.hmget(ctx, s.c, hk, fields...).vals()
		if err != nil {
			return nil, s.wrap("update", err)
		}
		now := ms(s.now())
		st, ok, err := decodeMeta(key, vals[:len(metaFields)])
		if err != nil {
			return nil, s.wrap("update", err)
		}
		if !ok || !st.live(now) {
			return nil, fmt.Errorf(errPrefix+"update %q: %w", key, session.ErrNotFound)
		}
		var old []byte
		had, cur := "0", ""
		if v, isStr := vals[len(metaFields)].(string); isStr {
			if len(v) > s.maxArg {
				// Sent back with the write, it would be refused
				// (written under a higher limit, or by another client).
				return nil, s.argTooLarge("update", key, fmt.Sprintf("value of attribute %.32q", attr), len(v))
			}
			old, had, cur = []byte(v), "1", v
		}
		nv, err := fn(old, had == "1")
		if err != nil {
			return nil, err
		}
		if len(nv) > s.maxArg {
			return nil, s.attrTooLarge("update", key, attr, nv)
		}
		op := "1"
		if nv == nil {
			op = "0"
		}
		// Never resent: a rerun would see its own write as a conflict.
		n, err := runOnce(ctx, s.c, casScript, hk, now, field, had, op, nv, cur).Int64()
		if err != nil {
			return nil, s.wrap("update", err)
		}
		switch n {
		case 1:
			return nv, nil
		case 0:
			return nil, fmt.Errorf(errPrefix+"update %q: %w", key, session.ErrNotFound)
		}
		if err := ctxOK(ctx); err != nil {
			return nil, err
		}
	}
}

// Delete removes the live session under key. An expired session is left
// for Sweep to report, and Delete returns false for it. When the reply is
// lost Delete returns an error wrapping ErrOutcomeUnknown: the session may
// be gone, its index entries left to be pruned. A session deleted whose
// index entries could not be removed is reported deleted (true, nil),
// with a warning to Options.Logger: ByPrincipal and Sweep prune them.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	res, err := runOnce(ctx, s.c, deleteScript, s.hashKey(key), ms(s.now())).Slice()
	if err != nil {
		return false, s.wrap("delete", err)
	}
	if len(res) != 2 || res[0] != int64(1) {
		return false, nil
	}
	entries := []indexEntry{{set: s.expiry, member: key}}
	if p, _ := res[1].(string); p != "" {
		entries = append(entries, indexEntry{set: s.principalKey(p), member: key, principal: p})
	}
	// The session is gone: its entries go too, even if ctx is done by now.
	ctx, cancel := s.detach(ctx)
	defer cancel()
	if err := s.removeVerified(ctx, entries); err != nil {
		// The session is gone: so says Delete. Its entries left are
		// pruned by ByPrincipal and Sweep.
		s.log.Warn("redisstore: session deleted, but not all its index entries", "key", key, "err", err)
	}
	return true, nil
}

// newToken returns a token unique to one call of a script, with which a
// rerun of that call recognises its own write (createScript, markScript).
// 64 random bits: two calls on the same key never share one.
func newToken() string { return strconv.FormatUint(rand.Uint64(), 36) }
