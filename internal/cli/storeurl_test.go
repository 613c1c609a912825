package cli

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/store/redisstore"
)

var storeURLTests = []struct {
	in      string
	kind    storeKind
	path    string // bolt
	display string
	err     bool
}{
	{in: "bolt:httpstate.db", kind: storeBolt, path: "httpstate.db", display: "bolt:httpstate.db"},
	{in: "bolt:/var/lib/x.db", kind: storeBolt, path: "/var/lib/x.db", display: "bolt:/var/lib/x.db"},
	{in: "BOLT:a:b.db", kind: storeBolt, path: "a:b.db", display: "bolt:a:b.db"},
	{in: "memory:", kind: storeMemory, display: "memory:"},
	{in: "redis://127.0.0.1:6379/0", kind: storeRedis, display: "redis://127.0.0.1:6379/0"},
	{in: "redis://localhost:6380/3", kind: storeRedis, display: "redis://localhost:6380/3"},
	{in: "redis://[::1]:6379/1", kind: storeRedis, display: "redis://[::1]:6379/1"},
	{in: "redis://127.0.0.1", kind: storeRedis, display: "redis://127.0.0.1"},
	{in: "redis://u:s3cret@127.0.0.1:6379/2", kind: storeRedis, display: "redis://u:xxxxx@127.0.0.1:6379/2"},
	{in: "rediss://h:6379/0", kind: storeRedis, display: "rediss://h:6379/0"},
	{in: "REDIS://h", kind: storeRedis, display: "redis://h"},
	{in: "redis+sentinel://u:pw@a:26379,b:26380/mymaster/1", kind: storeRedis, display: "redis+sentinel://u:xxxxx@a:26379,b:26380/mymaster/1"},
	{in: "rediss+sentinel://a/m", kind: storeRedis, display: "rediss+sentinel://a/m"},
	{in: "redis+cluster://a:7000,b:7001", kind: storeRedis, display: "redis+cluster://a:7000,b:7001"},
	{in: "rediss+cluster://a:7000", kind: storeRedis, display: "rediss+cluster://a:7000"},
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
	{in: "redis://127.0.0.1:6379/0?prefix=app:", kind: storeRedis, display: "redis://127.0.0.1:6379/0?prefix=app:"},
	{in: "redis://:6379/0", err: true},
	{in: "redis://a:1,b:2/0", err: true},
	{in: "redis+sentinel://a:1", err: true},
	{in: "redis+cluster://a:1/2", err: true},
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
		if dial, _, _ := strings.Cut(tt.in, "?"); tt.kind == storeRedis && spec.url != dial {
			t.Errorf("parseStoreURL(%q): url %q, want the input without its query", tt.in, spec.url)
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
		"redis+sentinel://u:hunter2@a:1,b:x/m",
		"redis+sentinel://u:hunter2@a:1",
		"redis+cluster://u:hunter2@a:1/1",
		// A password with a '/', '?' or '#' that is not percent-encoded.
		"redis://u:hunter2/x@h:6379/0",
		"redis://u:hunter2?x@h:6379/0",
		"redis://u:hunter2#x@h:6379",
		"redis://u:x/hunter2@h:6379/0",
		// A typo in the "//" after the scheme.
		"redis:u:hunter2@127.0.0.1:6379/0",
		"redis:/u:hunter2@127.0.0.1:6379/0",
		"rediss:\\\\u:hunter2@h:6379",
		"redis+sentinel:/u:hunter2@a:1/m",
		"REDIS:u:hunter2@h:6379",
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
			o, err := redisstore.ParseURL(spec.url)
			if err != nil || len(o.Addrs) == 0 {
				t.Fatalf("parseStoreURL(%q) accepted a URL redisstore.ParseURL rejects: %v", in, err)
			}
			if pw := o.Password; len(pw) > 3 && strings.Contains(spec.String(), pw) {
				t.Fatalf("parseStoreURL(%q): display %q shows the password", in, spec.String())
			}
			if o.Password != "" {
				return // the display form has "xxxxx" for the password
			}
		default:
			t.Fatalf("parseStoreURL(%q): kind %q", in, spec.Kind)
		}
		again, err := parseStoreURL(spec.String())
		if err != nil {
			t.Fatalf("display form %q of %q does not parse: %v", spec.String(), in, err)
		}
		if again.Kind != spec.Kind || again.Path != spec.Path || again.prefix != spec.prefix || again.String() != spec.String() {
			t.Fatalf("round trip of %q: %+v, then %+v", in, spec, again)
		}
		if spec.Kind == storeRedis {
			o, _ := redisstore.ParseURL(spec.url)
			o2, err := redisstore.ParseURL(again.url)
			if err != nil || !slices.Equal(o.Addrs, o2.Addrs) || o.DB != o2.DB || o.MasterName != o2.MasterName {
				t.Fatalf("round trip of %q: redis %q/%d/%q, then %+v, %v", in, o.Addrs, o.DB, o.MasterName, o2, err)
			}
		}
	})
}
