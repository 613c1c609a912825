package session

import (
	"encoding/json"
	"fmt"
)

// Get returns the attribute key decoded as a T, and whether it exists.
func Get[T any](s *Session, key string) (T, bool, error) {
	var v T
	ok, err := s.Get(key, &v)
	return v, ok, err
}

// Update atomically replaces the attribute key with fn's result, at once, in
// the store (Store.Update): concurrent requests updating one attribute never
// lose each other's changes. fn receives the current value (ok=false when
// absent); it may be called more than once and must have no side effects. An
// error from fn aborts the update and is returned. On a new session (not
// stored yet) the update is applied to the request's pending changes.
//
// If another request has invalidated the session, Update returns an error
// wrapping ErrNotFound and the session is not recreated.
func Update[T any](s *Session, key string, fn func(old T, ok bool) (T, error)) (T, error) {
	var last T
	raw, err := s.update(key, func(old []byte, ok bool) ([]byte, error) {
		var o T
		if ok {
			if err := json.Unmarshal(old, &o); err != nil {
				return nil, fmt.Errorf("session: attribute %q: %w", key, err)
			}
		}
		n, err := fn(o, ok)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(n)
		if err != nil {
			return nil, fmt.Errorf("session: attribute %q: %w", key, err)
		}
		last = n
		return b, nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	_ = raw
	return last, nil
}
