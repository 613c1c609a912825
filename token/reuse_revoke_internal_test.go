package token

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// hangingRevokeStore is a MemoryRefreshStore whose Revoke blocks until its
// context ends, as a store that lost its network would.
type hangingRevokeStore struct {
	*MemoryRefreshStore
	called chan struct{}
}

func (s *hangingRevokeStore) Revoke(ctx context.Context, id string, until time.Time) error {
	close(s.called)
	<-ctx.Done()
	return ctx.Err()
}

// TestReuseRevokeBounded: Refresh puts a reused family on the deny list on
// a context that outlives the request (a thief hanging up must not skip
// the revocation), but bounded: a store that hangs does not hold the
// request forever. The error says both what was detected (ErrReused) and
// why the revocation failed.
func TestReuseRevokeBounded(t *testing.T) {
	ks, err := NewKeySet(SigningKey{ID: "k", Alg: HS256, Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	st := &hangingRevokeStore{MemoryRefreshStore: NewMemoryRefreshStore(), called: make(chan struct{})}
	a, err := New(&Options{Keys: ks, Issuer: "https://auth.example", Audience: "api", Refresh: st})
	if err != nil {
		t.Fatal(err)
	}
	a.revokeTimeout = 50 * time.Millisecond
	ctx := context.Background()
	p, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Refresh(ctx, p.Refresh, nil); err != nil {
		t.Fatal(err)
	}
	// The request's own context is cancelled as soon as the revocation
	// starts: the revocation must not be cut short by it, only by its own
	// bound.
	rctx, cancel := context.WithCancel(ctx)
	go func() { <-st.called; cancel() }()
	_, err = a.Refresh(rctx, p.Refresh, nil)
	if !errors.Is(err, ErrReused) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Refresh of a reused token with a hanging store = %v; want ErrReused and context.DeadlineExceeded", err)
	}
}
