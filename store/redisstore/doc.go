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
// The store does not own a client given to New: close it yourself after
// Store.Close. Dial makes a store that owns its client from a URL
// (redis://, rediss://, redis+sentinel://, redis+cluster://; see ParseURL),
// and its Close closes the client too. Close first waits, at most a
// minute, for the Sweeps that have claimed expired sessions to reap them
// (under a closed client they would go unreported) and for the Creates,
// Renames and Saves of a new principal or idle timeout in flight to end
// (cut short, a Create or Save would leave its session out of, or late in,
// the expiry index, a Rename its session marked, lost).
//
// # Key design
//
// With the default Prefix "httpstate:" the store uses four kinds of keys:
//
//	httpstate:s:{KEY}        hash: one session (KEY is the store key, the hash of the ID)
//	httpstate:c:{KEY}        string: a call's token, kept for the token life (see Retries)
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
// script of this package touches one session's keys only (the hash, and for
// Create its token key, with the same "{KEY}" hash tag), so that
// the state of a session changes atomically whatever the deployment; the
// "{...}" hash tags spread sessions and principals over the cluster's
// slots. The session hash is the truth. The two indexes live in other slots
// and are kept outside the scripts, as hints that readers verify:
//
//   - The principal index lists the principal's sessions with their
//     absolute deadline as score (+inf without one), an upper bound of the
//     expiry, so ZREMRANGEBYSCORE up to now (on every ByPrincipal, and by
//     Sweep) only drops dead entries; the set's own TTL is its latest
//     deadline plus the grace, so an abandoned set disappears too.
//     ByPrincipal reads every listed hash and keeps the live ones that
//     still name the principal. "Log out everywhere" (ByPrincipal, then
//     Delete each) therefore sees every session, from any server.
//   - The expiry index lists every session with a score no later than its
//     expiry (ZADD LT at creation, lowered when an idle timeout shrinks), so
//     touching a session never writes it. Sweep reads the entries due by
//     now: a session found alive is re-scored to its real expiry; one found
//     expired is claimed with ZREM, whose reply (1 for exactly one caller)
//     makes each expiry reported once even when several processes sweep.
//
// The expiry index is a single key, so on a cluster it lives on one
// master; it is written when a session is created, renamed or has its idle
// timeout shortened, and by Sweep, never by the per-request touch.
//
// Sweep also repairs the expiry index, on its first call and then at most
// once every Options.Grace/2 (by the store's clock) per Store: before
// reading the due entries it SCANs the session hashes as Iterate does
// (every master of a cluster; batches of 512, one ZMSCORE per batch,
// nothing kept from one batch to the next), and
// puts back the entry of each hash the index misses (a Create or Rename
// whose index update failed for good, a process that died between a
// script and its index update), scored by the hash's expiry. A hash
// outlives its session by the grace, so as long as something sweeps at
// least every Grace/2 the repair sees every session while its metadata
// still exists, and Sweep reports each expired session once, as the Store
// contract promises. A repair that fails is returned with the sweep's
// result (the sweep itself runs) and is tried again by the next Sweep
// (half a grace later if the caller's context ended it, so that a Sweep
// whose deadline is shorter than a repair still sweeps).
// It costs a SCAN of all sessions per period and process; Load, Save and
// the other calls are unchanged.
//
// Two rules keep the indexes complete without cross-slot atomicity (see
// indexes.go): a writer adds its index entries only after its script has
// made the hash live or named the principal (in a following round trip;
// only an anonymous session's expiry entry, a lower bound, rides in the
// script's own pipeline on one server, whose pipelines run in order); and
// whoever removes an entry (Delete, Rename, Sweep,
// ByPrincipal's pruning) re-reads the hash afterwards and puts the entry
// back if the hash still needs it. Whatever the interleaving, a live hash
// keeps its entries. A process dying between a script and its index update
// can leave a session out of an index until that session is written again
// with a new principal (principal index), or until a Sweep's index repair
// (below) puts it back (expiry index); it never leaves a stale session
// visible. An index
// update that fails once a script was applied leaves them so too, and the
// call reports the write made (with a warning to Options.Logger), since
// it is: Create, Save, Rename and Delete return nil. The one exception: a
// Create or Rename whose new session its principal's index may miss (the
// placeholder failed as well) deletes it again and fails. A Create's or
// Rename's placeholder extends the principal's index TTL to the session's
// deadline, so it lists the session for its whole life; a Save's (the
// deadline is not known before its script) only as long as the set
// lives, which may be shorter. A Save that
// moves a session to another principal leaves the old principal's entry to
// be pruned by ByPrincipal, by score or by the set's TTL.
//
// The work that completes a step already taken (the index entries of an
// applied write, the re-read and put-back after a removal, the reaps of a
// Sweep's claims, the end of a Rename whose new hash exists) runs on when
// the caller's context ends, for at most a minute from when it starts, so
// that a Redis that stops answering never holds a call for ever, even with
// a client that leaves every bound to the context (ContextTimeoutEnabled
// without read and write timeouts). Cut short, it leaves the indexes as a
// process dying there would; a Sweep returns the error, the other calls
// the outcome of their write (see below). A context
// that ends while Create's or Save's script is being sent or answered (a
// deadline, with ContextTimeoutEnabled) leaves in doubt whether it ran,
// and whether its index entries are due: the store
// runs it again, detached (a rerun is safe, see Retries), so that the
// call returns the real outcome and the indexes follow it (an error
// wrapping ErrOutcomeUnknown when the rerun fails too, never ErrExists or
// ErrNotFound for a write that may have been made).
//
// Expiry is judged by the store's clock (Options.Now): a hash whose expiry
// is not after now is absent for Load, Save, Update, Rename, Delete (which
// leaves it to Sweep), ByPrincipal and Iterate; Create may reuse its key.
// Redis also expires the hash itself, with PEXPIRE set to the time left
// plus Options.Grace, so that Sweep can still report the metadata of a
// session that expired since the last sweep, and abandoned data disappears
// even if nothing sweeps, except the expiry index: it keeps an entry for
// every session until a Sweep removes it, so something must call Sweep
// (the Manager's sweeper does unless turned off). The TTL is relative
// (PEXPIRE rather than PEXPIREAT), so a server whose clock is off from
// Redis's still keeps sessions exactly as long as it means to.
//
// # Round trips
//
// Load is one HGETALL; the expiry check is done in the client. Save is one
// EVALSHA of a script that checks the session is still alive (else
// ErrNotFound: a late save never resurrects a deleted, renamed or expired
// session), writes only the changed attributes and metadata (deletions
// first, then sets, so a name in both ends up set), and resets the TTL
// (PEXPIRE) only when the expiry moved. A Save whose shorter idle timeout
// leaves the session expired at once is written all the same and returns
// nil, as on the other stores: the session is then absent, and Sweep
// reports it. A Save carrying only a new
// LastAccess (the manager's throttled touch) is that same single command.
// Inside Redis the commonest write (one attribute, no touch) runs one HMGET
// and one HSET on a fast path that builds no Lua tables, and the script
// replies with a bare integer unless an index needs a change. A change of
// principal, or a shorter idle timeout, adds one pipelined round trip for
// the indexes. Create is one round trip on one server for an anonymous
// session (script and index entry pipelined); two with a principal (its
// entries wait for the script's answer) and on a cluster, three there
// with a principal (its placeholder goes first). Update reads the attribute (HMGET)
// and writes it back with a compare-and-set script that checks the value
// is still, byte for byte, the one it read (sent back with the write),
// retrying on conflict: two round trips, atomic across processes.
//
// # Client options
//
// Any go-redis client options work. A cluster client that reads from
// replicas (ClusterOptions.ReadOnly, RouteByLatency, RouteRandomly) makes
// Load, ByPrincipal and Iterate miss what a lagging replica has not
// received yet (a session just created or renamed looks absent); the reads
// a write depends on (Update's, and the re-read that guards the index
// entries) go to the master all the same. RESP2 (Options.Protocol = 2) is not
// needed for speed: on this store's commands (HGETALL, EVALSHA) it measured
// within a few percent of go-redis's default RESP3 in client CPU and latency
// (BenchmarkRedisProtocol in the bench module, bench/README.md "redis").
//
// # Rename
//
// Old and new keys are in different slots in a cluster, so Rename cannot be
// one script. It runs three steps, each a single-key script: mark the old
// hash as moving (field m = the new key and a token of the call; from then
// on it is absent for reads
// and refuses writes) and read it; create the new hash if its key is free
// (ErrExists otherwise, and the mark is removed so the old session lives
// on), then index it; delete the old hash if it still carries the mark, then
// unindex it. There is never a moment where two copies accept writes, and
// the old key is dead before Rename returns. An error (or a crash) after
// the first step, while the new hash may not exist, leaves the old session
// marked, hence dead, rather than risk two live copies: the session is
// lost, and Sweep reports the old hash when it expires. Once the new hash
// exists, a failure of the index updates or of the last step is a warning
// to Options.Logger and Rename returns nil, so that the caller takes the
// new key (the old one is dead, its hash left to its TTL at worst),
// unless the principal's index cannot list the new key: the new hash is
// then deleted, the old one unmarked, and Rename fails. A context done before the second step is sent (a login
// whose client went away) is no such error: the mark is removed, the old
// session lives on, and Rename returns the context's error. A context that
// ends while the second step is being sent leaves in doubt whether it ran:
// Rename sends it again, detached (a rerun is safe, see Retries), so that
// the move completes, or is undone when the new key is taken. Once the new
// hash exists, the move completes whatever the context.
//
// # Retries
//
// go-redis resends a command (up to MaxRetries, 3 by default) when the
// connection fails after the command was written, for example when it
// reads io.EOF instead of the reply. A script may then run twice, the
// first run's reply lost. Each script of the store is safe with that:
//
//   - Save's script writes the same on a rerun, and its reply depends on
//     the delta, not on what changed (the index information whenever the
//     delta names a principal or sets an idle timeout that did not lengthen
//     the expiry), so the rerun's reply updates the indexes just as well.
//     A Save that sets an idle timeout carries a token: if its write left
//     the session expired, it keeps the token, and a rerun, which finds the
//     session expired, finds the token and answers as the first run did
//     (nil) instead of ErrNotFound.
//   - Create (and Rename's second step) stores a random token, unique to
//     the call, in the key c:{KEY}, beside the hash rather than in it so
//     that Load never reads it: a rerun finds the live hash with its own
//     token and replies "created" again, instead of ErrExists (and an
//     orphan session when the manager then retried with another ID).
//     Rename's mark holds such a token too: a rerun of the first step
//     finds its own mark and returns the fields again; its last step
//     (delete the old hash, or remove the mark, while the mark is this
//     call's) changes nothing on a rerun.
//   - Sweep's reap (the script deleting an expired hash that Sweep won)
//     keeps its token in c:{KEY} too: a rerun finds the hash gone and its
//     own token, and replies "deleted" again, so the session is reported.
//   - Update's compare-and-set would see its own write as a conflict and
//     apply fn a second time; Delete's script would find nothing and
//     answer false. These run as commands that go-redis never resends
//     (Cmder.NoRetry; a cluster's MOVED and ASK redirects are still
//     followed). The store itself resends one, up to 3 times, only when
//     the error says it did not run: no connection could be made, or
//     Redis refused it with LOADING, MASTERDOWN, CLUSTERDOWN, TRYAGAIN,
//     READONLY or max clients. Any other failure after the command may
//     have been sent (a lost reply, a timeout) is an error wrapping
//     ErrOutcomeUnknown: the write happened once or not at all. After such
//     an Update the attribute holds either the old value or fn's, never fn
//     applied twice. A context already done before the command is sent
//     (a request whose client went away) gives the context's error, not
//     ErrOutcomeUnknown: nothing was sent.
//
// The token key c:{KEY} holds the token of the last such call on the key
// (they never overlap: a key is unknown to other callers until its Create
// returns, and a reap follows the session's end). It lives for the token
// life, computed by New from the client's options: twice the time within
// which go-redis's last resend reaches Redis, MaxRetries (a cluster:
// MaxRedirects) times PoolTimeout + DialTimeout + WriteTimeout +
// ReadTimeout + MaxRetryBackoff, at least a minute (about 2 minutes with
// go-redis's defaults) and at most an hour. When that time has no bound, or
// is longer (a disabled read,
// write or dial timeout, or a client type other than *redis.Client,
// *redis.ClusterClient and *redis.Ring) the token lives an hour, and a
// resend arriving later than that is not recognised: Create would answer
// ErrExists, the expiring Save ErrNotFound, and the reap would report
// nothing.
//
// What no token can recover: when every resend fails too (Redis unreachable
// for the whole retry window), the outcome is unknown: Create, Save and
// Rename return an error wrapping ErrOutcomeUnknown (unless the last
// attempt's error says it did not run: a reply from Redis, a failed dial;
// an earlier attempt whose reply was lost is then not told), and so does
// Sweep for its reap. It puts the session's
// expiry-index entry back, so that a reap that did not run is done, and
// reported, by a later Sweep; a reap that did run has deleted the hash, and
// that session is never reported (no EventExpired for it).
//
// Reads (HGETALL, HMGET) and the index commands (ZADD, ZREM, guarded by
// re-reads) are safe to resend and are left to go-redis's retries, except
// Sweep's claim: a resent ZREM would answer 0 for the entry its lost first
// run removed, as if another sweeper had won, and nobody would report the
// session. The claims are never resent; when their reply is lost, Sweep
// puts the entries back and returns the error, and a later Sweep reports
// the sessions.
//
// # Limits
//
// Redis refuses one argument longer than proto-max-bulk-len (512 MiB by
// default) and closes the connection. Create, Save and Update refuse,
// before sending anything, a write with an attribute value, an attribute
// name, a session key or a principal (with its key prefix) longer than
// 512 MiB (for Update, the value it read too, which its compare-and-set
// sends back), with an error wrapping session.ErrTooLarge, so the store
// never accepts a record it could not load. A server configured with a lower
// proto-max-bulk-len refuses such a write itself (a connection error, not
// ErrTooLarge). Nothing else bounds a session: the number of attributes is
// not limited (a Create and a Save of 100,000 attributes are tested; the
// scripts work in batches of 1000), and neither is a command's total size
// (client-query-buffer-limit bounds the buffered part of one argument);
// memory (maxmemory) is the limit, with Redis's OOM error.
//
// # Iteration
//
// Iterate uses SCAN with a MATCH on the prefix (never KEYS), on every master
// of a cluster (ForEachMaster) or every shard of a ring. SCAN may return a
// key twice, so Iterate remembers the keys it met, across all the masters:
// a canonical key (session.Key's base64url SHA-256) as its decoded 32 bytes,
// which is exact, any other key as a string. While a cluster's slots move
// (resharding), a session whose slot moves from a master not scanned yet
// to one already scanned is missed.
//
// # Concurrency
//
// A Store is safe for concurrent use, by any number of processes sharing
// one Redis, as long as their clocks agree (the uncertainty of expiry is
// their skew).
//
// # Replication and failover
//
// Redis replicates asynchronously. With Sentinel (or a cluster's replicas),
// a save that the old master acknowledged just before a failover can be
// missing on the promoted replica, and one that lands on the old master
// after the promotion, before Sentinel demotes it, is dropped when it
// resyncs: the store's "acknowledged means written" holds only as far as
// Redis's own durability does. The failover test (sentinel_test.go) checks
// that the client follows the new master, not that window. Where losing a
// session write matters, configure min-replicas-to-write (and AOF) on the
// servers.
package redisstore
