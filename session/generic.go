package session

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Get returns the attribute key decoded as a T, and whether it exists.
func Get[T any](s *Session, key string) (T, bool, error) {
	var v T
	raw, ok, err := s.raw(key)
	if err != nil || !ok {
		return v, ok, err
	}
	// Fast paths for the commonest attribute types keep v on the stack;
	// everything else goes through encoding/json.
	switch p := any(&v).(type) {
	case *int:
		if n, ok := parseJSONInt(raw); ok && int64(int(n)) == n {
			*p = int(n)
			return v, true, nil
		}
	case *int64:
		if n, ok := parseJSONInt(raw); ok {
			*p = n
			return v, true, nil
		}
	case *bool:
		switch string(raw) {
		case "true":
			*p = true
			return v, true, nil
		case "false":
			*p = false
			return v, true, nil
		}
	case *string:
		if str, ok := plainJSONString(raw); ok {
			*p = str
			return v, true, nil
		}
	}
	pv := new(T)
	if err := json.Unmarshal(raw, pv); err != nil {
		return v, true, fmt.Errorf("session: attribute %q: %w", key, err)
	}
	return *pv, true, nil
}

// parseJSONInt parses a JSON number that is a plain integer
// (-?(0|[1-9][0-9]*), RFC 8259 section 6) fitting an int64.
func parseJSONInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 || (b[0] == '0' && len(b) > 1) {
		return 0, false // 18 digits always fit; longer ones take the slow path
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// plainJSONString returns the contents of a JSON string without escapes or
// control characters (RFC 8259 section 7), as a new string.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	b = b[1 : len(b)-1]
	for _, c := range b {
		if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return "", false // escapes, or UTF-8 that json would validate
		}
	}
	return string(b), true
}

// Update atomically replaces the attribute key with fn's result, at once, in
// the store (Store.Update): concurrent requests updating one attribute never
// lose each other's changes. fn receives the current value (ok=false when
// absent); it may be called more than once and must have no side effects.
// fn runs with the Session locked: it must not call s's methods (or Get or
// Update on s), which would wait for the lock forever; read what it needs
// before calling Update. An error from fn aborts the update and is
// returned. On a new session (not
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
		b, err := encodeValue(n)
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

// encodeValue JSON-encodes v, with fast paths for the commonest attribute
// types that produce exactly what encoding/json would.
func encodeValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(make([]byte, 0, 20), int64(x), 10), nil
	case int64:
		return strconv.AppendInt(make([]byte, 0, 20), x, 10), nil
	case bool:
		if x {
			return []byte("true"), nil
		}
		return []byte("false"), nil
	case string:
		if plainString(x) {
			b := make([]byte, 0, len(x)+2)
			b = append(b, '"')
			b = append(b, x...)
			return append(b, '"'), nil
		}
	}
	return json.Marshal(v)
}

// plainString reports whether encoding/json writes s between quotes
// unchanged: printable ASCII without '"', '\\' and the HTML characters
// '<', '>', '&' it escapes.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
