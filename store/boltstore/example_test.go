package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
)

func Example() {
	dir, err := os.MkdirTemp("", "boltstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "sessions.db")
	ctx := context.Background()
	now := time.Now()

	// Zero configuration: a path is enough.
	s, err := boltstore.Open(path, nil)
	if err != nil {
		panic(err)
	}
	err = s.Create(ctx, &session.Record{
		Key: "hash-of-a-session-id", Principal: "alice", Created: now, LastAccess: now,
		IdleTimeout: 30 * time.Minute, Deadline: now.Add(24 * time.Hour),
		Attrs: map[string][]byte{"cart": []byte(`["book"]`)},
	})
	if err != nil {
		panic(err)
	}
	// Acknowledged writes are on disk: they survive a restart (or a crash).
	s.Close()

	s, err = boltstore.Open(path, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	r, found, err := s.Load(ctx, "hash-of-a-session-id")
	fmt.Println(found, err, string(r.Attrs["cart"]))
	mine, _ := s.ByPrincipal(ctx, "alice")
	fmt.Println(len(mine), mine[0].Key)
	// Output:
	// true <nil> ["book"]
	// 1 hash-of-a-session-id
}
