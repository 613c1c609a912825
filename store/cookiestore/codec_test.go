package cookiestore_test

import (
	"encoding/base64"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

var tNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newCodec(t testing.TB, clock *testutil.Clock, maxLen int, keys ...token.Key) *cookiestore.Codec {
	t.Helper()
	ring, err := token.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cookiestore.New(&cookiestore.Options{Keyring: ring, MaxLen: maxLen, Context: "test", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sampleRecord() *session.Record {
	return &session.Record{
		Key:         "k7Qe2yH8-abc_DEF",
		Principal:   "alice@example.com",
		Created:     tNow.Add(-time.Hour),
		LastAccess:  tNow,
		IdleTimeout: 30 * time.Minute,
		Deadline:    tNow.Add(23 * time.Hour),
		Attrs: map[string][]byte{
			"cart":        []byte(`{"items":[1,2,3]}`),
			"csrf.secret": []byte(`"3q2+7w=="`),
			"":            []byte(`null`),
			"empty":       {},
		},
	}
}

func equalRecord(a, b *session.Record) bool {
	return a.Key == b.Key && a.Principal == b.Principal && a.Created.Equal(b.Created) &&
		a.LastAccess.Equal(b.LastAccess) && a.IdleTimeout == b.IdleTimeout &&
		a.Deadline.Equal(b.Deadline) && maps.EqualFunc(a.Attrs, b.Attrs, func(x, y []byte) bool { return string(x) == string(y) })
}

var roundTripRecords = []struct {
	name string
	rec  *session.Record
}{
	{"full", sampleRecord()},
	{"no attributes, no deadline", &session.Record{Key: "k", LastAccess: tNow, IdleTimeout: time.Minute, Attrs: map[string][]byte{}}},
	{"binary attribute", &session.Record{Key: "k", LastAccess: tNow, IdleTimeout: time.Hour,
		Attrs: map[string][]byte{"b": {0, 1, 2, 255, '"', ';', ','}}}},
}

func TestRoundTrip(t *testing.T) {
	clock := testutil.NewClock(tNow)
	c := newCodec(t, clock, 0, token.GenerateKey(1))
	for _, tt := range roundTripRecords {
		v, err := c.Encode(tt.rec)
		if err != nil {
			t.Fatalf("%s: Encode: %v", tt.name, err)
		}
		for i := 0; i < len(v); i++ {
			if ch := v[i]; !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
				t.Fatalf("%s: value has %q at %d, not base64url", tt.name, ch, i)
			}
		}
		got, err := c.Decode(v)
		if err != nil {
			t.Fatalf("%s: Decode: %v", tt.name, err)
		}
		if !equalRecord(got, tt.rec) {
			t.Errorf("%s: Decode(Encode(r)) = %+v, want %+v", tt.name, got, tt.rec)
		}
		v2, _ := c.Encode(tt.rec)
		if v2 == v {
			t.Errorf("%s: two encodings are identical (nonce reuse?)", tt.name)
		}
	}
	// A zero time survives.
	r := &session.Record{Key: "k", LastAccess: tNow, IdleTimeout: time.Minute}
	v, _ := c.Encode(r)
	got, err := c.Decode(v)
	if err != nil || !got.Created.IsZero() || !got.Deadline.IsZero() {
		t.Errorf("zero times: Created %v Deadline %v err %v; want zero, zero, nil", got.Created, got.Deadline, err)
	}
}

func TestTampered(t *testing.T) {
	clock := testutil.NewClock(tNow)
	key := token.GenerateKey(1)
	c := newCodec(t, clock, 0, key)
	v, err := c.Encode(sampleRecord())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(v)
	for i := range raw {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x04
		if _, err := c.Decode(base64.RawURLEncoding.EncodeToString(bad)); !errors.Is(err, cookiestore.ErrInvalid) {
			t.Fatalf("byte %d flipped: err = %v, want ErrInvalid", i, err)
		}
	}
	bad := []string{"", "x", v[:len(v)-1], v[:len(v)/2], v + "A", v + "=", strings.ToUpper(v), "!!!!"}
	for _, b := range bad {
		if _, err := c.Decode(b); !errors.Is(err, cookiestore.ErrInvalid) {
			t.Errorf("Decode(%.20q…): err = %v, want ErrInvalid", b, err)
		}
	}
	// A value sealed for another context under the very same key is
	// rejected (the associated data binds it), and one sealed under another
	// key with the same ID too.
	ring, _ := token.NewKeyring(key)
	other, _ := cookiestore.New(&cookiestore.Options{Keyring: ring, Context: "other", Now: clock.Now})
	ov, err := other.Encode(sampleRecord())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decode(ov); !errors.Is(err, cookiestore.ErrInvalid) {
		t.Errorf("value of another context: err = %v, want ErrInvalid", err)
	}
	same, _ := cookiestore.New(&cookiestore.Options{Keyring: ring, Context: "test", Now: clock.Now})
	sv, _ := same.Encode(sampleRecord())
	if _, err := c.Decode(sv); err != nil {
		t.Errorf("control: a value of the same key and context: %v", err)
	}
	foreign, _ := token.NewKeyring(token.GenerateKey(1))
	fc, _ := cookiestore.New(&cookiestore.Options{Keyring: foreign, Context: "test", Now: clock.Now})
	fv, _ := fc.Encode(sampleRecord())
	if _, err := c.Decode(fv); !errors.Is(err, cookiestore.ErrInvalid) {
		t.Errorf("value of another key: err = %v, want ErrInvalid", err)
	}
}

func TestExpired(t *testing.T) {
	clock := testutil.NewClock(tNow)
	c := newCodec(t, clock, 0, token.GenerateKey(1))
	r := sampleRecord() // idle deadline tNow+30m
	v, err := c.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(29 * time.Minute)
	if _, err := c.Decode(v); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := c.Decode(v); !errors.Is(err, cookiestore.ErrExpired) {
		t.Errorf("replayed after idle expiry: err = %v, want ErrExpired", err)
	}
	// Absolute deadline before the idle one.
	r.Deadline = tNow.Add(45 * time.Minute)
	r.LastAccess = tNow.Add(40 * time.Minute)
	clock2 := testutil.NewClock(tNow.Add(40 * time.Minute))
	c2 := newCodec(t, clock2, 0, token.GenerateKey(1))
	v2, err := c2.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	clock2.Advance(5 * time.Minute)
	if _, err := c2.Decode(v2); !errors.Is(err, cookiestore.ErrExpired) {
		t.Errorf("after absolute deadline: err = %v, want ErrExpired", err)
	}
	if _, err := c2.Encode(r); !errors.Is(err, cookiestore.ErrExpired) {
		t.Errorf("Encode of an expired record: err = %v, want ErrExpired", err)
	}
}

func TestRotation(t *testing.T) {
	clock := testutil.NewClock(tNow)
	k1, k2 := token.GenerateKey(1), token.GenerateKey(2)
	old := newCodec(t, clock, 0, k1)
	v1, _ := old.Encode(sampleRecord())
	rotated := newCodec(t, clock, 0, k2, k1)
	if _, err := rotated.Decode(v1); err != nil {
		t.Errorf("old cookie after rotation: %v", err)
	}
	v2, _ := rotated.Encode(sampleRecord())
	if _, err := old.Decode(v2); !errors.Is(err, token.ErrUnknownKey) {
		t.Errorf("new cookie on an instance without the new key: err = %v, want ErrUnknownKey", err)
	}
	retired := newCodec(t, clock, 0, k2)
	if _, err := retired.Decode(v1); !errors.Is(err, cookiestore.ErrInvalid) || !errors.Is(err, token.ErrUnknownKey) {
		t.Errorf("old cookie after retiring the key: err = %v, want ErrInvalid and ErrUnknownKey", err)
	}
	if _, err := retired.Decode(v2); err != nil {
		t.Errorf("new cookie after retiring the old key: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	clock := testutil.NewClock(tNow)
	c := newCodec(t, clock, 0, token.GenerateKey(1))
	r := sampleRecord()
	r.Attrs["blob"] = []byte(`"` + strings.Repeat("x", 2800) + `"`)
	if v, err := c.Encode(r); err != nil || len(v) > cookiestore.DefaultMaxLen {
		t.Fatalf("2.8 KB session: len %d, err %v; want it to fit", len(v), err)
	}
	r.Attrs["blob"] = []byte(`"` + strings.Repeat("x", 3100) + `"`)
	_, err := c.Encode(r)
	if !errors.Is(err, session.ErrTooLarge) {
		t.Errorf("session over 4 KB: err = %v, want ErrTooLarge", err)
	}
	big := newCodec(t, clock, 3*4080, token.GenerateKey(1))
	if _, err := big.Encode(r); err != nil {
		t.Errorf("MaxLen 3*4080: %v", err)
	}
	unlimited := newCodec(t, clock, -1, token.GenerateKey(1))
	r.Attrs["blob"] = []byte(strings.Repeat("y", 20000))
	if _, err := unlimited.Encode(r); err != nil {
		t.Errorf("MaxLen -1, 20 KB: %v", err)
	}
	// No more than a Manager can carry, which is all Decode reads.
	r.Attrs["blob"] = []byte(strings.Repeat("y", 100000))
	if _, err := unlimited.Encode(r); !errors.Is(err, session.ErrTooLarge) {
		t.Errorf("MaxLen -1, 100 KB: err = %v, want ErrTooLarge", err)
	}
}

func TestNewRequiresKeyring(t *testing.T) {
	if _, err := cookiestore.New(nil); err == nil {
		t.Errorf("New(nil) succeeded")
	}
	if _, err := cookiestore.New(&cookiestore.Options{}); err == nil {
		t.Errorf("New without Keyring succeeded")
	}
}

// TestNilValue: a nil value decodes as present, empty and non-nil, like an
// empty one, wherever it sits in the encoding: a present attribute never
// reads as nil (storetest's NilValue case, for the session.Store
// implementations).
func TestNilValue(t *testing.T) {
	c := newCodec(t, testutil.NewClock(tNow), 0, token.GenerateKey(1))
	for _, attrs := range []map[string][]byte{
		{"nil": nil},
		{"empty": {}},
		{"nil": nil, "empty": {}, "a": []byte(`1`), "b": nil},
	} {
		r := sampleRecord()
		r.Attrs = attrs
		v, err := c.Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Attrs) != len(attrs) {
			t.Fatalf("Decode gave %d attributes, want %d", len(got.Attrs), len(attrs))
		}
		for k, want := range attrs {
			g, ok := got.Attrs[k]
			if !ok || g == nil || string(g) != string(want) {
				t.Errorf("attribute %q = %q (present %v, nil %v), want %q, non-nil", k, g, ok, g == nil, want)
			}
		}
	}
}

// TestEncodeDecodesBack: whatever Encode accepts, Decode of the same Codec
// reads back, for every MaxLen: a negative MaxLen (no limit of the codec's
// own) still refuses, with ErrTooLarge, a value longer than Decode reads
// (the most a Manager can carry, session.MaxCookieChunks cookies).
func TestEncodeDecodesBack(t *testing.T) {
	clock := testutil.NewClock(tNow)
	for _, maxLen := range []int{0, 3 * 4080, -1} {
		c := newCodec(t, clock, maxLen, token.GenerateKey(1))
		for _, n := range []int{0, 3000, 12000, 30000, 40000, 100000} {
			r := sampleRecord()
			r.Attrs["blob"] = []byte(strings.Repeat("y", n))
			v, err := c.Encode(r)
			if err != nil {
				if !errors.Is(err, session.ErrTooLarge) {
					t.Errorf("MaxLen %d, %d bytes: Encode = %v, want nil or ErrTooLarge", maxLen, n, err)
				}
				continue
			}
			if _, err := c.Decode(v); err != nil {
				t.Errorf("MaxLen %d, %d bytes: Encode made a %d-byte value that Decode refuses: %v", maxLen, n, len(v), err)
			}
		}
	}
}

// TestEncodeRefusesEmptyKey: Decode refuses a value without a key, so
// Encode refuses to make one rather than hand out a cookie no request can
// read back.
func TestEncodeRefusesEmptyKey(t *testing.T) {
	c := newCodec(t, testutil.NewClock(tNow), 0, token.GenerateKey(1))
	r := sampleRecord()
	r.Key = ""
	v, err := c.Encode(r)
	if err == nil {
		_, derr := c.Decode(v)
		t.Fatalf("Encode of a record without a key = nil error; its value decodes with %v", derr)
	}
}
