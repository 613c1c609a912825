package redisstore

import (
	"math"
	"time"

	"github.com/redis/go-redis/v9"
)

// Token life. A script that must recognise its own earlier run (Create,
// Rename's create step, a Save that leaves the session expired, Sweep's
// reap) keeps a token unique to the call in the key c:{KEY} for the token
// life. go-redis resends a command whose reply was lost up to MaxRetries
// times (a cluster: MaxRedirects), each attempt waiting at most for a
// connection (PoolTimeout), a dial (DialTimeout), the write (WriteTimeout),
// the reply (ReadTimeout) and a backoff (MaxRetryBackoff): the last resend
// reaches Redis within resends × that sum after the first run. The token
// lives twice that, at least minTokenLife and at most unboundedTokenLife
// (so token keys never outlive their sessions by more than an hour): 132 s
// with go-redis's defaults (a fixed minute, as before, was shorter than
// they allow). A context deadline only shortens the waits
// (ContextTimeoutEnabled).

const (
	// minTokenLife is the shortest token life.
	minTokenLife = time.Minute
	// unboundedTokenLife is the token life for a client whose resends are
	// not bounded in time (ReadTimeout or WriteTimeout disabled, or a
	// client type whose options the store cannot read): a resend arriving
	// later than this after the first run is not recognised (Create then
	// answers ErrExists, a Save that expired the session ErrNotFound, a
	// reap reports nothing).
	unboundedTokenLife = time.Hour
)

// tokenLife returns the token life for c's options (see above). A client
// without options (a nil pointer, or a zero value not made by go-redis's
// constructors, whose Options dereferences nil) gets unboundedTokenLife:
// New must not panic on it.
func tokenLife(c redis.UniversalClient) (life time.Duration) {
	defer func() {
		if recover() != nil {
			life = unboundedTokenLife
		}
	}()
	switch c := c.(type) {
	case *redis.Client: // also Sentinel's failover client
		o := c.Options()
		if o == nil {
			return unboundedTokenLife
		}
		return resendWindow(o.MaxRetries, o.PoolTimeout, o.DialTimeout, o.WriteTimeout, o.ReadTimeout, o.MaxRetryBackoff)
	case *redis.ClusterClient:
		o := c.Options()
		if o == nil {
			return unboundedTokenLife
		}
		// The cluster client resends (MaxRedirects); its node clients
		// do not (MaxRetries is -1 unless set, then they resend too).
		resends := o.MaxRedirects
		if o.MaxRetries > 0 && o.MaxRedirects >= 0 {
			resends = o.MaxRedirects + 1
			if resends > math.MaxInt/(o.MaxRetries+1) {
				return unboundedTokenLife // more resends than a token outlives
			}
			resends *= o.MaxRetries + 1
		}
		pool := o.PoolTimeout
		if pool == 0 && o.ReadTimeout > 0 {
			pool = o.ReadTimeout + time.Second // as the node clients
		}
		return resendWindow(resends, pool, o.DialTimeout, o.WriteTimeout, o.ReadTimeout, o.MaxRetryBackoff)
	case *redis.Ring:
		// The shard clients normalise the timeouts, as redis.Options does.
		o := c.Options()
		if o == nil {
			return unboundedTokenLife
		}
		read, write, dial, pool := o.ReadTimeout, o.WriteTimeout, o.DialTimeout, o.PoolTimeout
		if read == 0 {
			read = 5 * time.Second
		}
		if write == 0 {
			write = read
		}
		if dial == 0 {
			dial = 5 * time.Second
		}
		if pool == 0 && read > 0 {
			pool = read + time.Second
		}
		return resendWindow(o.MaxRetries, pool, dial, write, read, o.MaxRetryBackoff)
	}
	return unboundedTokenLife
}

// resendWindow returns twice the time within which the last of resends
// resends reaches Redis, at least minTokenLife and at most
// unboundedTokenLife (so a token key outlives the session it names by an
// hour at most); unboundedTokenLife when a wait has no limit. The options are as the client normalised them (a
// non-positive timeout means none).
func resendWindow(resends int, pool, dial, write, read, backoff time.Duration) time.Duration {
	if resends <= 0 {
		return minTokenLife
	}
	if read <= 0 || write <= 0 || dial <= 0 {
		return unboundedTokenLife
	}
	// Each wait, their sum and the window are capped at
	// unboundedTokenLife, which also keeps the products from overflowing.
	attempt := time.Duration(0)
	for _, w := range []time.Duration{pool, dial, write, read, backoff} {
		attempt += min(max(w, 0), unboundedTokenLife)
	}
	if int64(resends) > int64(unboundedTokenLife/(2*attempt)) {
		return unboundedTokenLife
	}
	return min(unboundedTokenLife, max(minTokenLife, 2*time.Duration(resends)*attempt))
}
