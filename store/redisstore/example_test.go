package redisstore_test

import (
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// Sessions shared by every server of an application: each server runs this
// with the same Redis (a Cluster works the same with several Addrs).
func Example() {
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
	defer c.Close()
	store, err := redisstore.New(c, &redisstore.Options{Prefix: "shop:"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // runs before c.Close: the store does not own c
	m, err := session.New(&session.Options{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/cart/add", func(w http.ResponseWriter, r *http.Request) {
		// Atomic across servers: two tabs adding at once both count.
		_, err := session.Update(session.FromRequest(r), "items", func(n int, ok bool) (int, error) {
			return n + 1, nil
		})
		if err != nil {
			return // the Manager answers 503
		}
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", m.Handler(mux)))
}
