package cli

import (
	"runtime"
	"strings"
	"testing"
)

// TestPickDigestPrefersSHA2: offered MD5 first and SHA-256 after it (in
// one field or two), the command answers SHA-256, so that an MD5
// challenge put first (by a man in the middle) does not downgrade the
// answer; among SHA-2 ones, and among MD5 ones, the first wins.
func TestPickDigestPrefersSHA2(t *testing.T) {
	for _, tc := range []struct {
		values []string
		nonce  string
	}{
		{[]string{`Digest realm="r", nonce="md5", qop=auth, algorithm=MD5, Digest realm="r", nonce="sha", qop=auth, algorithm=SHA-256`}, "sha"},
		{[]string{`Digest realm="r", nonce="md5", qop=auth`, `Digest realm="r", nonce="sha", qop=auth, algorithm=SHA-256-sess`}, "sha"},
		{[]string{`Digest realm="r", nonce="md5", qop=auth, algorithm=MD5-sess`, `Digest realm="r", nonce="sha", algorithm=SHA-512-256`}, "sha"},
		{[]string{`Digest realm="r", nonce="sha", algorithm=SHA-256, qop=auth`, `Digest realm="r", nonce="sha2", algorithm=SHA-512-256, qop=auth`}, "sha"},
		{[]string{`Digest realm="r", nonce="md5", qop=auth`, `Digest realm="r", nonce="md5b", qop=auth`}, "md5"},
		{[]string{`Digest realm="r", nonce="md5", qop=auth`, `Digest realm="r", nonce="bad", qop=auth, algorithm=SHA-1`}, "md5"},
	} {
		ch, ok := pickDigest(tc.values)
		if !ok || ch.nonce != tc.nonce {
			t.Errorf("%q: picked %+v, %v; want nonce %q", tc.values, ch, ok, tc.nonce)
		}
	}
}

// TestPickDigestHugeField: a WWW-Authenticate field of megabytes (net/http
// takes up to 10 MiB of header) costs the parser little memory: it held a
// challenge and a map for each scheme-like token (972 MiB allocated for 5
// MiB of "a ") and every parameter of each. A Digest challenge among the
// first ones, with other parameters in bulk, is still answered.
func TestPickDigestHugeField(t *testing.T) {
	for _, v := range []string{
		strings.Repeat("a ", 5<<20),
		`Digest realm="r", nonce="n", qop=auth, ` + strings.Repeat("x=1, ", 2<<20),
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ch, ok := pickDigest([]string{v})
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%.20q...: %d bytes allocated, want under 1 MiB", v, alloc)
		}
		if want := strings.HasPrefix(v, "Digest"); ok != want || ok && ch.nonce != "n" {
			t.Errorf("%.20q...: picked %+v, %v", v, ch, ok)
		}
	}
}
