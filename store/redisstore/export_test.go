package redisstore

import "time"

// SetMaxArg sets the longest argument s sends (default maxArgDefault,
// Redis's proto-max-bulk-len), so that a test can reach it without
// allocating half a gigabyte.
func SetMaxArg(s *Store, n int) { s.maxArg = n }

// SetDetachLimit sets how long the work a call completes after its context
// ended may run (default detachLimit).
func SetDetachLimit(s *Store, d time.Duration) { s.detachLimit = d }

// CreateScriptSource returns the source of Create's script, so that a
// test can load it ahead.
func CreateScriptSource() string { return createScript.src }
