package redisstore

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/httpstate/httpstate/session"
)

// Field names of a session hash. Attributes are stored under attrPrefix +
// name, so they never collide with these.
const (
	fCreated    = "c"
	fLastAccess = "a"
	fIdle       = "i"
	fDeadline   = "d"
	fPrincipal  = "p"
	fSize       = "z"
	fMoving     = "m"
	attrPrefix  = "."
)

// metaFields are the fields Sweep, ByPrincipal and Iterate read with HMGET,
// in the order decodeMeta expects.
var metaFields = []string{fCreated, fLastAccess, fIdle, fDeadline, fPrincipal, fSize, fMoving}

var inf = math.Inf(1)

// stored is a decoded session hash.
type stored struct {
	rec    session.Record
	size   int
	moving bool
}

// expiry returns the session's expiry in Unix ms.
func (st *stored) expiry() int64 {
	return expiryMS(st.rec.LastAccess, st.rec.IdleTimeout, st.rec.Deadline)
}

// expiryMS is Record.Expiry in Unix ms, on the millisecond values the hash
// holds (the script computes the same).
func expiryMS(lastAccess time.Time, idle time.Duration, deadline time.Time) int64 {
	e := ms(lastAccess) + idle.Milliseconds()
	if d := deadlineMS(deadline); d != 0 && d < e {
		return d
	}
	return e
}

// deadlineMS encodes a deadline: 0 for none.
func deadlineMS(d time.Time) int64 {
	if d.IsZero() {
		return 0
	}
	return ms(d)
}

// meta returns the session's metadata.
func (st *stored) meta() session.Meta {
	return session.Meta{
		Key:        st.rec.Key,
		Principal:  st.rec.Principal,
		Created:    st.rec.Created,
		LastAccess: st.rec.LastAccess,
		Expiry:     time.UnixMilli(st.expiry()),
		Size:       st.size,
	}
}

// live reports whether the session is alive at now (Unix ms).
func (st *stored) live(now int64) bool { return !st.moving && st.expiry() > now }

// encodeRecord returns the HSET arguments (field, value, ...) for r.
func encodeRecord(r *session.Record) []any {
	args := make([]any, 0, 12+2*len(r.Attrs))
	size := 0
	for k, v := range r.Attrs {
		args = append(args, attrPrefix+k, v)
		size += len(v)
	}
	return append(args,
		fCreated, ms(r.Created),
		fLastAccess, ms(r.LastAccess),
		fIdle, r.IdleTimeout.Milliseconds(),
		fDeadline, deadlineMS(r.Deadline),
		fPrincipal, r.Principal,
		fSize, size,
	)
}

// decodeHash decodes a whole session hash (HGETALL). It returns an error
// wrapping ErrCorrupt for an unknown field, a missing or malformed number.
func decodeHash(key string, h map[string]string) (*stored, error) {
	st := &stored{rec: session.Record{Key: key}}
	var have [4]bool
	size := 0 // the attributes' own size; the stored z is only checked
	for f, v := range h {
		if len(f) > 0 && f[0] == attrPrefix[0] {
			if st.rec.Attrs == nil {
				st.rec.Attrs = make(map[string][]byte, len(h))
			}
			st.rec.Attrs[f[1:]] = []byte(v)
			size += len(v)
			continue
		}
		if err := st.setMeta(f, v, &have); err != nil {
			return nil, err
		}
	}
	for i, ok := range have {
		if !ok {
			return nil, fmt.Errorf("%w: %q: missing field %q", ErrCorrupt, key, []string{fCreated, fLastAccess, fIdle, fDeadline}[i])
		}
	}
	st.size = size
	return st, nil
}

// decodeMeta decodes the HMGET reply for metaFields; ok is false when the
// hash does not exist.
func decodeMeta(key string, vals []any) (st *stored, ok bool, err error) {
	if len(vals) != len(metaFields) {
		return nil, false, fmt.Errorf("%w: %q: %d meta values, want %d", ErrCorrupt, key, len(vals), len(metaFields))
	}
	present := false
	for _, v := range vals {
		if v != nil {
			present = true
		}
	}
	if !present {
		return nil, false, nil
	}
	st = &stored{rec: session.Record{Key: key}}
	var have [4]bool
	for i, v := range vals {
		if v == nil {
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			return nil, false, fmt.Errorf("%w: %q: field %v is %T", ErrCorrupt, key, metaFields[i], v)
		}
		if err := st.setMeta(metaFields[i], s, &have); err != nil {
			return nil, false, err
		}
	}
	for _, ok := range have {
		if !ok {
			return nil, false, fmt.Errorf("%w: %q: missing metadata", ErrCorrupt, key)
		}
	}
	return st, true, nil
}

// setMeta decodes one metadata field into st; have records which of the
// required fields (c, a, i, d) were seen.
func (st *stored) setMeta(f, v string, have *[4]bool) error {
	num := func() (int64, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q: field %q = %q: not an integer", ErrCorrupt, st.rec.Key, f, v)
		}
		// Keep within what time.UnixMilli and Duration can hold.
		if n < -62135596800000 || n > 253402300799999 {
			return 0, fmt.Errorf("%w: %q: field %q = %q: out of range", ErrCorrupt, st.rec.Key, f, v)
		}
		return n, nil
	}
	switch f {
	case fCreated, fLastAccess, fIdle, fDeadline, fSize:
		n, err := num()
		if err != nil {
			return err
		}
		switch f {
		case fCreated:
			st.rec.Created, have[0] = time.UnixMilli(n), true
		case fLastAccess:
			st.rec.LastAccess, have[1] = time.UnixMilli(n), true
		case fIdle:
			if n < 0 || n > int64(math.MaxInt64/time.Millisecond) {
				return fmt.Errorf("%w: %q: bad idle timeout %d", ErrCorrupt, st.rec.Key, n)
			}
			st.rec.IdleTimeout, have[2] = time.Duration(n)*time.Millisecond, true
		case fDeadline:
			if n != 0 {
				st.rec.Deadline = time.UnixMilli(n)
			}
			have[3] = true
		case fSize:
			if n < 0 || int64(int(n)) != n { // as much as an int holds
				return fmt.Errorf("%w: %q: bad size %d", ErrCorrupt, st.rec.Key, n)
			}
			st.size = int(n)
		}
	case fPrincipal:
		st.rec.Principal = v
	case fMoving:
		st.moving = true
	default:
		return fmt.Errorf("%w: %q: unknown field %q", ErrCorrupt, st.rec.Key, f)
	}
	return nil
}
