package jar

import (
	"bytes"
	"net/url"
	"testing"
)

// TestCookiesTxtPartitionedNamesake checks that saving to cookies.txt does
// not lose an unpartitioned cookie to its own-site partitioned namesake:
// the file cannot tell them apart, so both lines read back as one cookie
// and the later replaced the earlier (RFC 6265bis section 5.7 step 23).
// It failed before: the partitioned value, created later, won.
func TestCookiesTxtPartitionedNamesake(t *testing.T) {
	j, _ := New(nil)
	u, _ := url.Parse("https://www.example.com/")
	j.SetCookieLines(u, []string{"a=plain; Max-Age=1000"})
	j.SetCookieLines(u, []string{"a=part; Secure; Partitioned; Max-Age=1000"})
	j.SetCookieLines(u, []string{"b=part; Secure; Partitioned; Max-Age=1000"})
	if n := len(j.All()); n != 3 {
		t.Fatalf("stored %d cookies, want 3", n)
	}
	var buf bytes.Buffer
	if err := j.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	back, _ := New(nil)
	if _, err := back.Import(&buf); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range back.All() {
		got[e.Name] = e.Value
	}
	if len(got) != 2 || got["a"] != "plain" || got["b"] != "part" {
		t.Fatalf("cookies.txt read back %v, want a=plain and b=part", got)
	}
}
