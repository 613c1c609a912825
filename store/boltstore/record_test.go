package boltstore

import (
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

var recordTests = []*session.Record{
	{Key: "k"},
	{
		Key: "k2", Principal: "alice",
		Created:     time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		LastAccess:  time.Date(2026, 1, 2, 3, 5, 5, 999999999, time.UTC),
		IdleTimeout: 30 * time.Minute,
		Deadline:    time.Date(2026, 1, 3, 3, 4, 5, 6, time.UTC),
		Attrs:       map[string][]byte{"a": []byte(`"x"`), "": []byte(`1`), "empty": {}},
	},
	{
		Key: "k3", Principal: "ünïcode\x00bytes",
		Created:     time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), // the zero time
		LastAccess:  time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		IdleTimeout: -time.Second,
		Attrs:       map[string][]byte{"big": make([]byte, 70000)},
	},
}

func TestRecordRoundTrip(t *testing.T) {
	for _, want := range recordTests {
		b := encodeRecord(nil, want)
		if n := encodedSize(want); len(b) > n {
			t.Errorf("%s: encoded %d bytes, encodedSize said at most %d", want.Key, len(b), n)
		}
		got, err := decodeRecord(want.Key, b)
		if err != nil {
			t.Fatalf("%s: decode: %v", want.Key, err)
		}
		if !sameRecord(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
		m, _, err := decodeMeta(want.Key, b, nil)
		if err != nil || m.Size != attrSize(want.Attrs) || !m.Expiry.Equal(want.Expiry()) || m.Principal != want.Principal {
			t.Errorf("%s: decodeMeta = %+v, %v", want.Key, m, err)
		}
	}
}

// junkRecords must not decode.
var junkRecords = [][]byte{
	nil,
	{},
	{2},         // unknown version
	{1},         // truncated
	{1, 0x80},   // bad varint
	{1, 5, 'a'}, // principal longer than the data
	{1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0, 0}, // nanoseconds >= 1e9
	append(encodeRecord(nil, recordTests[1]), 'x'),                  // trailing byte
}

func TestDecodeJunk(t *testing.T) {
	for _, b := range junkRecords {
		if r, err := decodeRecord("k", b); err == nil {
			t.Errorf("decodeRecord(%q) = %+v, want an error", b, r)
		}
	}
	// Two attributes with one name.
	b := []byte{1, 0}
	for range 4 {
		b = append(b, 0, 0)
	}
	b = append(b, 0, 2, 1, 1, 1, 1, 'a', 'a', 'x', 'y')
	if r, err := decodeRecord("k", b); err == nil {
		t.Errorf("decodeRecord(duplicate names) = %+v, want an error", r)
	}
}

// sameRecord reports whether a and b are equal field by field.
func sameRecord(a, b *session.Record) bool {
	if a.Key != b.Key || a.Principal != b.Principal || !a.Created.Equal(b.Created) ||
		!a.LastAccess.Equal(b.LastAccess) || a.IdleTimeout != b.IdleTimeout ||
		!a.Deadline.Equal(b.Deadline) || len(a.Attrs) != len(b.Attrs) {
		return false
	}
	for k, v := range a.Attrs {
		w, ok := b.Attrs[k]
		if !ok || string(v) != string(w) {
			return false
		}
	}
	return true
}

func FuzzDecodeRecord(f *testing.F) {
	for _, r := range recordTests {
		if b := encodeRecord(nil, r); len(b) < 1000 { // big seeds slow the fuzzer down
			f.Add(b)
		}
	}
	for _, b := range junkRecords {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord("k", b)
		m, _, merr := decodeMeta("k", b, nil)
		if err != nil {
			return
		}
		if merr != nil {
			t.Fatalf("decodeRecord accepted %q but decodeMeta failed: %v", b, merr)
		}
		if m.Size != attrSize(r.Attrs) || !m.Expiry.Equal(r.Expiry()) || m.Principal != r.Principal {
			t.Fatalf("decodeMeta = %+v disagrees with decodeRecord = %+v", m, r)
		}
		again, err := decodeRecord("k", encodeRecord(nil, r))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !sameRecord(again, r) {
			t.Fatalf("round trip changed the record:\n got %+v\nwant %+v", again, r)
		}
	})
}
