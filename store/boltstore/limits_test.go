package boltstore_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// withAttrs returns a record for key holding n attributes a0, a1, ...
func withAttrs(key string, n int) *session.Record {
	r := storetest.NewRecord(key, "alice", tNow)
	r.Attrs = make(map[string][]byte, n)
	for i := range n {
		r.Attrs["a"+strconv.Itoa(i)] = []byte(`1`)
	}
	return r
}

// TestMaxAttrs: a record of MaxAttrs attributes is stored and reads back; a
// write that would leave more (Create, Save, Update) fails with
// ErrTooLarge, writes nothing (no commit) and leaves the record readable
// and as it was. Before, the write failed as a "corrupt record", a real
// failure that rolled back its whole shared transaction.
func TestMaxAttrs(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	refused := func(what string, write func() error) {
		t.Helper()
		before := diskStateOf(t, s)
		if err := write(); !errors.Is(err, boltstore.ErrTooLarge) {
			t.Errorf("%s: err = %v, want one wrapping ErrTooLarge", what, err)
		}
		if after := diskStateOf(t, s); after != before {
			t.Errorf("%s: committed transaction %d → %d; want no commit", what, before.txid, after.txid)
		}
	}
	loadN := func(key string, want int) {
		t.Helper()
		r, found, err := s.Load(ctx, key)
		if err != nil || !found || len(r.Attrs) != want {
			t.Fatalf("Load(%s) = %d attributes, %v, %v; want %d", key, len(r.Attrs), found, err, want)
		}
	}

	refused("Create with MaxAttrs+1 attributes", func() error {
		return s.Create(ctx, withAttrs("over", boltstore.MaxAttrs+1))
	})
	if _, found, err := s.Load(ctx, "over"); found || err != nil {
		t.Errorf("Load(over) after a refused Create = %v, %v; want absent", found, err)
	}

	if err := s.Create(ctx, withAttrs("full", boltstore.MaxAttrs)); err != nil {
		t.Fatalf("Create with MaxAttrs attributes = %v, want nil", err)
	}
	loadN("full", boltstore.MaxAttrs)
	refused("Save adding an attribute to a full record", func() error {
		return s.Save(ctx, "full", session.Delta{Set: map[string][]byte{"extra": []byte(`1`)}, LastAccess: clock.Now()})
	})
	refused("Update adding an attribute to a full record", func() error {
		_, err := s.Update(ctx, "full", "extra", func([]byte, bool) ([]byte, error) { return []byte(`1`), nil })
		return err
	})
	loadN("full", boltstore.MaxAttrs)

	// Writes that stay within the limit still succeed.
	if _, err := s.Update(ctx, "full", "a0", func([]byte, bool) ([]byte, error) { return []byte(`2`), nil }); err != nil {
		t.Errorf("Update replacing an attribute of a full record = %v, want nil", err)
	}
	err := s.Save(ctx, "full", session.Delta{Delete: []string{"a1"}, Set: map[string][]byte{"extra": []byte(`1`)}})
	if err != nil {
		t.Errorf("Save swapping an attribute of a full record = %v, want nil", err)
	}
	// A reopened file reads it back, uncached.
	path := s.Path()
	s.Close()
	s2, err := boltstore.Open(path, &boltstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	r, found, err := s2.Load(ctx, "full")
	if err != nil || !found || len(r.Attrs) != boltstore.MaxAttrs || string(r.Attrs["a0"]) != `2` || string(r.Attrs["extra"]) != `1` {
		t.Fatalf("Load(full) after reopen = %d attributes, %v, %v", len(r.Attrs), found, err)
	}
}

// TestTooLargeInBatch: a write refused with ErrTooLarge shares its commit
// with others without failing them.
func TestTooLargeInBatch(t *testing.T) {
	s := openStore(t, &boltstore.Options{Now: storetest.NewClock(tNow).Now})
	ctx := context.Background()
	if err := s.Create(ctx, withAttrs("full", boltstore.MaxAttrs)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, storetest.NewRecord("k", "", tNow)); err != nil {
		t.Fatal(err)
	}
	const n = 6
	save := func(i int) {
		err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"s" + strconv.Itoa(i): []byte(`1`)}})
		if err != nil {
			t.Errorf("Save %d = %v", i, err)
		}
	}
	before := diskStateOf(t, s)
	batched(t, s, n, func() { save(n) }, func(i int) {
		if i%2 == 1 {
			save(i)
			return
		}
		err := s.Save(ctx, "full", session.Delta{Set: map[string][]byte{"x" + strconv.Itoa(i): []byte(`1`)}})
		if !errors.Is(err, boltstore.ErrTooLarge) {
			t.Errorf("Save %d over the limit = %v, want ErrTooLarge", i, err)
		}
	})
	if after := diskStateOf(t, s); after.txid != before.txid+2 {
		t.Errorf("%d commits, want 2 (the held one, then one for the whole queue)", after.txid-before.txid)
	}
	r, _, err := s.Load(ctx, "k")
	if err != nil || len(r.Attrs) != 2+n/2+1 {
		t.Errorf("Load(k) = %v, %v; want the %d Saves applied", r, err, n/2+1)
	}
}

// TestTooLargeThroughManager: a session the store refuses as too large is
// the application's error, not an outage. The error wraps
// session.ErrTooLarge, so the Manager's default ErrorHandler answers 500,
// not 503, and the session stays as it was.
func TestTooLargeThroughManager(t *testing.T) {
	if !errors.Is(boltstore.ErrTooLarge, session.ErrTooLarge) {
		t.Fatal("boltstore.ErrTooLarge does not wrap session.ErrTooLarge")
	}
	s := openStore(t, nil)
	m, err := session.New(&session.Options{Store: s, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var attrs atomic.Int64 // attributes the next request sets
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := session.FromRequest(r)
		for i := range attrs.Load() {
			sess.Set("a"+strconv.FormatInt(i, 10), 1)
		}
		io.WriteString(w, "ok")
	}))
	attrs.Store(1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("first request: %d %s", rec.Code, rec.Body)
	}
	cookie := rec.Result().Cookies()[0]

	attrs.Store(boltstore.MaxAttrs + 1)
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("too large a session: status %d, want 500 (the application's error, not 503)", rec.Code)
	}
	r, found, err := s.Load(context.Background(), session.Key(cookie.Value))
	if err != nil || !found || len(r.Attrs) != 1 {
		t.Errorf("after the refused write: found %v, %v, %d attributes; want the session as it was", found, err, len(r.Attrs))
	}
}

// TestLongKeyOrPrincipal: a principal over MaxPrincipalLen, or a key over
// MaxKeyLen, is a format limit like MaxAttrs: Create, Save and Rename refuse
// it with an error wrapping ErrTooLarge (so session.ErrTooLarge: the
// Manager answers 500, the application's error, not 503) and write
// nothing. Before, the error wrapped nothing.
func TestLongKeyOrPrincipal(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	longP := strings.Repeat("p", boltstore.MaxPrincipalLen+1)
	longK := strings.Repeat("k", boltstore.MaxKeyLen+1)
	if err := s.Create(ctx, storetest.NewRecord("k", "alice", tNow)); err != nil {
		t.Fatal(err)
	}
	before := diskStateOf(t, s)
	for what, err := range map[string]error{
		"Create with a long principal": s.Create(ctx, storetest.NewRecord("k2", longP, tNow)),
		"Create with a long key":       s.Create(ctx, storetest.NewRecord(longK, "alice", tNow)),
		"Save of a long principal":     s.Save(ctx, "k", session.Delta{Principal: &longP}),
		"Rename to a long key":         s.Rename(ctx, "k", longK),
	} {
		if !errors.Is(err, boltstore.ErrTooLarge) || !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("%s: err = %v, want one wrapping ErrTooLarge", what, err)
		}
	}
	if after := diskStateOf(t, s); after != before {
		t.Errorf("refused writes committed transaction %d → %d; want no commit", before.txid, after.txid)
	}
	if r, found, err := s.Load(ctx, "k"); err != nil || !found || r.Principal != "alice" {
		t.Errorf("Load(k) = %v, %v, %v; want alice's record unchanged", r, found, err)
	}
	for _, key := range []string{"k2", longK} {
		if _, found, err := s.Load(ctx, key); found || err != nil {
			t.Errorf("Load(%.8s) after a refused write = %v, %v; want absent", key, found, err)
		}
	}
	// An empty key is the caller's mistake, not a size limit.
	if err := s.Create(ctx, storetest.NewRecord("", "", tNow)); err == nil || errors.Is(err, session.ErrTooLarge) {
		t.Errorf("Create with an empty key: err = %v, want a plain error", err)
	}
}

// TestSaveAbsentOddKey: Save of a principal to a key no record can hold
// (empty, or over MaxKeyLen) reports ErrNotFound, as for any absent key.
// Before, it failed with "empty key" or a key length error.
func TestSaveAbsentOddKey(t *testing.T) {
	s := openStore(t, nil)
	p := "alice"
	for _, key := range []string{"", strings.Repeat("k", boltstore.MaxKeyLen+1)} {
		if err := s.Save(context.Background(), key, session.Delta{Principal: &p}); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Save(%d-byte key) = %v, want one wrapping ErrNotFound", len(key), err)
		}
		// A principal over MaxPrincipalLen is refused as too large
		// whatever the key (before, an empty key answered "empty key").
		long := strings.Repeat("p", boltstore.MaxPrincipalLen+1)
		if err := s.Save(context.Background(), key, session.Delta{Principal: &long}); !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("Save(%d-byte key) of a long principal = %v, want one wrapping ErrTooLarge", len(key), err)
		}
	}
}
