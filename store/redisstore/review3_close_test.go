package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/session"
)

// TestCloseDuringSave: a Close of a store that owns its client (Dial),
// called once a Save that shortens the idle timeout has written, waits
// for its expiry-index update before it closes the client, as it does for
// a Create's (4d41873): it closed the client under it, Save returned nil
// with a warning, and the entry kept the old, later expiry, so that Sweep
// reported the session late, or never once Redis dropped the hash (past
// Options.Grace).
func TestCloseDuringSave(t *testing.T) {
	srv, s, clock := dialStore(t)
	bg := context.Background()
	createAll(t, s, "alice", clock.Now(), "k")
	if err := s.Save(bg, "k", session.Delta{Set: map[string][]byte{"a": []byte("1")}}); err != nil {
		t.Fatal(err) // loads the Save script
	}
	closed, early := closeWhenMatched(t, s, "t:s:{k}")
	err := s.Save(bg, "k", session.Delta{IdleTimeout: time.Minute})
	closeWaited(t, "Save with Close called after its script", err, closed, early)
	direct := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer direct.Close()
	want := float64(clock.Now().Add(time.Minute).UnixMilli())
	if got, err := direct.ZScore(bg, "t:expiry", "k").Result(); err != nil || got != want {
		t.Errorf("expiry-index score after the Save = %v, %v; want the new expiry %v", got, err, want)
	}
}
