package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/httpstate/httpstate/session"
)

// The sessions bucket maps a store key to its record in this binary format
// (version 1); integers are varints as encoding/binary writes them:
//
//	byte     format version (1)
//	uvarint  len(principal), then the principal's bytes
//	time     Created      (a time is a varint of Unix seconds and a uvarint of nanoseconds)
//	time     LastAccess
//	varint   IdleTimeout in nanoseconds
//	time     Deadline
//	uvarint  number of attributes n
//	n times  uvarint len(name), uvarint len(value)
//	         the n names, back to back
//	         the n values, back to back
//
// Names before values lets Iterate and ByPrincipal compute Meta.Size from the
// lengths alone, and lets decodeRecord copy all names into one string and all
// values into one buffer: few allocations per Load.
const recordVersion = 1

// errCorrupt reports a record that cannot be decoded.
var errCorrupt = errors.New("boltstore: corrupt record")

// encodeRecord appends r's encoding to dst. r.Key is not encoded: it is the
// bucket key. Writes encode with encodeChecked, which refuses what
// decodeRecord could not read back.
func encodeRecord(dst []byte, r *session.Record) []byte {
	dst = append(dst, recordVersion)
	dst = binary.AppendUvarint(dst, uint64(len(r.Principal)))
	dst = append(dst, r.Principal...)
	dst = appendTime(dst, r.Created)
	dst = appendTime(dst, r.LastAccess)
	dst = binary.AppendVarint(dst, int64(r.IdleTimeout))
	dst = appendTime(dst, r.Deadline)
	dst = binary.AppendUvarint(dst, uint64(len(r.Attrs)))
	names := make([]string, 0, len(r.Attrs))
	for k := range r.Attrs {
		names = append(names, k)
	}
	for _, k := range names {
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = binary.AppendUvarint(dst, uint64(len(r.Attrs[k])))
	}
	for _, k := range names {
		dst = append(dst, k...)
	}
	for _, k := range names {
		dst = append(dst, r.Attrs[k]...)
	}
	return dst
}

// encodeChecked returns r's encoding, or an error wrapping ErrTooLarge (and
// naming op and r.Key) when r could not be stored and read back: more than
// MaxAttrs attributes, which decodeRecord refuses, or an encoding longer
// than maxValue, the largest value bbolt stores. Names and values have no
// limits of their own: each length is a uvarint, checked on decoding only
// against the bytes that follow.
func encodeChecked(op string, r *session.Record, maxValue int) ([]byte, error) {
	if len(r.Attrs) > MaxAttrs {
		return nil, fmt.Errorf("boltstore: %s %.8s: %d attributes, over the limit of %d: %w", op, r.Key, len(r.Attrs), MaxAttrs, ErrTooLarge)
	}
	v := encodeRecord(make([]byte, 0, encodedSize(r)), r)
	if len(v) > maxValue {
		return nil, fmt.Errorf("boltstore: %s %.8s: record encodes to %d bytes, over the limit of %d: %w", op, r.Key, len(v), maxValue, ErrTooLarge)
	}
	return v, nil
}

// encodedSize returns an upper bound of r's encoded length.
func encodedSize(r *session.Record) int {
	n := 1 + binary.MaxVarintLen64 + len(r.Principal) + 4*2*binary.MaxVarintLen64 + binary.MaxVarintLen64
	for k, v := range r.Attrs {
		n += 2*binary.MaxVarintLen64 + len(k) + len(v)
	}
	return n
}

// appendTime appends t as Unix seconds and nanoseconds.
func appendTime(dst []byte, t time.Time) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
}

// decoder reads a record's fields in order. The first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// length reads a uvarint that counts bytes still to come.
func (d *decoder) length() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	return int(v)
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 {
		d.err = errCorrupt
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// header is a decoded record without its attribute bytes.
type header struct {
	principal  []byte // aliases the input
	created    time.Time
	lastAccess time.Time
	idle       time.Duration
	deadline   time.Time
	lens       []uint64 // name and value lengths, interleaved; nil when n is 0
	nameBytes  int
	valueBytes int
	rest       []byte // names then values
}

// expiry returns the record's expiry, as session.Record.Expiry does.
func (h *header) expiry() time.Time {
	idle := h.lastAccess.Add(h.idle)
	if !h.deadline.IsZero() && h.deadline.Before(idle) {
		return h.deadline
	}
	return idle
}

// decodeHeader decodes all of b but the attribute names and values, which
// it checks are all there. lensBuf may be reused for the lengths.
func decodeHeader(b []byte, lensBuf []uint64) (header, error) {
	var h header
	if len(b) == 0 || b[0] != recordVersion {
		return h, fmt.Errorf("%w: unknown format version", errCorrupt)
	}
	d := decoder{b: b[1:]}
	h.principal = d.bytes(d.length())
	h.created = d.time()
	h.lastAccess = d.time()
	h.idle = time.Duration(d.varint())
	h.deadline = d.time()
	n := d.uvarint()
	if d.err != nil {
		return h, d.err
	}
	// Each attribute takes at least two length bytes.
	// MaxAttrs also keeps junk from making the decoder allocate a huge map.
	if n > MaxAttrs || n > uint64(len(d.b))/2 {
		return h, fmt.Errorf("%w: %d attributes", errCorrupt, n)
	}
	h.lens = lensBuf[:0]
	for range n {
		kl, vl := d.uvarint(), d.uvarint()
		if d.err != nil {
			return h, d.err
		}
		// Each length is bounded by the input, so the sums cannot overflow.
		if kl > uint64(len(b)) || vl > uint64(len(b)) {
			return h, errCorrupt
		}
		h.lens = append(h.lens, kl, vl)
		h.nameBytes += int(kl)
		h.valueBytes += int(vl)
		if h.nameBytes+h.valueBytes > len(b) {
			return h, errCorrupt
		}
	}
	if h.nameBytes+h.valueBytes != len(d.b) {
		return h, fmt.Errorf("%w: attribute lengths do not match the data", errCorrupt)
	}
	h.rest = d.b
	return h, nil
}

// decodeRecord decodes a record stored under key. The result shares no
// memory with b (which may be bolt's memory-mapped page) or key: the key,
// the principal and all names go into one string and all values into one
// buffer, each value capped so that appending to it copies.
func decodeRecord(key string, b []byte) (*session.Record, error) {
	var lensBuf [16]uint64
	h, err := decodeHeader(b, lensBuf[:])
	if err != nil {
		return nil, err
	}
	r := &session.Record{
		Created:     h.created,
		LastAccess:  h.lastAccess,
		IdleTimeout: h.idle,
		Deadline:    h.deadline,
	}
	n := len(h.lens) / 2
	// One string holds the key, the principal and every name. The key is
	// copied: the record may be cached, and must not keep the caller's
	// string (see session.Store).
	kp := len(key) + len(h.principal)
	s := string(append(append(append(make([]byte, 0, kp+h.nameBytes), key...), h.principal...), h.rest[:h.nameBytes]...))
	r.Key, r.Principal = s[:len(key)], s[len(key):kp]
	if n == 0 {
		return r, nil
	}
	names := s[kp:]
	values := append(make([]byte, 0, h.valueBytes), h.rest[h.nameBytes:]...)
	r.Attrs = make(map[string][]byte, n)
	for i := range n {
		kl, vl := int(h.lens[2*i]), int(h.lens[2*i+1])
		r.Attrs[names[:kl]] = values[:vl:vl]
		names, values = names[kl:], values[vl:]
	}
	if len(r.Attrs) != n {
		return nil, fmt.Errorf("%w: duplicate attribute names", errCorrupt)
	}
	return r, nil
}

// decodeMeta decodes the metadata of the record stored under key without
// copying its attributes.
func decodeMeta(key string, b []byte, lensBuf []uint64) (session.Meta, []uint64, error) {
	h, err := decodeHeader(b, lensBuf)
	if err != nil {
		return session.Meta{}, h.lens, err
	}
	return session.Meta{
		Key:        key,
		Principal:  string(h.principal),
		Created:    h.created,
		LastAccess: h.lastAccess,
		Expiry:     h.expiry(),
		Size:       h.valueBytes,
	}, h.lens, nil
}

// timeKey encodes t as 8 bytes whose byte order is t's time order: Unix
// nanoseconds, clamped to the int64 range, with the sign bit flipped.
func timeKey(dst []byte, t time.Time) []byte {
	var ns int64
	switch {
	case t.Before(minNano):
		ns = math.MinInt64
	case t.After(maxNano):
		ns = math.MaxInt64
	default:
		ns = t.UnixNano()
	}
	return binary.BigEndian.AppendUint64(dst, uint64(ns)^(1<<63))
}

// The instants time.UnixNano can represent.
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)
