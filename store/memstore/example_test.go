package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

func Example() {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := memstore.New(&memstore.Options{Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()

	key := "hash-of-a-session-id" // session.Key(id) in real use
	err = s.Create(ctx, &session.Record{
		Key: key, Principal: "alice", Created: now, LastAccess: now,
		IdleTimeout: 30 * time.Minute, Deadline: now.Add(24 * time.Hour),
		Attrs: map[string][]byte{"theme": []byte(`"dark"`)},
	})
	if err != nil {
		panic(err)
	}
	r, found, _ := s.Load(ctx, key)
	fmt.Println(found, string(r.Attrs["theme"]))

	// Half an hour of idleness later the session is gone, and Sweep reports it.
	now = now.Add(31 * time.Minute)
	_, found, _ = s.Load(ctx, key)
	expired, _ := s.Sweep(ctx)
	fmt.Println(found, len(expired), expired[0].Principal)
	// Output:
	// true "dark"
	// false 1 alice
}
