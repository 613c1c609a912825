package cookiestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/httpstate/httpstate/session"
)

// formatVersion is the first byte of every plaintext.
const formatVersion = 1

// marshal encodes r with its issue time and expiry.
func marshal(r *session.Record, iat, exp time.Time) []byte {
	size := 64 + len(r.Key) + len(r.Principal)
	for k, v := range r.Attrs {
		size += 2*binary.MaxVarintLen32 + len(k) + len(v)
	}
	b := make([]byte, 0, size)
	b = append(b, formatVersion)
	b = appendTime(b, iat)
	b = appendTime(b, exp)
	b = appendString(b, r.Key)
	b = appendString(b, r.Principal)
	b = appendTime(b, r.Created)
	b = appendTime(b, r.LastAccess)
	b = binary.AppendVarint(b, int64(r.IdleTimeout))
	b = appendTime(b, r.Deadline)
	b = binary.AppendUvarint(b, uint64(len(r.Attrs)))
	for k, v := range r.Attrs {
		b = appendString(b, k)
		b = appendBytes(b, v)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte { return binary.AppendVarint(b, t.UnixMilli()) }

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// decoder reads the fields marshal wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) time() time.Time { return time.UnixMilli(d.varint()).UTC() }

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errShort
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// unmarshal decodes what marshal encoded.
func unmarshal(b []byte) (r *session.Record, iat, exp time.Time, err error) {
	if len(b) == 0 || b[0] != formatVersion {
		return nil, iat, exp, errors.New("unknown format version")
	}
	d := &decoder{b: b[1:]}
	iat, exp = d.time(), d.time()
	r = &session.Record{
		Key:       string(d.bytes()),
		Principal: string(d.bytes()),
		Created:   d.time(),
	}
	r.LastAccess = d.time()
	r.IdleTimeout = time.Duration(d.varint())
	r.Deadline = d.time()
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/2) { // each attribute takes at least 2 bytes
		return nil, iat, exp, fmt.Errorf("%d attributes in %d bytes", n, len(d.b))
	}
	r.Attrs = make(map[string][]byte, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		k := string(d.bytes())
		v := d.bytes()
		if d.err != nil {
			break
		}
		if _, dup := r.Attrs[k]; dup {
			return nil, iat, exp, fmt.Errorf("duplicate attribute %q", k)
		}
		r.Attrs[k] = v
	}
	if d.err != nil {
		return nil, iat, exp, d.err
	}
	if len(d.b) != 0 {
		return nil, iat, exp, fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if r.Key == "" {
		return nil, iat, exp, errors.New("empty key")
	}
	return r, iat, exp, nil
}
