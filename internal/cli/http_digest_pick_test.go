package cli

import "testing"

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
