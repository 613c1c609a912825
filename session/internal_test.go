package session

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewIDShape(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		if !validID(id) {
			t.Fatalf("newID() = %q is not validID", id)
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(id)
		if err != nil || len(b) != 32 {
			t.Fatalf("newID() = %q decodes to %d bytes, %v; want 32", id, len(b), err)
		}
		if seen[id] {
			t.Fatalf("newID repeated %q", id)
		}
		seen[id] = true
	}
}

func TestKey(t *testing.T) {
	id := "abc"
	sum := sha256.Sum256([]byte(id))
	if got, want := Key(id), base64.RawURLEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("Key(%q) = %q, want %q", id, got, want)
	}
}

var validIDTests = []struct {
	in   string
	want bool
}{
	{strings.Repeat("A", 43), true},
	{strings.Repeat("A", 42) + "E", true},
	{strings.Repeat("A", 42) + "B", false}, // non-zero padding bits
	{strings.Repeat("A", 42), false},
	{strings.Repeat("A", 44), false},
	{strings.Repeat("A", 42) + "=", false},
	{strings.Repeat("A", 42) + "+", false},
	{"", false},
	{strings.Repeat("é", 21) + "A", false},
}

func TestValidID(t *testing.T) {
	for _, tt := range validIDTests {
		if got := validID(tt.in); got != tt.want {
			t.Errorf("validID(%q) = %v, want %v", tt.in, got, tt.want)
		}
		// validID agrees with the strict decoder.
		if tt.want {
			if _, err := base64.RawURLEncoding.Strict().DecodeString(tt.in); err != nil {
				t.Errorf("validID(%q) but strict decode fails: %v", tt.in, err)
			}
		}
	}
}

var stripTests = []struct {
	in, out, id string
	found       bool
}{
	{"/a/b", "/a/b", "", false},
	{"/a;sid=X", "/a", "X", true},
	{"/a;sid=X/b", "/a/b", "X", true},
	{"/a;v=1;sid=X;w=2", "/a;v=1;w=2", "X", true},
	{"/a;sid=X/b;sid=Y", "/a/b", "X", true},
	{"/;sid=", "/", "", true},
	{"/a%3Bsid=X", "/a%3Bsid=X", "", false},
	{"/a;SID=X", "/a;SID=X", "", false},
}

func TestStripPathParam(t *testing.T) {
	for _, tt := range stripTests {
		out, id, found := stripPathParam(tt.in, ";sid=")
		if out != tt.out || id != tt.id || found != tt.found {
			t.Errorf("stripPathParam(%q) = %q, %q, %v; want %q, %q, %v", tt.in, out, id, found, tt.out, tt.id, tt.found)
		}
	}
}

func FuzzStripPathParam(f *testing.F) {
	for _, tt := range stripTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, p string) {
		out, id, found := stripPathParam(p, ";sid=")
		if strings.Contains(out, ";sid=") {
			t.Fatalf("stripPathParam(%q) = %q still has ;sid=", p, out)
		}
		if !found && (out != p || id != "") {
			t.Fatalf("stripPathParam(%q) changed an unparameterised path to %q", p, out)
		}
		if strings.ContainsAny(id, "/;") {
			t.Fatalf("id %q contains a delimiter", id)
		}
		if len(out) > len(p) {
			t.Fatalf("output longer than input")
		}
	})
}

var setCookieTests = []struct {
	name, value string
	maxAge      int
	secure      bool
	sameSite    http.SameSite
	want        string
}{
	{"sid", "v", -1, false, http.SameSiteLaxMode, "sid=v; Path=/; HttpOnly; SameSite=Lax"},
	{"__Host-sid", "v", -1, true, http.SameSiteLaxMode, "__Host-sid=v; Path=/; Secure; HttpOnly; SameSite=Lax"},
	{"sid", "", 0, true, http.SameSiteStrictMode, "sid=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"},
	{"sid", "v", 1800, true, http.SameSiteNoneMode, "sid=v; Path=/; Max-Age=1800; Secure; HttpOnly; SameSite=None"},
}

func TestFormatSetCookie(t *testing.T) {
	for _, tt := range setCookieTests {
		got, err := formatSetCookie(tt.name, tt.value, tt.maxAge, tt.secure, tt.sameSite)
		if err != nil || got != tt.want {
			t.Errorf("formatSetCookie = %q, want %q", got, tt.want)
		}
		// net/http reads it back the same.
		c, err := http.ParseSetCookie(got)
		if err != nil || c.Name != tt.name || c.Value != tt.value || c.Secure != tt.secure || !c.HttpOnly || c.Path != "/" {
			t.Errorf("http.ParseSetCookie(%q) = %+v, %v", got, c, err)
		}
	}
}

func TestFormatSetCookieRefuses(t *testing.T) {
	if _, err := formatSetCookie("__Host-sid", "v", -1, false, http.SameSiteLaxMode); err == nil {
		t.Error("__Host- cookie without Secure: want an error")
	}
	if _, err := formatSetCookie("sid", "v", -1, false, http.SameSiteNoneMode); err == nil {
		t.Error("SameSite=None without Secure: want an error")
	}
}

func TestValidCookieValue(t *testing.T) {
	if !validCookieValue("abc-_.~!#$%&'()*+/:<=>?@[]^`{|}") {
		t.Error("cookie-octets rejected")
	}
	for _, bad := range []string{"a b", "a;b", "a,b", `a"b`, `a\b`, "a\x7f", "é"} {
		if validCookieValue(bad) {
			t.Errorf("validCookieValue(%q) = true", bad)
		}
	}
}

func TestEventKindString(t *testing.T) {
	if EventExpired.String() != "expired" || EventKind(0).String() != "unknown" || EventKind(99).String() != "unknown" {
		t.Error("EventKind.String")
	}
}

var requestCookiesTests = []struct {
	lines []string
	want  string
}{
	{[]string{"sid=a"}, "a"},
	{[]string{"x=1; sid=a;sid=b"}, "a,b"},
	{[]string{"x=1", "  sid=\"q\" ; y=2"}, "q"},
	{[]string{"sid"}, ""},
	{[]string{"sids=a; Sid=b; sid =c"}, "c"},
	{[]string{"sid=1; sid=2; sid=3; sid=4; sid=5"}, "1,2,3,4"},
	{[]string{";;; sid=; sid=\""}, ",\""},
}

// requestCookies returns the first values (at most maxTries) of the cookies
// named name in h, as readCookies reads them.
func requestCookies(h http.Header, name string) []string {
	var vals [1][maxTries]string
	var n [1]uint8
	(&config{}).readCookies(h, &cookieSlots{name: name, vals: vals[:], n: n[:]}, nil)
	return vals[0][:n[0]]
}

func TestRequestCookies(t *testing.T) {
	for _, tt := range requestCookiesTests {
		if got := strings.Join(requestCookies(http.Header{"Cookie": tt.lines}, "sid"), ","); got != tt.want {
			t.Errorf("requestCookies(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}

// FuzzRequestCookies checks the allocation-free scanner finds every value
// net/http finds, modulo surrounding spaces (net/http also drops values with
// invalid octets, so ours may find more; validID filters those).
func FuzzRequestCookies(f *testing.F) {
	for _, tt := range requestCookiesTests {
		f.Add(strings.Join(tt.lines, "\n"))
	}
	f.Fuzz(func(t *testing.T, header string) {
		lines := strings.Split(header, "\n")
		h := http.Header{"Cookie": lines}
		ours := requestCookies(h, "sid")
		r := &http.Request{Header: h}
		i := 0
		for _, c := range r.CookiesNamed("sid") {
			// net/http keeps spaces around a value that ours trims; neither
			// can be a valid ID.
			for i < len(ours) && trimOWS(ours[i]) != trimOWS(c.Value) {
				i++
			}
			if i == len(ours) {
				if len(ours) == maxTries {
					return // ours stopped at its limit
				}
				t.Fatalf("net/http found sid=%q that requestCookies missed (ours %q)", c.Value, ours)
			}
			i++
		}
	})
}

// FuzzFastDecode checks Get's fast paths agree with encoding/json.
func FuzzFastDecode(f *testing.F) {
	for _, s := range []string{"0", "-1", "123456789012345678", "01", "1e3", "-", `"a"`, `"a\"b"`, `"é"`, "true", "null"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := parseJSONInt(b); ok {
			var want int64
			if err := json.Unmarshal(b, &want); err != nil || want != n {
				t.Fatalf("parseJSONInt(%q) = %d; json says %d, %v", b, n, want, err)
			}
		}
		if s, ok := plainJSONString(b); ok {
			var want string
			if err := json.Unmarshal(b, &want); err != nil || want != s {
				t.Fatalf("plainJSONString(%q) = %q; json says %q, %v", b, s, want, err)
			}
		}
	})
}

// FuzzEncodeValue checks encodeValue's fast paths match encoding/json byte
// for byte.
func FuzzEncodeValue(f *testing.F) {
	f.Add(int64(0), "plain", true)
	f.Add(int64(-1<<63), "<a&b>\"\\\x7f", false)
	f.Fuzz(func(t *testing.T, n int64, s string, b bool) {
		for _, v := range []any{int(n), n, s, b} {
			got, err := encodeValue(v)
			want, werr := json.Marshal(v)
			if (err != nil) != (werr != nil) || string(got) != string(want) {
				t.Fatalf("encodeValue(%#v) = %q, %v; json.Marshal = %q, %v", v, got, err, want, werr)
			}
		}
	})
}

var touchIntervalTests = []struct {
	idle, touch, want time.Duration
}{
	{idle: 0, touch: 0, want: DefaultTouchInterval},                     // defaults: 30m idle, 1m touch
	{idle: 2 * time.Second, touch: 0, want: 200 * time.Millisecond},     // short idle: a tenth
	{idle: 10 * time.Minute, touch: 0, want: time.Minute},               // default fits
	{idle: 10 * time.Second, touch: time.Minute, want: 5 * time.Second}, // capped at half
	{idle: time.Hour, touch: 5 * time.Minute, want: 5 * time.Minute},    // explicit, fits
	{idle: time.Hour, touch: -1, want: 0},                               // every access writes
}

// TestTouchIntervalFitsIdle checks that a session in steady use never
// expires between two recorded accesses: TouchInterval stays well inside
// IdleTimeout.
func TestTouchIntervalFitsIdle(t *testing.T) {
	for _, tt := range touchIntervalTests {
		o := &Options{Store: nopStore{}, IdleTimeout: tt.idle, TouchInterval: tt.touch}
		c, err := o.normalize()
		if err != nil {
			t.Fatalf("idle %v touch %v: %v", tt.idle, tt.touch, err)
		}
		if c.TouchInterval != tt.want {
			t.Errorf("idle %v touch %v: TouchInterval = %v, want %v", tt.idle, tt.touch, c.TouchInterval, tt.want)
		}
	}
}

// nopStore satisfies Store for option checks; no method is called.
type nopStore struct{ Store }

// TestEqualID: equalID agrees with == for every length up to two keys and a
// difference at every position (the word loop and the byte tail).
func TestEqualID(t *testing.T) {
	base := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2)
	for n := 0; n <= len(base); n++ {
		a := base[:n]
		if !equalID(a, strings.Clone(a)) {
			t.Fatalf("equalID(%q, same) = false", a)
		}
		if n > 0 && equalID(a, base[:n-1]) {
			t.Fatalf("equalID of lengths %d and %d = true", n, n-1)
		}
		for i := 0; i < n; i++ {
			for _, bit := range []byte{0x01, 0x80, 0x20} {
				b := []byte(a)
				b[i] ^= bit
				if equalID(a, string(b)) {
					t.Fatalf("equalID(%q, %q) = true (byte %d differs)", a, b, i)
				}
			}
		}
	}
}
