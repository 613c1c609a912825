// Package boltstore is httpstate's default session.Store: one bbolt file,
// zero configuration, durable across crashes.
//
// # Basics
//
// Open creates the file (mode 0600) or opens an existing one; bbolt's file
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
// has been committed and fsync'd. Concurrent writers share commits: a write
// that overlaps others goes through bbolt's DB.Batch, which gathers the
// writes that arrive within Options.MaxBatchDelay (or up to
// Options.MaxBatchSize of them) into one transaction and one fsync. A write
// with no other in flight commits at once, without waiting for company.
// Batch may run a write more than once, so each one is idempotent and
// recomputes its result on every run; Update's fn may therefore be called
// more than once, as the session.Store contract allows.
// Expected outcomes (ErrNotFound, ErrExists, an error from Update's fn) do
// not fail the shared transaction: they write nothing and are reported to
// their caller alone.
//
// A process killed at any moment leaves a file that opens, holding every
// acknowledged write.
//
// # Reads
//
// Load, ByPrincipal and Iterate use read-only transactions only: a request
// that only reads its session writes nothing to disk. Iterate reads in
// chunks and calls its function outside any transaction, so the function
// may call the Store.
package boltstore
