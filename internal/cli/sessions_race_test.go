package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// renewingStore renames a session (as a login's Renew does) just before
// the sessions command deletes it: the race between "revoke ID-HASH"
// finding a key and deleting it.
type renewingStore struct {
	session.Store
	from, to string
}

func (s *renewingStore) Delete(ctx context.Context, key string) (bool, error) {
	if key == s.from {
		if err := s.Store.Rename(ctx, s.from, s.to); err != nil {
			return false, err
		}
	}
	return s.Store.Delete(ctx, key)
}

// TestSessionsRevokeRenewedMeanwhile: when the session a prefix named got a
// new ID before the delete, nothing was revoked and the user is still
// signed in: that is an error (status 1), not "revoked 0 sessions".
func TestSessionsRevokeRenewedMeanwhile(t *testing.T) {
	store := fixtureStore(t)
	from := session.Key("bob-desktop")
	var out, errOut strings.Builder
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	o := &sessionsOptions{now: func() time.Time { return tNow }, wrapStore: func(st session.Store) session.Store {
		return &renewingStore{Store: st, from: from, to: session.Key("bob-desktop-renewed")}
	}}
	cmd := newSessionsCmdWith(s, o)
	cmd.SetArgs([]string{"--store", store, "revoke", "--", from[:10]})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	if !errors.Is(err, errNoSession) || !strings.Contains(err.Error(), "list again") {
		t.Errorf("revoke of a session renewed meanwhile: %v (stderr %q), want errNoSession asking to list again", err, errOut.String())
	}
	if strings.Contains(errOut.String(), "revoked") {
		t.Errorf("stderr %q claims a revocation", errOut.String())
	}
}

// failingStore fails every Delete after the first ok ones.
type failingStore struct {
	session.Store
	ok int
}

var errInjected = errors.New("injected store failure")

func (s *failingStore) Delete(ctx context.Context, key string) (bool, error) {
	if s.ok == 0 {
		return false, errInjected
	}
	s.ok--
	return s.Store.Delete(ctx, key)
}

// TestSessionsRevokeUserPartly: when the store fails part-way through
// "revoke --user", the error says how many sessions were revoked before it,
// so the operator knows the user is partly signed out and runs it again.
func TestSessionsRevokeUserPartly(t *testing.T) {
	store := fixtureStore(t)
	var out, errOut strings.Builder
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	o := &sessionsOptions{now: func() time.Time { return tNow }, wrapStore: func(st session.Store) session.Store {
		return &failingStore{Store: st, ok: 1}
	}}
	cmd := newSessionsCmdWith(s, o)
	cmd.SetArgs([]string{"--store", store, "revoke", "--user", "alice"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "revoked 1 session of user alice before") {
		t.Errorf("revoke --user alice failing after one: %v, want the injected error and the count", err)
	}
}
