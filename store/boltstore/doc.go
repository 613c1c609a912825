// Package boltstore is httpstate's default session.Store: one bbolt file,
// zero configuration, durable across crashes.
//
// # Basics
//
// Open creates the file (mode 0600) or opens an existing one (an empty bbolt
// file is adopted, one of another application refused); bbolt's file
// lock keeps a second process out (its Open fails with ErrLocked after
// Options.Timeout). A Store is safe for concurrent use, and
// judges expiry by Options.Now (time.Now by default): an expired record is
// absent at once, and stays on disk only until a Sweep removes it.
//
// # Layout
//
// The file holds four buckets:
//
//   - sessions: store key → record, in a compact binary format (version 1):
//     principal, times, idle timeout, then every attribute's name and value
//     lengths, the names and the values, so metadata reads skip the values;
//   - principals: uvarint(len(principal)) | principal | created | key → empty,
//     so ByPrincipal is an ordered prefix scan, oldest first;
//   - expiry: expiry | key → empty, so Sweep is a cursor scan over the expired
//     prefix, never a full scan;
//   - meta: the file format version.
//
// Times in index keys are 8 bytes big-endian whose byte order is time order.
// Anonymous sessions (principal "") are not in the principal index.
//
// # Durability
//
// Every write that returns nil (Create, Save, Update, Rename, Delete, Sweep)
// has been committed and fsync'd, unless it changed nothing (an Update
// deleting an absent attribute, a Delete or Sweep that found nothing), which
// commits nothing; such an answer, and an empty Save's "it exists", comes
// from what is on disk, never from another write's commit whose fsync has
// not returned (bbolt's readers can see one), and neither does the read
// cache. A write that fails wrote nothing (a Sweep, nothing beyond the
// sessions it returns with its error), except one whose error wraps
// ErrOutcomeUnknown: its commit failed after bbolt wrote the meta page
// (the fsync after it failed), so the write may or may not be on disk,
// and this process already reads it. Concurrent writers share commits (group
// commit, with no timer): a write that finds no commit running commits at
// once, alone; writes that arrive while a commit runs queue up, and when it
// ends the first of them leads the next commit, which takes the whole queue
// (up to Options.MaxBatchSize writes) in one transaction and one fsync,
// then wakes the others. So under load each commit carries every write that
// arrived during the previous one, and a lone write never waits for company.
// Expected outcomes (ErrNotFound, ErrExists, ErrTooLarge, an error from
// Update's fn) do not fail the shared transaction: they write nothing and
// are reported to their caller alone. A transaction in which no write wrote
// anything is rolled back, not committed, so a failed write that runs alone
// costs no disk write and no fsync; only after a commit that failed with
// ErrOutcomeUnknown, until one succeeds, is such a transaction committed,
// so that its answers rest on what is on disk. A real failure of one write (a corrupt record, a
// panic in Update's fn) rolls the transaction back; the other writes run
// again without it, and it runs again alone, so its caller gets the outcome
// of its own transaction and the others are not failed by it. A write may
// thus run more than once, so each one recomputes its result on every run;
// Update's fn may be called more than once, as the session.Store contract
// allows.
//
// A write checks its context once, before it joins a commit: a context
// already ended writes nothing and returns its error. Once queued, a write
// waits for its commit and returns that outcome whatever its context does
// meanwhile, so an error never stands for a write that was made, nor nil
// for one that was not; the wait is bounded by the commits ahead of it, not
// by the context.
//
// A process killed at any moment leaves a file that opens, holding every
// acknowledged write. A file corrupted otherwise (bbolt checksums only its
// meta pages, and panics on a data page that is not what it expects) makes
// the calls that touch the damage fail with an error; none panics, except
// Update when its own fn does. When bbolt panics in a commit rather than in
// one write's work (merging a leaf into a damaged neighbour), every write
// of that commit runs again alone, so only the ones whose own commit
// panics fail. bbolt's rollback of such a commit can panic too (on a
// corrupt freelist page) before it releases bbolt's writer lock: the
// transaction is then rolled back again without the freelist reload, so
// later writes still run (and fail, or commit) instead of waiting for the
// lock. Should that fail as well, every later write fails at once with an
// error and Close returns one, leaving the file locked until the process
// exits. So does every later call, reads included, once bbolt panics
// opening a transaction (both meta pages junk), which leaves its meta lock
// held: without that, they would wait for the lock forever.
//
// # Reads and the read cache
//
// Load, ByPrincipal and Iterate never write: a request that only reads its
// session writes nothing to disk. Load keeps decoded records in a bounded
// in-memory cache (Options.CacheSize records, DefaultCacheSize by default;
// about each record's encoded size plus 200 bytes apiece), so a read of a
// cached session costs a map lookup and no transaction. The cache is
// write-through and coherent: the file lock keeps other processes out, and
// every write, after its commit, puts the record it wrote in the cache (or
// removes the key), including Delete, Rename and Sweep. A Load that read
// the file before a write committed never puts its older record over the
// write's: it fills the cache only if no write to that part of the cache
// has happened since it began. Writes read the file inside their write
// transaction, never the cache, except an empty Save, which only checks the
// record exists and takes a cached one as the answer. Expiry is judged at
// each Load against
// Options.Now. A cached record is never modified (writes replace it), so
// Load hands the same *session.Record to every caller, read-only, as the
// session.Store contract allows.
//
// ByPrincipal and Iterate read the file in read-only transactions. Iterate
// reads in chunks and calls its function outside any transaction, so the
// function may call the Store.
//
// # Corrupt records
//
// A record that does not decode (its bytes damaged on disk) is skipped by
// ByPrincipal and Iterate, which list the others, as store/redisstore
// does, each time with a warning to Options.Logger (naming the start of
// its store key). Load of it fails with an error, never found=false; a
// write to it (Save, Update, Rename) fails with an error too, so the
// session it held cannot be used (a listing that skips it drops any copy
// from the read cache). Not being listed, it is not revoked by the
// Manager's InvalidatePrincipal ("log out everywhere"). Delete removes it
// (found=false), and so does the Sweep that finds its expiry entry due,
// without reporting it, with a warning to the Logger.
package boltstore
