package boltstore

import bolt "go.etcd.io/bbolt"

// SetOnWrite installs a hook called with the ID of every write transaction
// s runs work in. Call it before using s.
func SetOnWrite(s *Store, fn func(txid int)) { s.onWrite = fn }

// SetOnCommit installs a hook called after each commit with the number of
// its writes that wrote and that wrote nothing. Call it before using s.
func SetOnCommit(s *Store, fn func(wrote, wroteNothing int)) { s.onCommit = fn }

// DB exposes the bbolt handle for white-box checks.
func DB(s *Store) *bolt.DB { return s.db }

// SetOnLoadRead installs a hook Load calls after reading key from the file
// and before filling the cache. Call it before using s.
func SetOnLoadRead(s *Store, fn func(key string)) { s.onLoadRead = fn }

// CacheLen returns the number of records in s's read cache.
func CacheLen(s *Store) int { return s.cache.len() }

// QueueLen returns the number of writes waiting for the next commit.
func QueueLen(s *Store) int {
	s.committer.mu.Lock()
	defer s.committer.mu.Unlock()
	return len(s.committer.queue)
}

// CacheKeys returns the keys of s's read cache.
func CacheKeys(s *Store) []string {
	var keys []string
	for i := range s.cache.shards {
		sh := &s.cache.shards[i]
		sh.mu.Lock()
		for k := range sh.m {
			keys = append(keys, k)
		}
		sh.mu.Unlock()
	}
	return keys
}

// SetUpdateDB makes s run its write transactions through fn instead of
// db.Update. Call it before using s.
func SetUpdateDB(s *Store, fn func(db *bolt.DB, f func(*bolt.Tx) error) error) { s.updateDB = fn }
