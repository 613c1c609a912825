package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/httpstate/httpstate/session"
)

// Rename moves the live session under oldKey to newKey (see the package
// documentation for the three steps and why). After it returns oldKey is
// absent; it returns session.ErrNotFound when oldKey is not live and
// session.ErrExists, leaving both sessions as they were, when newKey is
// taken. Close waits for a Rename in flight to end (see Close).
func (s *Store) Rename(ctx context.Context, oldKey, newKey string) error {
	// Close waits for the steps to end before it closes the client.
	if !s.hold() {
		return s.check()
	}
	defer s.release()
	now := ms(s.now())
	ohk, nhk := s.hashKey(oldKey), s.hashKey(newKey)
	// Step 1: mark the old hash; from now on it is absent and refuses writes.
	// The mark is unique to this call, so that a retried markScript knows
	// its own mark and finish removes only it.
	mark := nhk + " " + newToken()
	flat, err := run(ctx, s.c, markScript, ohk, now, mark).StringSlice()
	if err != nil {
		return s.wrap("rename", err)
	}
	if len(flat) == 0 {
		return fmt.Errorf(errPrefix+"rename %q: %w", oldKey, session.ErrNotFound)
	}
	if len(flat)%2 != 0 {
		return fmt.Errorf(errPrefix+"rename %q: odd HGETALL reply", oldKey)
	}
	h := make(map[string]string, len(flat)/2)
	fields := make([]any, 0, len(flat))
	for i := 0; i < len(flat); i += 2 {
		if flat[i] != fMoving { // a rerun of markScript returns its own mark
			h[flat[i]] = flat[i+1]
			fields = append(fields, flat[i], flat[i+1])
		}
	}
	st, err := decodeHash(oldKey, h)
	if err != nil {
		// Leave the record as it was.
		s.finish(ctx, ohk, mark, false)
		return s.wrap("rename", err)
	}
	exp := st.expiry()
	// Step 2: create the new hash, then its index entries.
	dl := deadlineMS(st.rec.Deadline)
	args := append([]any{now, s.ttl(exp, now), newToken(), s.tokenMS}, fields...)
	pipe := s.c.Pipeline()
	pre := 0
	if s.ordered {
		pre, _ = s.preIndex(ctx, pipe, newKey, st.rec.Principal, dl, now)
	} else if _, err := s.preIndex(ctx, nil, newKey, st.rec.Principal, dl, now); err != nil {
		s.finish(ctx, ohk, mark, false)
		return s.wrap("rename: index", err)
	}
	keys := []string{nhk, s.tokenKey(newKey)}
	created := createScript.EvalSha(ctx, pipe, keys, args...)
	late := !s.ordered || st.rec.Principal != ""
	if !late {
		s.addIndexes(ctx, pipe, newKey, st.rec.Principal, exp, dl, now)
	}
	// A context done before the create is sent (a login whose client went
	// away) leaves nothing to doubt: unmark, and the session lives on.
	// preIndex's placeholder, if sent (a cluster), is taken back.
	if err := s.unmarkIfDone(ctx, ohk, mark, newKey, st.rec.Principal, !s.ordered); err != nil {
		return err
	}
	cmds, _ := pipe.Exec(ctx) // the script's error and the entries' are read apart
	// placed: the principal's index lists the new key (preIndex's
	// placeholder ran before on a cluster, first in the pipeline here).
	placed := !s.ordered || st.rec.Principal == "" || allOK(cmds[:pre])
	if !late && cmds[len(cmds)-1].Err() != nil {
		late = true // the pipelined entry failed: added again below
	}
	err = created.Err()
	if isNoScript(err) {
		if err := s.unmarkIfDone(ctx, ohk, mark, newKey, st.rec.Principal, true); err != nil {
			return err
		}
		created = createScript.Run(ctx, s.c, keys, args...)
		err, late = created.Err(), true
	}
	if cerr := created.Err(); cerr != nil && ctx.Err() != nil && !isReply(cerr) {
		// The context ended while the create was being sent: go-redis
		// may have given up before sending it, or lost its reply. It is
		// safe to run again (a rerun finds its own token), so it is,
		// detached, after the placeholder it needs: the move then
		// completes, or is undone when the key is taken, rather than
		// stay half-way (old marked, no new hash: the session lost).
		dctx, cancel := s.detach(ctx)
		defer cancel()
		if _, err = s.preIndex(dctx, nil, newKey, st.rec.Principal, dl, now); err == nil {
			placed = true
			created = createScript.Run(dctx, s.c, keys, args...)
			err, late = created.Err(), true
		}
		if err != nil {
			// The first run may have made the new hash, whatever the
			// rerun's error says of the rerun: the outcome is unknown
			// (as for Create), and the old hash stays marked.
			return s.wrap("rename", fmt.Errorf("%w: %w", ErrOutcomeUnknown, errors.Join(cerr, err)))
		}
	}
	if err != nil {
		// Whether the new hash exists is unknown: the old one stays marked,
		// hence dead, rather than risk two live copies.
		return s.wrap("rename", sentErr(err))
	}
	if n, _ := created.Int64(); n == 0 {
		if err := s.finish(ctx, ohk, mark, false); err != nil {
			return s.wrap("rename", err)
		}
		s.dropPlaceholder(ctx, newKey, st.rec.Principal)
		return fmt.Errorf(errPrefix+"rename %q: %w", newKey, session.ErrExists)
	}
	// The new hash is live and the old one dead: the move is done whatever
	// the caller's context does now; the rest completes it.
	ctx, cancel := s.detach(ctx)
	defer cancel()
	if late {
		pipe := s.c.Pipeline()
		s.addIndexes(ctx, pipe, newKey, st.rec.Principal, exp, dl, now)
		if _, err := pipe.Exec(ctx); err != nil {
			// Kept (a warning), or deleted again, the move undone.
			gone, err := s.unindexed(ctx, "rename", newKey, placed, err)
			if err != nil {
				if gone {
					if ferr := s.finish(ctx, ohk, mark, false); ferr != nil {
						err = errors.Join(err, s.wrap("rename", ferr))
					}
				}
				return err
			}
		}
	}
	// Step 3: delete the old hash, then its index entries. The move is
	// done (the new hash live, the old one marked, dead): the caller must
	// take the new key, so what fails here is a warning, not an error,
	// as a process dying here would leave it (the old marked hash expires
	// with its TTL; its entries are pruned by ByPrincipal and Sweep).
	if err := s.finish(ctx, ohk, mark, true); err != nil {
		s.log.Warn("redisstore: rename done, but the old hash was not deleted", "key", oldKey, "err", err)
		return nil
	}
	entries := []indexEntry{{set: s.expiry, member: oldKey}}
	if p := st.rec.Principal; p != "" {
		entries = append(entries, indexEntry{set: s.principalKey(p), member: oldKey, principal: p})
	}
	if err := s.removeVerified(ctx, entries); err != nil {
		s.log.Warn("redisstore: rename done, but the old key's index entries were not removed", "key", oldKey, "err", err)
	}
	return nil
}

// finish ends a move of hk: del deletes hk, else its mark is removed;
// either only while the mark is still mark. It runs even when ctx is done
// (detached): left undone, the mark would kill the session.
func (s *Store) finish(ctx context.Context, hk, mark string, del bool) error {
	op := "0"
	if del {
		op = "1"
	}
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return run(ctx, s.c, finishScript, hk, ms(s.now()), op, mark).Err()
}

// unmarkIfDone, if ctx is done, removes the mark of hk, takes back the
// placeholder of newKey in principal's index when it was sent, and
// returns ctx's error, wrapped; else it returns nil.
func (s *Store) unmarkIfDone(ctx context.Context, hk, mark, newKey, principal string, sent bool) error {
	if ctx.Err() == nil {
		return nil
	}
	if err := s.finish(ctx, hk, mark, false); err != nil {
		return s.wrap("rename", err)
	}
	if sent {
		s.dropPlaceholder(ctx, newKey, principal)
	}
	return s.wrap("rename", ctx.Err())
}
