package redisstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// toHash renders HSET arguments as the map HGETALL would return.
func toHash(args []any) map[string]string {
	h := make(map[string]string, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		var v string
		switch x := args[i+1].(type) {
		case []byte:
			v = string(x)
		default:
			v = fmt.Sprint(x)
		}
		h[args[i].(string)] = v
	}
	return h
}

var decodeHashTests = []struct {
	name string
	h    map[string]string
	err  bool
}{
	{"minimal", map[string]string{"c": "1", "a": "2", "i": "3", "d": "0"}, false},
	{"attribute named like meta", map[string]string{"c": "1", "a": "2", "i": "3", "d": "0", ".c": "x", ".": "empty name"}, false},
	{"unknown field", map[string]string{"c": "1", "a": "2", "i": "3", "d": "0", "x": "1"}, true},
	{"missing created", map[string]string{"a": "2", "i": "3", "d": "0"}, true},
	{"missing deadline", map[string]string{"c": "1", "a": "2", "i": "3"}, true},
	{"not a number", map[string]string{"c": "1", "a": "two", "i": "3", "d": "0"}, true},
	{"float", map[string]string{"c": "1", "a": "2.5", "i": "3", "d": "0"}, true},
	{"negative idle", map[string]string{"c": "1", "a": "2", "i": "-3", "d": "0"}, true},
	{"idle overflow", map[string]string{"c": "1", "a": "2", "i": "9223372036854775807", "d": "0"}, true},
	{"time out of range", map[string]string{"c": "1", "a": "999999999999999999", "i": "3", "d": "0"}, true},
	{"negative size", map[string]string{"c": "1", "a": "2", "i": "3", "d": "0", "z": "-1"}, true},
	{"empty field", map[string]string{"c": "1", "a": "2", "i": "3", "d": "0", "": "x"}, true},
}

func TestDecodeHash(t *testing.T) {
	for _, tt := range decodeHashTests {
		_, err := decodeHash("k", tt.h)
		if got := err != nil; got != tt.err {
			t.Errorf("%s: decodeHash error = %v, want error %v", tt.name, err, tt.err)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v does not wrap ErrCorrupt", tt.name, err)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	now := time.UnixMilli(1_780_000_000_123)
	r := &session.Record{
		Key: "k", Principal: "alice", Created: now.Add(-time.Hour), LastAccess: now,
		IdleTimeout: 30 * time.Minute, Deadline: now.Add(23 * time.Hour),
		Attrs: map[string][]byte{"a": []byte(`"x"`), "c": []byte(`1`), "": []byte(`null`)},
	}
	st, err := decodeHash("k", toHash(encodeRecord(r)))
	if err != nil {
		t.Fatalf("decodeHash(encodeRecord(r)) = %v", err)
	}
	got := st.rec
	if got.Principal != r.Principal || !got.Created.Equal(r.Created) || !got.LastAccess.Equal(r.LastAccess) ||
		got.IdleTimeout != r.IdleTimeout || !got.Deadline.Equal(r.Deadline) || len(got.Attrs) != len(r.Attrs) {
		t.Fatalf("round trip: got %+v, want %+v", got, *r)
	}
	for k, v := range r.Attrs {
		if string(got.Attrs[k]) != string(v) {
			t.Errorf("attr %q = %s, want %s", k, got.Attrs[k], v)
		}
	}
	if want := 3 + 1 + 4; st.size != want {
		t.Errorf("size = %d, want %d", st.size, want)
	}
	if got, want := time.UnixMilli(st.expiry()), r.Expiry(); !got.Equal(want) {
		t.Errorf("expiry = %v, want %v", got, want)
	}
	// No deadline round-trips as none.
	r.Deadline = time.Time{}
	st, err = decodeHash("k", toHash(encodeRecord(r)))
	if err != nil || !st.rec.Deadline.IsZero() {
		t.Fatalf("zero deadline: got %v, %v; want zero, nil", st.rec.Deadline, err)
	}
}

// FuzzDecodeHash feeds junk hashes (fields and values separated by NUL) to
// the decoders: they must return an error or a consistent record, never
// panic.
func FuzzDecodeHash(f *testing.F) {
	now := time.UnixMilli(1_780_000_000_000)
	for _, r := range []*session.Record{
		{Created: now, LastAccess: now, IdleTimeout: time.Minute},
		{Principal: "p", Created: now, LastAccess: now, IdleTimeout: time.Hour, Deadline: now.Add(time.Hour),
			Attrs: map[string][]byte{"a": []byte(`1`)}},
	} {
		var b strings.Builder
		for k, v := range toHash(encodeRecord(r)) {
			b.WriteString(k + "\x00" + v + "\x00")
		}
		f.Add(b.String())
	}
	f.Add("c\x001\x00a\x00x\x00")
	f.Add("m\x00to\x00c\x00-62135596800000\x00a\x00253402300799999\x00i\x009223372036854\x00d\x001\x00")
	f.Fuzz(func(t *testing.T, s string) {
		parts := strings.Split(s, "\x00")
		h := make(map[string]string)
		for i := 0; i+1 < len(parts); i += 2 {
			h[parts[i]] = parts[i+1]
		}
		st, err := decodeHash("k", h)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		st.live(now.UnixMilli())
		m := st.meta()
		if m.Key != "k" || m.Size < 0 {
			t.Fatalf("meta = %+v", m)
		}
		// The HMGET path agrees with the HGETALL path on the metadata.
		vals := make([]any, len(metaFields))
		for i, f := range metaFields {
			if v, ok := h[f]; ok {
				vals[i] = v
			}
		}
		st2, ok, err := decodeMeta("k", vals)
		if err != nil || !ok {
			t.Fatalf("decodeMeta = %v, %v after decodeHash succeeded", ok, err)
		}
		if st2.expiry() != st.expiry() || st2.rec.Principal != st.rec.Principal || st2.moving != st.moving {
			t.Fatalf("decodeMeta %+v disagrees with decodeHash %+v", st2, st)
		}
	})
}

// TestSizeBeyondInt32: the z field (the attributes' total size) is kept by
// the Save script as the sum of what it wrote, so a session whose
// attributes total more than 2^31-1 bytes (each Redis string may hold
// 512 MB) is a session the store accepted: its metadata must read back,
// not fail as corrupt.
func TestSizeBeyondInt32(t *testing.T) {
	const big = "3000000000"
	if strconv.IntSize < 64 {
		t.Skipf("int is %d bits: such a size does not fit in Meta.Size", strconv.IntSize)
	}
	h := map[string]string{"c": "1", "a": "2", "i": "3", "d": "0", "z": big}
	if _, err := decodeHash("k", h); err != nil {
		t.Errorf("decodeHash with z=%s: %v", big, err)
	}
	vals := make([]any, len(metaFields))
	for i, f := range metaFields {
		if v, ok := h[f]; ok {
			vals[i] = v
		}
	}
	st, ok, err := decodeMeta("k", vals)
	if err != nil || !ok || st.meta().Size != 3000000000 {
		t.Errorf("decodeMeta with z=%s = %v, %v; want size 3000000000", big, ok, err)
	}
}
