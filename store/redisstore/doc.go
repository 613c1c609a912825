// Package redisstore keeps sessions in Redis, so that many servers share
// them. It works with a standalone Redis, with Sentinel and with Redis
// Cluster through go-redis's redis.UniversalClient, and it is the only
// package of httpstate that imports go-redis.
//
// # Basics
//
//	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	store, err := redisstore.New(c, nil) // keys start with "httpstate:"
//	m, err := session.New(&session.Options{Store: store})
//
// The store does not own the client: close it yourself after Store.Close.
//
// # Key design
//
// With the default Prefix "httpstate:" the store uses three kinds of keys:
//
//	httpstate:s:{KEY}        hash: one session (KEY is the store key, the hash of the ID)
//	httpstate:p:{PRINCIPAL}  sorted set: the principal's session keys, scored by deadline
//	httpstate:expiry         sorted set: every session key, scored by a lower bound of its expiry
//
// A session hash holds the metadata in short fields (c created, a last
// access, i idle timeout, d deadline, all in Unix milliseconds; p principal;
// z total attribute size; m set only while the session is being renamed) and
// one field per attribute, named "." + the attribute's name, so an attribute
// can never collide with a metadata field. Decoding rejects any other field.
//
// Redis Cluster lets a Lua script touch keys of one hash slot only. Every
// script of this package touches exactly one key, the session hash, so that
// the state of a session changes atomically whatever the deployment; the
// "{...}" hash tags keep each session's and each principal's keys in their
// own slots, spreading them over the cluster. The two indexes live in other
// slots and are therefore kept outside the scripts, as hints whose
// invariants need no cross-slot atomicity:
//
//   - The principal index holds a superset of the principal's live sessions.
//     A key is added (ZADD GT) before the session hash names the principal
//     and removed only after the hash stops doing so; its score is the
//     session's absolute deadline (or +inf without one), an upper bound of
//     its expiry, so ZREMRANGEBYSCORE up to now, run on every ByPrincipal
//     and by Sweep, only drops dead entries. ByPrincipal reads every listed
//     hash, keeps the live ones that still name the principal and prunes the
//     rest. "Log out everywhere" (ByPrincipal, then Delete each) therefore
//     sees every session, from any server.
//   - The expiry index holds every session with a score no later than its
//     expiry (ZADD LT at creation, lowered when an idle timeout shrinks), so
//     touching a session never writes it. Sweep reads the entries due by
//     now: a session found alive is re-scored to its real expiry; one found
//     expired is claimed with ZREM, whose reply (1 for exactly one caller)
//     makes each expiry reported once even when several processes sweep.
//
// Expiry is judged by the store's clock (Options.Now): a hash whose expiry
// is not after now is absent for Load, Save, Update, Rename, Delete,
// ByPrincipal and Iterate. Redis also expires the hash itself, with PEXPIRE
// set to the time left plus Options.Grace, so that Sweep can still report
// the metadata of a session that expired since the last sweep and so that
// abandoned data disappears even if nothing sweeps. The TTL is relative to
// the store's clock, so a server whose clock is off from Redis's still
// keeps sessions exactly as long as it thinks.
//
// # Round trips
//
// Load is one HGETALL; the expiry check is done in the client. Save is one
// EVALSHA of a script that checks the session is still alive (else
// ErrNotFound: a late save never resurrects a deleted, renamed or expired
// session), writes only the changed attributes and metadata, and resets the
// TTL; a Save carrying only a new LastAccess (the manager's throttled touch)
// is that same single command. A change of principal adds the index updates
// (at most two more round trips). Update reads the attribute (HMGET) and
// writes it back with a compare-and-set script that checks the SHA-1 of the
// value it read, retrying on conflict: two round trips, atomic across
// processes.
//
// # Rename
//
// Old and new keys are in different slots in a cluster, so Rename cannot be
// one script. It runs three steps, each a single-key script: mark the old
// hash as moving (field m = the new key; from then on it is absent for reads
// and refuses writes) and read it; create the new hash if its key is free
// (ErrExists otherwise, and the mark is removed so the old session lives
// on); delete the old hash if it still carries the mark. There is never a
// moment where two copies accept writes, and the old key is dead before
// Rename returns. A crash between the steps leaves the old session marked,
// hence dead: it is reported by Sweep when it expires.
//
// # Iteration
//
// Iterate uses SCAN with a MATCH on the prefix (never KEYS), on every master
// of a cluster (ForEachMaster) or every shard of a ring.
//
// # Concurrency
//
// A Store is safe for concurrent use, by any number of processes sharing
// one Redis, as long as their clocks agree (the uncertainty of expiry is
// their skew).
package redisstore
