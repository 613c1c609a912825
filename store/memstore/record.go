package memstore

import "github.com/httpstate/httpstate/session"

// copyRecord returns a deep copy of r: the copy shares no map or byte slice
// with r.
func copyRecord(r *session.Record) session.Record {
	c := *r
	c.Attrs = copyAttrs(r.Attrs, attrSize(r.Attrs))
	return c
}

// copyAttrs deep-copies attrs, whose values total size bytes, with two
// allocations: the map and one buffer holding every value. Each value is
// capped at its own length so that appending to one never overwrites its
// neighbour. A nil or empty attrs gives a nil map.
func copyAttrs(attrs map[string][]byte, size int) map[string][]byte {
	if len(attrs) == 0 {
		return nil
	}
	buf := make([]byte, 0, size)
	m := make(map[string][]byte, len(attrs))
	for k, v := range attrs {
		if v == nil {
			m[k] = nil
			continue
		}
		start := len(buf)
		buf = append(buf, v...)
		m[k] = buf[start:len(buf):len(buf)]
	}
	return m
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
