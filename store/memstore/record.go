package memstore

import (
	"maps"

	"github.com/httpstate/httpstate/session"
)

// copyRecord returns a deep copy of r: the copy shares no map or byte slice
// with r. The record and its value bytes share one allocation (see
// newRecord).
func copyRecord(r *session.Record) *session.Record {
	c, buf := newRecord(attrSize(r.Attrs))
	*c = *r
	c.Attrs = nil
	if len(r.Attrs) > 0 {
		c.Attrs = copyAttrsInto(r.Attrs, buf)
	}
	return c
}

// applyDelta returns a new record: old (whose values total size bytes) with
// d applied, and the new total. old is left as it was: the new record
// shares old's unchanged value slices (immutable, like old) and copies d's
// values, into the same allocation as the record when they are small. A nil
// value in d.Set is stored empty and non-nil, as copyAttrsInto does.
func applyDelta(old *session.Record, size int, d *session.Delta) (*session.Record, int) {
	setSize := 0
	for _, v := range d.Set {
		setSize += len(v)
	}
	r, buf := newRecord(setSize)
	*r = *old
	if len(d.Set) > 0 || len(d.Delete) > 0 {
		// maps.Clone copies the map's table wholesale, faster than
		// re-inserting each entry; the values are shared (immutable).
		attrs := maps.Clone(old.Attrs)
		if attrs == nil {
			attrs = make(map[string][]byte, len(d.Set))
		}
		for _, name := range d.Delete {
			if v, ok := attrs[name]; ok {
				size -= len(v)
				delete(attrs, name)
			}
		}
		for name, v := range d.Set {
			if prev, ok := attrs[name]; ok {
				size -= len(prev)
			}
			size += len(v)
			start := len(buf) // buf is never nil, so a nil v is stored empty, non-nil
			buf = append(buf, v...)
			attrs[name] = buf[start:len(buf):len(buf)]
		}
		if len(attrs) == 0 {
			attrs = nil
		}
		r.Attrs = attrs
	}
	if d.LastAccess.After(r.LastAccess) { // a late commit never moves it back
		r.LastAccess = d.LastAccess
	}
	if d.IdleTimeout != 0 {
		r.IdleTimeout = d.IdleTimeout
	}
	if d.Principal != nil {
		r.Principal = *d.Principal
	}
	return r, size
}

// copyAttrsInto deep-copies attrs into a new map whose values are carved
// from buf, which must have room for all of them and must not be nil. Each
// value is capped at its own length so that appending to one never
// overwrites its neighbour. A nil value becomes an empty, non-nil one: a
// present attribute never reads as nil (see storetest's NilValue case).
func copyAttrsInto(attrs map[string][]byte, buf []byte) map[string][]byte {
	m := maps.Clone(attrs) // copies the table wholesale, then the values
	for k, v := range m {
		start := len(buf) // buf is never nil, so a nil v is stored empty, non-nil
		buf = append(buf, v...)
		m[k] = buf[start:len(buf):len(buf)]
	}
	return m
}

// Records with their value bytes inline, one allocation each. The array
// lengths fill the Go allocator's size classes of 160, 256, 512 and 1024
// bytes around a 120-byte session.Record.
type (
	record40 struct {
		r session.Record
		b [40]byte
	}
	record136 struct {
		r session.Record
		b [136]byte
	}
	record392 struct {
		r session.Record
		b [392]byte
	}
	record904 struct {
		r session.Record
		b [904]byte
	}
)

// newRecord returns a new, zero Record and an empty buffer with room for n
// bytes of attribute values. Up to 904 bytes, both come from a single
// allocation; a caller that keeps a value keeps that allocation alive, no
// more.
func newRecord(n int) (*session.Record, []byte) {
	switch {
	case n == 0:
		return new(session.Record), []byte{} // empty (and nil) values are stored non-nil
	case n <= 40:
		p := new(record40)
		return &p.r, p.b[:0:n]
	case n <= 136:
		p := new(record136)
		return &p.r, p.b[:0:n]
	case n <= 392:
		p := new(record392)
		return &p.r, p.b[:0:n]
	case n <= 904:
		p := new(record904)
		return &p.r, p.b[:0:n]
	}
	return new(session.Record), make([]byte, 0, n)
}

// cloneBytes returns a copy of b; nil stays nil and an empty slice stays empty.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// attrSize returns the total length of the attribute values.
func attrSize(attrs map[string][]byte) int {
	n := 0
	for _, v := range attrs {
		n += len(v)
	}
	return n
}

// meta returns e's metadata.
func (e *entry) meta() session.Meta {
	return session.Meta{
		Key:        e.rec.Key,
		Principal:  e.rec.Principal,
		Created:    e.rec.Created,
		LastAccess: e.rec.LastAccess,
		Expiry:     e.rec.Expiry(),
		Size:       e.size,
	}
}
