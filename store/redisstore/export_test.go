package redisstore

// SetMaxArg sets the longest argument s sends (default maxArgDefault,
// Redis's proto-max-bulk-len), so that a test can reach it without
// allocating half a gigabyte.
func SetMaxArg(s *Store, n int) { s.maxArg = n }
