package token

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Errors of a RefreshStore and of Authority.Refresh.
var (
	// ErrReused reports a refresh token presented a second time. Its whole
	// family has been revoked: either the legitimate client or a thief holds
	// a copy, and the server cannot tell which.
	ErrReused = errors.New("token: refresh token reused; its family is revoked")
	// ErrRevoked reports a token revoked by ID, by family or by subject.
	// An access token of a refresh family is revoked with its family.
	ErrRevoked = errors.New("token: revoked")
	// ErrUnknownRefresh reports a refresh token the store has no record of
	// (never issued here, or pruned after expiry).
	ErrUnknownRefresh = errors.New("token: unknown refresh token")
)

// RefreshRecord is what a RefreshStore keeps about one refresh token.
type RefreshRecord struct {
	ID       string // the token's jti
	Family   string // the family (first jti of the chain)
	Subject  string
	IssuedAt time.Time
	Expiry   time.Time
}

// RefreshStore keeps the state refresh-token rotation and revocation need.
// Every method takes a context and is safe for concurrent use.
type RefreshStore interface {
	// Add records a newly issued refresh token.
	Add(ctx context.Context, rec RefreshRecord) error
	// Use consumes the refresh token id at time now, atomically: the first
	// call returns its record; any later call revokes the token's whole
	// family and returns ErrReused. It returns ErrRevoked for a revoked
	// token (or family, or subject cut-off at or after its issue) and
	// ErrUnknownRefresh for an unknown one.
	Use(ctx context.Context, id string, now time.Time) (RefreshRecord, error)
	// Revoke revokes the token id (access or refresh) until the given time
	// (its expiry; the entry can be forgotten after it). Revoking a refresh
	// token revokes its family.
	Revoke(ctx context.Context, id string, until time.Time) error
	// RevokeSubject revokes every token of subject issued at or before at
	// (log out everywhere), and every refresh family of subject.
	RevokeSubject(ctx context.Context, subject string, at time.Time) error
	// Revoked reports whether the token id of subject, issued at issuedAt,
	// is revoked by ID or by subject.
	Revoked(ctx context.Context, id, subject string, issuedAt time.Time) (bool, error)
}

// FamilyRevocationStore is a RefreshStore that also answers, in the same
// lookup as Revoked, whether a token's refresh family is revoked. It is
// optional: Authority.Verify uses it when the store implements it (as
// MemoryRefreshStore does), so that checking an access token of a family
// costs one store call; with a plain RefreshStore, Verify makes a second
// Revoked call for the family (see Authority.Verify).
type FamilyRevocationStore interface {
	RefreshStore
	// RevokedInFamily is Revoked for a token of the refresh family family
	// (empty for a token outside any family): it reports whether the token
	// id of subject, issued at issuedAt, is revoked by ID, by subject, or
	// because its family is revoked (by reuse detection in Use, by Revoke
	// of one of its refresh tokens or of the family ID, by RevokeSubject).
	// A family revoked by Revoke(id, until) of one of its refresh tokens
	// must stay revoked here until until at least (Authority.Revoke passes
	// a time past the last moment Verify accepts an access token of the
	// family), even if the family itself expires earlier.
	RevokedInFamily(ctx context.Context, id, subject, family string, issuedAt time.Time) (bool, error)
}

// RotatingRefreshStore is a RefreshStore that consumes a refresh token and
// records its successor in one atomic step. It is optional: Authority.Refresh
// uses it when the store implements it (as MemoryRefreshStore does), so
// that a store failure between the two steps cannot spend the presented
// token without recording the new one (see Authority.Refresh); with a plain
// RefreshStore, Refresh calls Use, then Add.
type RotatingRefreshStore interface {
	RefreshStore
	// Rotate consumes the refresh token id at time now exactly as Use
	// does, and records next as Add does, atomically. When Use would fail
	// (ErrReused, ErrRevoked, ErrUnknownRefresh), Rotate fails the same way
	// with the same effects (a reused token revokes its family) and next
	// is not recorded. When the store itself fails, neither happens: id
	// stays unused and next unrecorded. The returned record is id's;
	// Authority.Refresh checks that it is of next's family and subject.
	Rotate(ctx context.Context, id string, now time.Time, next RefreshRecord) (RefreshRecord, error)
}

// MemoryRefreshStore is an in-memory RefreshStore for tests and
// single-process apps.
//
// It forgets refresh tokens, families and revocations (pruning) a minute
// (memPruneSlack) after they expired by its notion of now: its clock
// (NewMemoryRefreshStoreWithClock; the store New makes when
// Options.Refresh is nil has the Authority's clock), or, made by
// NewMemoryRefreshStore, the latest issue time of the refresh tokens it
// recorded (not Use's now, which may be any time). Any call that finds
// memPruneInterval (one minute) passed since the last prune prunes, and
// so does every 1024th refresh token recorded (Add, Rotate). A prune
// scans every entry under the store's lock, so it runs at most once a
// minute, plus once per 1024 records; any other call costs one clock
// reading and a comparison more. So with a clock nothing stays past the
// first call two minutes after its expiry, even on a server that only
// issues access tokens and revokes them; a store without a clock judges
// only by the refresh tokens it records, so if it records none
// (IssueAccess and Revoke only) it never prunes. No goroutine runs in the
// background: a store no one calls keeps what it holds. Subject cut-offs
// (RevokeSubject) are kept for good, one per subject. RevokeSubject
// visits only the subject's families not yet revoked (the store indexes
// them by subject, and forgets the index entry with the family), not every
// family in the store.
//
// It is safe for concurrent use; the zero value is not, use
// NewMemoryRefreshStore or NewMemoryRefreshStoreWithClock.
type MemoryRefreshStore struct {
	// clock is the store's clock; nil means the latest issue time
	// recorded (seen).
	clock func() time.Time
	// mu protects every field below.
	mu       sync.Mutex
	tokens   map[string]*memRefresh // by jti
	families map[string]*memFamily  // by family ID
	// revoked holds revoked jtis (until when), and the ID of every
	// revoked family (its first jti), until its expiry at least, so that
	// RevokedInFamily needs no families lookup.
	revoked  map[string]time.Time
	subjects map[string]time.Time // subject -> revoke cut-off
	adds     int                  // Add calls since the last prune
	// seen is the latest IssuedAt of a record added: the store's now
	// when it has no clock.
	seen      time.Time
	lastPrune time.Time // now at the last prune
	// live indexes the families not revoked by subject: subject -> the
	// first of its families, linked through memFamily.prev and next. A
	// family leaves it when revoked (for good: a revoked family is never
	// unrevoked) or pruned, so it holds no more than families does, and
	// RevokeSubject visits only the subject's own families. A list, not a
	// map per subject, costs a new family one map insert (and a subject
	// with one family no map of its own).
	live map[string]*memFamily
	// subjectVisits counts the families RevokeSubject visited (for tests).
	subjectVisits int
}

// memPruneInterval is how long after a prune any MemoryRefreshStore call
// prunes again.
const memPruneInterval = time.Minute

// memPruneSlack is how long past its expiry an entry is kept: a caller
// reads its clock before the store reads its own (Verify checks exp, then
// asks whether the token is revoked), and a revocation pruned in between
// would let a revoked token verify.
const memPruneSlack = time.Minute

type memRefresh struct {
	rec  RefreshRecord
	used bool
}

type memFamily struct {
	id      string
	subject string
	revoked bool      // then s.revoked holds its ID until expiry or later
	expiry  time.Time // latest expiry of its tokens
	// prev and next link the subject's families in s.live while the
	// family is not revoked; both are nil otherwise.
	prev, next *memFamily
}

// revokeFamily revokes the family id, keeping its ID on the deny list
// until its expiry or until, whichever is later. s.mu must be held.
func (s *MemoryRefreshStore) revokeFamily(id string, f *memFamily, until time.Time) {
	if !f.revoked {
		f.revoked = true
		s.unlink(f)
	}
	until = later(f.expiry, until)
	if until.After(s.revoked[id]) {
		s.revoked[id] = until
	}
}

// link puts the new family f first in its subject's list in s.live.
// s.mu must be held.
func (s *MemoryRefreshStore) link(f *memFamily) {
	f.next = s.live[f.subject]
	if f.next != nil {
		f.next.prev = f
	}
	s.live[f.subject] = f
}

// unlink takes f out of its subject's list in s.live, if it is in it.
// s.mu must be held.
func (s *MemoryRefreshStore) unlink(f *memFamily) {
	switch {
	case f.prev != nil:
		f.prev.next = f.next
	case s.live[f.subject] != f:
		return // not linked (revoked before)
	case f.next != nil:
		s.live[f.subject] = f.next
	default:
		delete(s.live, f.subject)
	}
	if f.next != nil {
		f.next.prev = f.prev
	}
	f.prev, f.next = nil, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

var (
	_ FamilyRevocationStore = (*MemoryRefreshStore)(nil)
	_ RotatingRefreshStore  = (*MemoryRefreshStore)(nil)
)

// NewMemoryRefreshStore returns an empty MemoryRefreshStore without a
// clock: it prunes as of the latest issue time of the refresh tokens it
// records (see MemoryRefreshStore).
func NewMemoryRefreshStore() *MemoryRefreshStore { return NewMemoryRefreshStoreWithClock(nil) }

// NewMemoryRefreshStoreWithClock returns an empty MemoryRefreshStore that
// prunes what has expired by now's reading (nil means none, as
// NewMemoryRefreshStore). Give it the clock of the Authority that uses it
// (Options.Now, or time.Now): a store on another clock than its callers
// forgets refresh tokens and revocations too early or too late.
func NewMemoryRefreshStoreWithClock(now func() time.Time) *MemoryRefreshStore {
	return &MemoryRefreshStore{
		clock:    now,
		tokens:   map[string]*memRefresh{},
		families: map[string]*memFamily{},
		revoked:  map[string]time.Time{},
		subjects: map[string]time.Time{},
		live:     map[string]*memFamily{},
	}
}

// Add implements RefreshStore.
func (s *MemoryRefreshStore) Add(ctx context.Context, rec RefreshRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.clockNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(rec, s.tick(c, rec.IssuedAt))
	return nil
}

// clockNow reads the store's clock (the zero time without one). It is
// called before s.mu is taken: a clock may take locks of its own.
func (s *MemoryRefreshStore) clockNow() time.Time {
	if s.clock == nil {
		return time.Time{}
	}
	return s.clock()
}

// tick notes issued (the issue time of a record being added; zero if
// none) and returns the store's now: c, the clock's reading, or without a
// clock the latest issue time noted. It prunes when memPruneInterval has
// passed since the last prune. s.mu must be held.
func (s *MemoryRefreshStore) tick(c, issued time.Time) time.Time {
	if issued.After(s.seen) {
		s.seen = issued
	}
	now := c
	if s.clock == nil {
		now = s.seen
	}
	if now.Sub(s.lastPrune) >= memPruneInterval {
		s.prune(now)
	}
	return now
}

// add records rec; now is the store's now. s.mu must be held.
func (s *MemoryRefreshStore) add(rec RefreshRecord, now time.Time) {
	s.adds++
	if s.adds >= 1024 {
		s.prune(now)
	}
	s.tokens[rec.ID] = &memRefresh{rec: rec}
	f := s.families[rec.Family]
	if f == nil {
		f = &memFamily{id: rec.Family, subject: rec.Subject}
		s.families[rec.Family] = f
		s.link(f)
	}
	if rec.Expiry.After(f.expiry) {
		f.expiry = rec.Expiry
		if f.revoked { // a rotation that raced with the revocation
			s.revokeFamily(rec.Family, f, time.Time{})
		}
	}
}

// prune forgets what expired memPruneSlack before now. s.mu must be held.
func (s *MemoryRefreshStore) prune(now time.Time) {
	s.adds, s.lastPrune = 0, now
	now = now.Add(-memPruneSlack)
	for id, t := range s.tokens {
		if !now.Before(t.rec.Expiry) {
			delete(s.tokens, id)
		}
	}
	for id, f := range s.families {
		if !now.Before(f.expiry) {
			delete(s.families, id)
			s.unlink(f)
		}
	}
	for id, until := range s.revoked {
		if !now.Before(until) {
			delete(s.revoked, id)
		}
	}
}

// Use implements RefreshStore.
func (s *MemoryRefreshStore) Use(ctx context.Context, id string, now time.Time) (RefreshRecord, error) {
	if err := ctx.Err(); err != nil {
		return RefreshRecord{}, err
	}
	c := s.clockNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick(c, time.Time{})
	return s.use(id, now)
}

// Rotate implements RotatingRefreshStore: Use and Add under one lock.
func (s *MemoryRefreshStore) Rotate(ctx context.Context, id string, now time.Time, next RefreshRecord) (RefreshRecord, error) {
	if err := ctx.Err(); err != nil {
		return RefreshRecord{}, err
	}
	c := s.clockNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	storeNow := s.tick(c, next.IssuedAt)
	rec, err := s.use(id, now)
	if err != nil {
		return RefreshRecord{}, err
	}
	s.add(next, storeNow)
	return rec, nil
}

// use consumes the refresh token id at now. s.mu must be held.
func (s *MemoryRefreshStore) use(id string, now time.Time) (RefreshRecord, error) {
	t := s.tokens[id]
	if t == nil || !now.Before(t.rec.Expiry) {
		return RefreshRecord{}, ErrUnknownRefresh
	}
	f := s.families[t.rec.Family]
	if _, ok := s.revoked[id]; ok || f == nil || f.revoked || s.subjectRevoked(t.rec.Subject, t.rec.IssuedAt) {
		return RefreshRecord{}, ErrRevoked
	}
	if t.used {
		s.revokeFamily(t.rec.Family, f, time.Time{})
		return RefreshRecord{}, ErrReused
	}
	t.used = true
	return t.rec, nil
}

// subjectRevoked reports whether a token of subject issued at issued falls
// under a subject cut-off. s.mu must be held.
func (s *MemoryRefreshStore) subjectRevoked(subject string, issued time.Time) bool {
	cut, ok := s.subjects[subject]
	return ok && !issued.After(cut)
}

// Revoke implements RefreshStore. A token revoked twice stays revoked until
// the later of the two times. Revoking a refresh token keeps its family
// revoked for access tokens (RevokedInFamily) until until or the family's
// expiry, whichever is later. Revoking a family ID (the first jti of a
// family) revokes the family even after that first token was pruned.
func (s *MemoryRefreshStore) Revoke(ctx context.Context, id string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.clockNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick(c, time.Time{})
	if old, ok := s.revoked[id]; !ok || until.After(old) {
		s.revoked[id] = until
	}
	if t := s.tokens[id]; t != nil {
		if f := s.families[t.rec.Family]; f != nil {
			s.revokeFamily(t.rec.Family, f, until)
		}
	}
	if f := s.families[id]; f != nil {
		s.revokeFamily(id, f, until)
	}
	return nil
}

// RevokeSubject implements RefreshStore.
func (s *MemoryRefreshStore) RevokeSubject(ctx context.Context, subject string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.clockNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick(c, time.Time{}) // at is a cut-off, not necessarily now
	if at.After(s.subjects[subject]) {
		s.subjects[subject] = at
	}
	// Only the subject's families not yet revoked (s.live), not every
	// family in the store: a user who logs out everywhere again and again
	// must not stall everyone's refreshes on the lock. revokeFamily
	// unlinks each, so take next first.
	for f := s.live[subject]; f != nil; {
		next := f.next
		s.subjectVisits++
		s.revokeFamily(f.id, f, time.Time{})
		f = next
	}
	return nil
}

// Revoked implements RefreshStore.
func (s *MemoryRefreshStore) Revoked(ctx context.Context, id, subject string, issuedAt time.Time) (bool, error) {
	return s.RevokedInFamily(ctx, id, subject, "", issuedAt)
}

// RevokedInFamily implements FamilyRevocationStore: one lock and, next to
// Revoked's, one more lookup in the same map (a revoked family's ID is kept
// with the revoked jtis).
func (s *MemoryRefreshStore) RevokedInFamily(ctx context.Context, id, subject, family string, issuedAt time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	c := s.clockNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick(c, time.Time{})
	if _, ok := s.revoked[id]; ok {
		return true, nil
	}
	if family != "" {
		if _, ok := s.revoked[family]; ok {
			return true, nil
		}
	}
	return s.subjectRevoked(subject, issuedAt), nil
}
