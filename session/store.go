package session

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns. Stores wrap them with context; callers test with errors.Is.
var (
	// ErrNotFound reports that a session does not exist (it was never created,
	// has expired, was invalidated or renamed). Load reports absence with
	// found=false instead; the writing methods return ErrNotFound so that a late
	// save can never resurrect a dead session.
	ErrNotFound = errors.New("session: not found")
	// ErrExists reports that Create was given a key that is already taken.
	ErrExists = errors.New("session: key exists")
	// ErrClosed reports a call on a closed Store or Manager.
	ErrClosed = errors.New("session: closed")
	// ErrOutcomeUnknown reports a write the store cannot tell was made or
	// not (a reply lost on its way back from a server, a commit that failed
	// after reaching the disk's page cache). Each store's own sentinel of
	// that name wraps it, so callers can test for either.
	ErrOutcomeUnknown = errors.New("session: the write may or may not have been made")
)

// Record is a session as a Store keeps it.
//
// Key is the store key: the hash of the session ID (see Key), never the ID
// itself, so a dump of the store holds no usable session ID.
type Record struct {
	Key       string
	Principal string // the user the session belongs to; "" for anonymous
	Created   time.Time
	// LastAccess is the last recorded access; the idle deadline is
	// LastAccess+IdleTimeout.
	LastAccess  time.Time
	IdleTimeout time.Duration
	// Deadline is the absolute end of the session's life (Created+Lifetime).
	Deadline time.Time
	// Attrs holds the attributes, each JSON-encoded.
	Attrs map[string][]byte
}

// Expiry returns the moment the record expires: the earlier of the idle and
// the absolute deadlines.
func (r *Record) Expiry() time.Time {
	idle := r.LastAccess.Add(r.IdleTimeout)
	if !r.Deadline.IsZero() && r.Deadline.Before(idle) {
		return r.Deadline
	}
	return idle
}

// Meta describes a session without its attributes: what dashboards and the
// principal index list.
type Meta struct {
	Key        string
	Principal  string
	Created    time.Time
	LastAccess time.Time
	Expiry     time.Time
	// Size is the total length in bytes of the encoded attributes.
	Size int
}

// Delta is the change one request makes to a session: only what changed is
// written, so concurrent requests that touch different attributes never lose
// each other's updates.
type Delta struct {
	// Set holds attributes to add or replace (JSON-encoded values).
	Set map[string][]byte
	// Delete names attributes to remove. Deletions apply before Set: an
	// attribute named in both ends up set to its Set value. Naming an
	// attribute the record lacks, or one twice, is not an error.
	Delete []string
	// LastAccess, when later than the record's, records a new last access
	// time; an earlier one (a slow request committing after a newer one)
	// leaves the record's, so the session never expires early.
	LastAccess time.Time
	// IdleTimeout, when not zero, replaces the record's idle timeout.
	IdleTimeout time.Duration
	// Principal, when not nil, replaces the record's principal ("" = none)
	// and moves the session in the principal index.
	Principal *string
}

// IsEmpty reports whether the delta changes nothing.
func (d *Delta) IsEmpty() bool {
	return len(d.Set) == 0 && len(d.Delete) == 0 && d.LastAccess.IsZero() &&
		d.IdleTimeout == 0 && d.Principal == nil
}

// Store keeps sessions. Every method takes a context and is safe for
// concurrent use; implementations live in the store/ packages and all pass the
// conformance suite in store/storetest.
//
// A Store keeps nothing its caller passes in beyond the call: the Record
// given to Create (with its Attrs map) and the Delta given to Save (with its
// Set map and Delete slice) belong to the caller again once the call
// returns, and the Manager reuses those maps for later requests. A Store
// copies (or serialises) what it keeps; the value slices themselves are
// never changed by the Manager after the call, but a Store should copy them
// too.
//
// A nil attribute value (in Create's Attrs, Save's Set) is stored as an
// empty value: it loads back present, empty and non-nil, because nil means
// "absent" to Update's fn. A Store that cannot store and read back a record
// (a format limit) refuses the write, writing nothing, with an error that
// wraps ErrTooLarge; it never accepts a record it could not load.
//
// The Record that Load returns is read-only: a Store may hand the same
// Record to several callers (store/memstore returns the one it keeps,
// without a copy), so callers must not modify it, its Attrs map or its
// values; the Manager copies before it changes anything. In return a Store
// never changes a Record after handing it out: a loaded Record is a
// snapshot that later writes leave as it was.
//
// A Store judges expiry by its own clock (each implementation's Options.Now,
// time.Now by default): a record whose Expiry is not after now is absent.
//
// A write whose context ends while it runs either returns its real outcome
// or fails with an error. When the store cannot tell whether the write was
// made (a reply lost on its way back from a server, a failed fsync after
// the write reached the page cache), the error wraps ErrOutcomeUnknown; it
// is never ErrNotFound or ErrExists, which mean the write was not made.
type Store interface {
	// Create stores a new record. It returns ErrExists if r.Key is taken.
	Create(ctx context.Context, r *Record) error
	// Load returns the record stored under key. found is false, with a nil
	// error, when there is no live record; errors mean the store failed.
	Load(ctx context.Context, key string) (r *Record, found bool, err error)
	// Save applies d to the live record under key, atomically. It returns
	// ErrNotFound, writing nothing, when that record no longer exists.
	Save(ctx context.Context, key string, d Delta) error
	// Update atomically replaces one attribute of the live record under key.
	// fn receives the current encoded value (ok=false when absent) and returns
	// the new one (nil deletes it); an error from fn aborts the update and is
	// returned. fn may be called more than once (optimistic stores retry on
	// conflict) and must not have side effects; it must not call the Store
	// either (store/boltstore runs it inside its write transaction, where a
	// Store call would wait for ever). Update returns the value written, or
	// ErrNotFound when the record does not exist.
	Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error)
	// Rename moves the live record under oldKey to newKey atomically: after it
	// returns, oldKey is absent. It returns ErrNotFound when oldKey does not
	// exist and ErrExists when newKey is taken.
	Rename(ctx context.Context, oldKey, newKey string) error
	// Delete removes the live record under key; found reports whether one
	// existed. An expired record that no Sweep has reported yet is left for
	// the Sweep that reports it, and Delete returns found=false.
	Delete(ctx context.Context, key string) (found bool, err error)
	// ByPrincipal lists the live sessions of a principal, oldest first.
	// Anonymous sessions (principal "") are not indexed: ByPrincipal("")
	// returns none.
	ByPrincipal(ctx context.Context, principal string) ([]Meta, error)
	// Iterate calls fn for every live session, without loading attributes,
	// in no particular order, until fn returns false.
	Iterate(ctx context.Context, fn func(Meta) bool) error
	// Sweep removes the records that have expired and returns their metadata.
	// Each expired session is reported by exactly one Sweep call, even when
	// several processes sweep one shared store. A Sweep that fails part-way
	// (its context ended, the backend failed) returns the ones it removed
	// along with its error, and leaves the expired records it did not remove
	// for a later Sweep to report. There are three exceptions: a removal
	// whose outcome the store cannot tell (its error wraps
	// ErrOutcomeUnknown) may go unreported; so may an expired record whose
	// key a Create or Rename took over before any Sweep saw it (keys are
	// hashes of random IDs, so in practice never); and a store whose
	// backend drops expired records itself reports only those a Sweep sees
	// in time (store/redisstore: Sweep must run at least every
	// Options.Grace/2).
	Sweep(ctx context.Context) ([]Meta, error)
	// Close releases the store's resources. Calls after Close return ErrClosed.
	Close() error
}
