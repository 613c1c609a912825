package redisstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/httpstate/httpstate/store/redisstore"
)

// TestCancelledBeforeSend: a never-resent script (Delete, Update's
// compare-and-set) whose context is done before it is sent reports the
// context's error, not ErrOutcomeUnknown: nothing reached Redis, and the
// session is untouched. (A request whose client went away reaches the store
// this way.)
func TestCancelledBeforeSend(t *testing.T) {
	e := newLossEnv(t)
	bg := context.Background()
	if err := e.store.Create(bg, e.record("k", "", map[string][]byte{"n": []byte("0")})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := e.store.Delete(ctx, "k")
	if !errors.Is(err, context.Canceled) || errors.Is(err, redisstore.ErrOutcomeUnknown) {
		t.Errorf("Delete with a cancelled context: err = %v, want context.Canceled and not ErrOutcomeUnknown", err)
	}
	if _, ok, err := e.store.Load(bg, "k"); err != nil || !ok {
		t.Fatalf("Load after the cancelled Delete = %v, %v, want the session", ok, err)
	}
	if n, _ := e.proxy.lost(); n != 0 {
		t.Fatalf("proxy lost %d replies, want 0", n)
	}
}
