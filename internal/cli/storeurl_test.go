package cli

import (
	"errors"
	"strings"
	"testing"
)

var storeURLTests = []struct {
	in      string
	kind    storeKind
	path    string // bolt
	addr    string // redis
	db      int    // redis
	display string
	err     bool
}{
	{in: "bolt:httpstate.db", kind: storeBolt, path: "httpstate.db", display: "bolt:httpstate.db"},
	{in: "bolt:/var/lib/x.db", kind: storeBolt, path: "/var/lib/x.db", display: "bolt:/var/lib/x.db"},
	{in: "BOLT:a:b.db", kind: storeBolt, path: "a:b.db", display: "bolt:a:b.db"},
	{in: "memory:", kind: storeMemory, display: "memory:"},
	{in: "redis://127.0.0.1:6379/0", kind: storeRedis, addr: "127.0.0.1:6379", db: 0, display: "redis://127.0.0.1:6379/0"},
	{in: "redis://localhost:6380/3", kind: storeRedis, addr: "localhost:6380", db: 3, display: "redis://localhost:6380/3"},
	{in: "redis://[::1]:6379/1", kind: storeRedis, addr: "[::1]:6379", db: 1, display: "redis://[::1]:6379/1"},
	{in: "redis://127.0.0.1", kind: storeRedis, addr: "127.0.0.1:6379", db: 0, display: "redis://127.0.0.1"},
	{in: "redis://u:s3cret@127.0.0.1:6379/2", kind: storeRedis, addr: "127.0.0.1:6379", db: 2, display: "redis://u:xxxxx@127.0.0.1:6379/2"},
	{in: "rediss://h:6379/0", kind: storeRedis, addr: "h:6379", db: 0, display: "rediss://h:6379/0"},
	{in: "", err: true},
	{in: "httpstate.db", err: true},
	{in: "bolt:", err: true},
	{in: "bolt:a\x00b", err: true},
	{in: "memory:x", err: true},
	{in: "mem:", err: true},
	{in: "redis://", err: true},
	{in: "redis:127.0.0.1:6379", err: true},
	{in: "redis://127.0.0.1:6379/x", err: true},
	{in: "redis://127.0.0.1:6379/0/1", err: true},
	{in: "redis://127.0.0.1:6379/0?dial_timeout=1s", err: true},
	{in: "redis://:6379/0", err: true},
	{in: "unix:///tmp/redis.sock", err: true},
	{in: "postgres://db/x", err: true},
}

func TestParseStoreURL(t *testing.T) {
	for _, tt := range storeURLTests {
		spec, err := parseStoreURL(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("parseStoreURL(%q) = %+v, want an error", tt.in, spec)
			} else if !errors.Is(err, errStoreURL) {
				t.Errorf("parseStoreURL(%q): error %v does not wrap errStoreURL", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseStoreURL(%q): %v", tt.in, err)
			continue
		}
		if spec.Kind != tt.kind || spec.Path != tt.path || spec.String() != tt.display {
			t.Errorf("parseStoreURL(%q) = kind %q path %q display %q; want %q %q %q",
				tt.in, spec.Kind, spec.Path, spec.String(), tt.kind, tt.path, tt.display)
		}
		if tt.kind == storeRedis {
			if spec.Redis == nil || spec.Redis.Addr != tt.addr || spec.Redis.DB != tt.db {
				t.Errorf("parseStoreURL(%q): redis options %+v, want addr %q db %d", tt.in, spec.Redis, tt.addr, tt.db)
			}
		}
	}
}

// TestParseStoreURLHidesPassword: no error message repeats a password.
func TestParseStoreURLHidesPassword(t *testing.T) {
	for _, in := range []string{
		"redis://u:hunter2@127.0.0.1:6379/x",
		"redis://u:hunter2@127.0.0.1:6379/0?a=b",
		"redis://u:hunter2@:6379/0",
		"redis://u:hunter2@127.0.0.1:99999999999/0",
		"redis://u:hunter2@[::1/0",
	} {
		_, err := parseStoreURL(in)
		if err == nil {
			t.Errorf("parseStoreURL(%q) succeeded, want an error", in)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("parseStoreURL(%q): error %q shows the password", in, err)
		}
	}
}

// FuzzParseStoreURL: parsing never panics, every accepted URL has a kind,
// its display form parses to the same spec (passwords aside), and no error
// or display form repeats a password.
func FuzzParseStoreURL(f *testing.F) {
	for _, tt := range storeURLTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		spec, err := parseStoreURL(in)
		if err != nil {
			return
		}
		switch spec.Kind {
		case storeBolt:
			if spec.Path == "" {
				t.Fatalf("parseStoreURL(%q): bolt without a path", in)
			}
		case storeMemory:
		case storeRedis:
			if spec.Redis == nil || spec.Redis.Addr == "" {
				t.Fatalf("parseStoreURL(%q): redis without an address", in)
			}
			if pw := spec.Redis.Password; len(pw) > 3 && strings.Contains(spec.String(), pw) {
				t.Fatalf("parseStoreURL(%q): display %q shows the password", in, spec.String())
			}
			if spec.Redis.Password != "" {
				return // the display form has "xxxxx" for the password
			}
		default:
			t.Fatalf("parseStoreURL(%q): kind %q", in, spec.Kind)
		}
		again, err := parseStoreURL(spec.String())
		if err != nil {
			t.Fatalf("display form %q of %q does not parse: %v", spec.String(), in, err)
		}
		if again.Kind != spec.Kind || again.Path != spec.Path || again.String() != spec.String() {
			t.Fatalf("round trip of %q: %+v, then %+v", in, spec, again)
		}
		if spec.Kind == storeRedis && (again.Redis.Addr != spec.Redis.Addr || again.Redis.DB != spec.Redis.DB) {
			t.Fatalf("round trip of %q: redis %s/%d, then %s/%d", in, spec.Redis.Addr, spec.Redis.DB, again.Redis.Addr, again.Redis.DB)
		}
	})
}
