package boltstore

import (
	"hash/maphash"
	"sync"

	"github.com/httpstate/httpstate/session"
)

// DefaultCacheSize is how many decoded records the read cache holds when
// Options.CacheSize is 0.
const DefaultCacheSize = 10000

// maxCacheShards is the most shards the read cache is cut into.
const maxCacheShards = 64

// cache is a bounded write-through cache of decoded records, cut into
// shards by key. The bbolt file is locked by one process, so the only
// writers are this Store's, and every write updates the cache after its
// commit: the cache always holds what the file holds.
//
// A record in the cache is never changed: writes put a new one in its
// place. So Load hands the cached record itself to every caller, as the
// session.Store contract allows (a loaded Record is read-only and may be
// shared), and a record once loaded stays a snapshot.
//
// A Load that misses reads the file and fills the cache, unless what it
// read is a commit whose fsync has not returned yet (Store.durable): the
// cache holds only what is on disk. A write that
// commits in between must win: fill is given the shard's write sequence
// number read before the file was, and inserts nothing when a write to the
// shard has bumped it since.
type cache struct {
	seed     maphash.Seed
	mask     uint64
	perShard int // entries per shard
	shards   []cacheShard
}

type cacheShard struct {
	mu  sync.Mutex
	seq uint64 // bumped by every write to a key of this shard
	m   map[string]*session.Record
	_   [40]byte // keep shards' locks on separate cache lines
}

// newCache returns a cache of at most size records, nil when size <= 0.
func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	n := 1
	for n*2 <= maxCacheShards && n*2 <= size {
		n *= 2
	}
	c := &cache{
		seed:     maphash.MakeSeed(),
		mask:     uint64(n - 1),
		perShard: size / n,
		shards:   make([]cacheShard, n),
	}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*session.Record)
	}
	return c
}

func (c *cache) shard(key string) *cacheShard {
	return &c.shards[maphash.String(c.seed, key)&c.mask]
}

// get returns the record cached under key, or nil and the shard's write
// sequence number to give fill after reading the file.
func (c *cache) get(key string) (*session.Record, uint64) {
	sh := c.shard(key)
	sh.mu.Lock()
	r := sh.m[key]
	seq := sh.seq
	sh.mu.Unlock()
	return r, seq
}

// fill caches r, read from the file under key after get returned seq,
// unless a write to the shard has committed since.
func (c *cache) fill(key string, r *session.Record, seq uint64) {
	sh := c.shard(key)
	sh.mu.Lock()
	if sh.seq == seq {
		sh.insert(key, r, c.perShard)
	}
	sh.mu.Unlock()
}

// set records a committed write: key now holds r, or nothing when r is nil.
func (c *cache) set(key string, r *session.Record) {
	sh := c.shard(key)
	sh.mu.Lock()
	sh.seq++
	if r == nil {
		delete(sh.m, key)
	} else {
		sh.insert(key, r, c.perShard)
	}
	sh.mu.Unlock()
}

// drop removes r from under key if it is still there: an expired record
// found by Load. It is not a write, so it does not bump the sequence.
func (c *cache) drop(key string, r *session.Record) {
	sh := c.shard(key)
	sh.mu.Lock()
	if sh.m[key] == r {
		delete(sh.m, key)
	}
	sh.mu.Unlock()
}

// len returns the number of cached records.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// insert puts r under key, first evicting an arbitrary entry (map
// iteration starts at a random one) when the shard is full. sh.mu is held.
func (sh *cacheShard) insert(key string, r *session.Record, max int) {
	if _, ok := sh.m[key]; !ok && len(sh.m) >= max {
		for k := range sh.m {
			delete(sh.m, k)
			break
		}
	}
	sh.m[key] = r
}
