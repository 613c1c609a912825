package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/httpstate/httpstate/session"
)

// Defaults of Options.
const (
	// DefaultMaxBatchSize is the most writes one commit takes when
	// Options.MaxBatchSize is 0.
	DefaultMaxBatchSize = 256
	// DefaultTimeout is how long Open waits for another process to release
	// the file when Options.Timeout is 0.
	DefaultTimeout = 5 * time.Second
)

// Limits on what a record may hold. The key and principal limits keep every
// index key within bbolt's key size limit with room to spare; MaxAttrs is
// the most attributes the record format reads back. A write that would
// leave a record over any of them (a longer key or principal, more
// attributes), or one whose encoding exceeds bbolt's largest value
// (bolt.MaxValueSize, about 2 GiB), fails with an error wrapping
// ErrTooLarge and writes nothing.
const (
	MaxKeyLen       = 1024    // longest store key
	MaxPrincipalLen = 4096    // longest principal
	MaxAttrs        = 1 << 16 // most attributes in one record
)

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// Now is the clock that judges expiry. nil means time.Now.
	Now func() time.Time
	// MaxBatchDelay is ignored: writes no longer wait for company. A write
	// commits at once when no commit is running, and otherwise joins the
	// next one. A negative value is still an error.
	//
	// Deprecated: group commit needs no delay; see the package doc.
	MaxBatchDelay time.Duration
	// MaxBatchSize is the most writes one commit takes; the rest wait for
	// the next. 0 means DefaultMaxBatchSize.
	MaxBatchSize int
	// CacheSize is how many decoded records the read cache holds: 0 means
	// DefaultCacheSize, a negative value turns the cache off. Each cached
	// record costs about its encoded size plus 200 bytes (the key, the map
	// entries, the record), so 10000 records of 1 KiB take about 12 MB.
	CacheSize int
	// Timeout is how long Open waits for the file lock held by another
	// process. 0 means DefaultTimeout; a negative value waits forever.
	Timeout time.Duration
	// Logger receives warnings: records that do not decode (corrupt),
	// skipped by ByPrincipal and Iterate or removed by Sweep, named by
	// the first 8 bytes of their store key, never a session ID. nil
	// means discard.
	Logger *slog.Logger
}

// Store is a session.Store kept in one bbolt file. It is safe for concurrent
// use. Create one with Open and release it with Close.
type Store struct {
	db     *bolt.DB
	now    func() time.Time
	log    *slog.Logger
	closed atomic.Bool
	// stuck is set when a write transaction that panicked still holds
	// bbolt's writer lock (see releaseWriter): writes fail with
	// errWriterStuck, and Close leaves the file to the process's exit.
	stuck atomic.Bool
	// wedged is set when bbolt panicked opening a transaction (both meta
	// pages junk), still holding its meta lock: every call fails with
	// errWedged, and Close leaves the file to the process's exit.
	wedged atomic.Bool
	// cache holds decoded records; nil when Options.CacheSize < 0.
	cache *cache
	// committer gathers concurrent writes into shared commits.
	committer committer
	maxBatch  int
	// durable is the ID of the last transaction known to be on disk:
	// committed and fsync'd. A read-only transaction may see a commit whose
	// meta page bbolt has written but not yet fsync'd (readers take the
	// meta page from the shared mapping), so an answer a write gives from
	// a read-only look must come from a transaction no newer than this.
	durable atomic.Int64
	// maxValue is the longest record encoding a write stores:
	// bolt.MaxValueSize (tests lower it).
	maxValue int
	// onLoadRead, when set (by tests only, before use), is called by Load
	// after it read key from the file and before it fills the cache.
	onLoadRead func(key string)
	// onWrite, when set (by tests only, before use), is called with the ID
	// of every write transaction the Store runs work in.
	onWrite func(txid int)
	// updateDB, when set (by tests only, before use), stands in for
	// db.Update, so that a test can fail a commit as a failed fsync does.
	updateDB func(db *bolt.DB, fn func(tx *bolt.Tx) error) error
	// onCommit, when set (by tests only, before use), is called after each
	// commit with the number of its writes that wrote and that wrote
	// nothing.
	onCommit func(wrote, wroteNothing int)
}

// Bucket names and the file format version.
var (
	bucketSessions   = []byte("sessions")
	bucketPrincipals = []byte("principals")
	bucketExpiry     = []byte("expiry")
	bucketMeta       = []byte("meta")
	keyVersion       = []byte("version")
	fileVersion      = []byte{1}
)

// ErrTooLarge reports a write refused because the record it would leave
// could not be stored and read back: a key longer than MaxKeyLen, a
// principal longer than MaxPrincipalLen, more than MaxAttrs attributes, or
// an encoding longer than bbolt's largest value. Nothing is written, and the
// record stays as it was. Retrying the same write fails the same way. It
// wraps session.ErrTooLarge, so the Manager answers it as the application's
// error (500), not as an unavailable store (503).
var ErrTooLarge = fmt.Errorf("boltstore: record too large: %w", session.ErrTooLarge)

// ErrOutcomeUnknown reports a write whose commit failed after bbolt wrote
// the commit's meta page, the step that makes it part of the file (the
// fsync that follows failed, or bbolt panicked after it): the write may or
// may not be on disk, and this process reads it as made, as do the commits
// after it, which may yet make it durable. The error wraps bbolt's. Every
// write of that commit fails with it, and none is run again (a Create
// would find its own record, an Update's fn would apply twice). Any other
// error of a write (a commit that failed before its meta page included)
// means the write was not made; ErrOutcomeUnknown is never ErrNotFound or
// ErrExists. It wraps session.ErrOutcomeUnknown, the Store contract's
// sentinel for this case.
var ErrOutcomeUnknown = fmt.Errorf("boltstore: the commit failed after writing its meta page; the write may or may not be on disk: %w", session.ErrOutcomeUnknown)

// ErrLocked reports that Open gave up waiting, after Options.Timeout, for
// the lock on a file that another Store holds (bbolt lets one process open
// a file at a time). Open's error wraps both ErrLocked and bbolt's own
// timeout error.
var ErrLocked = errors.New("boltstore: file is locked by another process")

// Compile-time check that Store implements session.Store.
var _ session.Store = (*Store)(nil)

// Open opens the store in the file at path, creating it with mode 0600 if
// it does not exist (an existing file keeps its mode). An existing file
// must be one of this package's or an empty bbolt file: a bbolt file of
// another application is refused and left as it was. o configures it; nil
// means the defaults. The file is locked: a second Open of it, from any
// process, waits up to Options.Timeout and fails with an error wrapping
// ErrLocked.
func Open(path string, o *Options) (*Store, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxBatchDelay < 0 || opt.MaxBatchSize < 0 {
		return nil, errors.New("boltstore: negative MaxBatchDelay or MaxBatchSize")
	}
	if opt.MaxBatchSize == 0 {
		opt.MaxBatchSize = DefaultMaxBatchSize
	}
	switch {
	case opt.Timeout == 0:
		opt.Timeout = DefaultTimeout
	case opt.Timeout < 0:
		opt.Timeout = 0 // bbolt: wait forever
	}
	// bbolt's Open panics on a freelist page that is not one, and the
	// panic leaves the file mapped, so locked, for the life of the
	// process: check the freelist first (see checkFreelist). A panic that
	// still comes (junk bbolt reads later) becomes an error.
	if err := checkFreelist(path); err != nil {
		if err := checkFreelistLocked(path, opt.Timeout); err != nil {
			return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
		}
	}
	var db *bolt.DB
	err := safely(func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout})
		return err
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: %w (%w)", path, ErrLocked, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if err := initBuckets(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	// The file's last commit counts as on disk (s.durable) from here on,
	// but a process killed during that commit's meta fsync may have left
	// it only in the OS page cache: sync it first, once per Open.
	if err := db.Sync(); err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: sync: %w", path, err)
	}
	var txid int
	if err := safeView(db, func(tx *bolt.Tx) error { txid = tx.ID(); return nil }); err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	cacheSize := opt.CacheSize
	if cacheSize == 0 {
		cacheSize = DefaultCacheSize
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{db: db, now: opt.Now, log: opt.Logger, cache: newCache(cacheSize), maxBatch: opt.MaxBatchSize, maxValue: bolt.MaxValueSize}
	s.durable.Store(int64(txid))
	return s, nil
}

// initBuckets creates the buckets of a new file and checks the format
// version of an existing one. It writes only when something is missing. A
// file with buckets but no meta bucket belongs to another application: it
// is refused, not written to.
func initBuckets(db *bolt.DB) error {
	ready := false
	err := safeView(db, func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return fmt.Errorf("not a session store: the file holds bucket %.32q and no %q bucket", k, bucketMeta)
			}
			return nil
		}
		if v := m.Get(keyVersion); string(v) != string(fileVersion) {
			return fmt.Errorf("unsupported file format version %v", v)
		}
		ready = tx.Bucket(bucketSessions) != nil && tx.Bucket(bucketPrincipals) != nil &&
			tx.Bucket(bucketExpiry) != nil
		return nil
	})
	if err != nil || ready {
		return err
	}
	return safely(func() error {
		return db.Update(func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bucketSessions, bucketPrincipals, bucketExpiry, bucketMeta} {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketMeta).Put(keyVersion, fileVersion)
		})
	})
}

// Close closes the file. Calls after Close return an error wrapping
// session.ErrClosed; closing twice is not an error. On a store whose
// writes fail for good because bbolt's writer lock is held by a
// transaction that could not be rolled back (see the package doc), Close
// returns an error and leaves the file open and locked until the process
// exits: bbolt's Close would wait for that lock forever.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.wedged.Load() {
		// bbolt's Close would wait for its meta lock forever.
		return fmt.Errorf("boltstore: close: %w", errWedged)
	}
	if s.stuck.Load() {
		// bbolt's Close would wait for the writer lock forever.
		return fmt.Errorf("boltstore: close: %w", errWriterStuck)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// Path returns the name of the store's file.
func (s *Store) Path() string { return s.db.Path() }

// check reports ErrClosed, errWedged or the context's error.
func (s *Store) check(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("boltstore: %s: %w", op, session.ErrClosed)
	}
	if s.wedged.Load() {
		return fmt.Errorf("boltstore: %s: %w", op, errWedged)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return nil
}

// wrap adds op to a bbolt error, mapping a closed database to ErrClosed.
func wrap(op string, err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("boltstore: %s: %w", op, session.ErrClosed)
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}

// view runs fn in a read-only transaction.
func (s *Store) view(op string, fn func(tx *bolt.Tx) error) error {
	if err := s.safeView(fn); err != nil {
		return wrap(op, err)
	}
	return nil
}

// safeView is safeView on s's file; a panic of bbolt's Begin wedges s.
func (s *Store) safeView(fn func(tx *bolt.Tx) error) error {
	err := safeView(s.db, fn)
	if err != nil && errors.Is(err, errWedged) {
		s.wedged.Store(true)
	}
	return err
}

// errWedged is the error of every call once bbolt panicked opening a
// transaction, as it does when both meta pages are junk: the panic leaves
// bbolt's meta lock held, which nothing can release, so every later
// transaction, and Close, would wait for it forever.
var errWedged = fmt.Errorf("bbolt panicked opening a transaction and holds its locks (are both meta pages corrupt?); no call can run until the process restarts: %w", errPanicked)

// errPanicked reports that bbolt panicked, as it does on a page that is
// not what it expects (a corrupt file): the call fails with an error
// wrapping it instead of panicking in its caller (the Manager's sweeper
// goroutine would take the process down).
var errPanicked = errors.New("bbolt panicked (is the file corrupt?)")

// safely runs f, turning a panic into an error wrapping errPanicked. A
// panic in Update's fn is not one: it is re-raised in Update's caller (see
// fnPanic).
func safely(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if fp, ok := v.(fnPanic); ok {
				panic(fp)
			}
			err = fmt.Errorf("%w: %v", errPanicked, v)
		}
	}()
	return f()
}

// safeView runs fn in a read-only transaction of db; a panic (bbolt's, on a
// corrupt page) becomes an error wrapping errPanicked. bbolt's View rolls
// the transaction back on its way out. A panic before fn runs is one of
// bbolt's Begin, which leaves its meta lock held: the error wraps
// errWedged.
func safeView(db *bolt.DB, fn func(tx *bolt.Tx) error) (err error) {
	began := false
	defer func() {
		if v := recover(); v != nil {
			if began {
				err = fmt.Errorf("%w: %v", errPanicked, v)
			} else {
				err = fmt.Errorf("%w: %v", errWedged, v)
			}
		}
	}()
	return db.View(func(tx *bolt.Tx) error {
		began = true
		return fn(tx)
	})
}

// buckets are the three data buckets of one transaction.
type buckets struct {
	sessions, principals, expiry *bolt.Bucket
}

func bucketsOf(tx *bolt.Tx) buckets {
	return buckets{
		sessions:   tx.Bucket(bucketSessions),
		principals: tx.Bucket(bucketPrincipals),
		expiry:     tx.Bucket(bucketExpiry),
	}
}

// principalKey returns the principal index key of a session.
func principalKey(principal string, created time.Time, key string) []byte {
	b := make([]byte, 0, 10+len(principal)+8+len(key))
	b = principalPrefix(b, principal)
	b = timeKey(b, created)
	return append(b, key...)
}

// principalPrefix appends the prefix every index key of principal starts
// with. The length comes first so that no principal's prefix is another's.
func principalPrefix(dst []byte, principal string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(principal)))
	return append(dst, principal...)
}

// expiryKey returns the expiry index key of a session.
func expiryKey(expiry time.Time, key string) []byte {
	return append(timeKey(make([]byte, 0, 8+len(key)), expiry), key...)
}

// put writes the record r (already encoded as v) and its index entries.
func (b buckets) put(key string, v []byte, principal string, created, expiry time.Time) error {
	if err := b.sessions.Put([]byte(key), v); err != nil {
		return err
	}
	if principal != "" {
		if err := b.principals.Put(principalKey(principal, created, key), nil); err != nil {
			return err
		}
	}
	return b.expiry.Put(expiryKey(expiry, key), nil)
}

// remove deletes the record under key, whose principal, creation time and
// expiry are given, and its index entries.
func (b buckets) remove(key string, principal string, created, expiry time.Time) error {
	if err := b.sessions.Delete([]byte(key)); err != nil {
		return err
	}
	if principal != "" {
		if err := b.principals.Delete(principalKey(principal, created, key)); err != nil {
			return err
		}
	}
	return b.expiry.Delete(expiryKey(expiry, key))
}
