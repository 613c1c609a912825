package jar

import "testing"

// TestClearDomainEmpty checks that ClearDomain("") and ClearDomain(".")
// delete nothing. They deleted every cookie of a fully qualified host
// ("www.example.com." ends in "." followed by the empty name).
func TestClearDomainEmpty(t *testing.T) {
	j, _ := New(nil)
	j.SetCookieLines(mustURL("http://www.example.com./"), []string{"fq=1"})
	j.SetCookieLines(mustURL("http://www.example.com/"), []string{"plain=1"})
	for _, d := range []string{"", "."} {
		if n := j.ClearDomain(d); n != 0 || j.Len() != 2 {
			t.Fatalf("ClearDomain(%q) deleted %d, %d left; want 0 and 2", d, n, j.Len())
		}
	}
	if n := j.ClearDomain("example.com."); n != 1 || j.Len() != 1 {
		t.Fatalf("ClearDomain(example.com.) deleted %d, want 1", n)
	}
}
