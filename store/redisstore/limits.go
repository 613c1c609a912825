package redisstore

import (
	"fmt"

	"github.com/httpstate/httpstate/session"
)

// Redis's limits on what Create and Save send. Redis refuses one argument
// (bulk string) longer than proto-max-bulk-len, 512 MiB by default, and
// closes the connection: go-redis would then resend the whole command,
// several times, and fail with a connection error. The store refuses such
// a write before sending it, with an error wrapping session.ErrTooLarge.
// Nothing else limits a session (checked on Redis 7.0): the number of
// arguments of a command is not limited in practice (a signed 32-bit
// count; a script ran with 1,100,000), client-query-buffer-limit bounds the
// buffered part of one argument, not the sum of a command's arguments, and
// the scripts never unpack more than 1000 values at once (Lua's C stack
// holds about 8000).
const maxArgDefault = 512 << 20

// argTooLarge returns an error wrapping session.ErrTooLarge when an
// argument of n bytes (what: which one) exceeds s.maxArg, else nil.
func (s *Store) argTooLarge(op, key, what string, n int) error {
	if n <= s.maxArg {
		return nil
	}
	return fmt.Errorf(errPrefix+"%s %.16q: %s of %d bytes is longer than Redis accepts in one argument (proto-max-bulk-len, %d bytes): %w",
		op, key, what, n, s.maxArg, session.ErrTooLarge)
}

// checkKeys checks the Redis keys of the session key and the principal
// (their lengths: it allocates nothing, for Save's hot path).
func (s *Store) checkKeys(op, key string, principal *string) error {
	if err := s.argTooLarge(op, key, "session key", len(s.prefix)+len("s:{}")+len(key)); err != nil {
		return err
	}
	if principal != nil {
		return s.argTooLarge(op, key, "principal", len(s.prefix)+len("p:{}")+len(*principal))
	}
	return nil
}

// checkRecord checks every argument Create sends for r.
func (s *Store) checkRecord(r *session.Record) error {
	if err := s.checkKeys("create", r.Key, &r.Principal); err != nil {
		return err
	}
	for k, v := range r.Attrs {
		if len(k)+len(attrPrefix) > s.maxArg || len(v) > s.maxArg {
			return s.attrTooLarge("create", r.Key, k, v)
		}
	}
	return nil
}

// attrTooLarge returns the error for an attribute whose name or value is
// too long.
func (s *Store) attrTooLarge(op, key, name string, v []byte) error {
	if err := s.argTooLarge(op, key, "attribute name", len(name)+len(attrPrefix)); err != nil {
		return err
	}
	return s.argTooLarge(op, key, fmt.Sprintf("value of attribute %.32q", name), len(v))
}
