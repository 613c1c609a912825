package jar

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestImportRejectedCapped checks that ImportReport lists at most
// maxRejected cookies, the first ones by line, and counts the others: it
// built an error (and kept the line's text) for every refused cookie, so
// a 60 MB file of refused lines took 900 MB of heap.
func TestImportRejectedCapped(t *testing.T) {
	var b bytes.Buffer
	n := 2*maxRejected + 500
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, "x.example\tFALSE\t/\tFALSE\t0\ta%d\tb;c\n", i) // read-time refusal
		} else {
			fmt.Fprintf(&b, "x.example\tFALSE\t/\tFALSE\t0\t__Host-a%d\tb\n", i) // Import-time refusal
		}
	}
	b.WriteString("x.example\tFALSE\t/\tFALSE\t0\tok\t1\n")
	j, _ := New(nil)
	rep, err := j.ImportWithReport(&b)
	if err != nil || rep.Read != n+1 || len(rep.Rejected) != maxRejected || rep.RejectedUnlisted != n-maxRejected {
		t.Fatalf("Import: read %d, %d listed, %d unlisted, %v; want %d, %d, %d", rep.Read, len(rep.Rejected), rep.RejectedUnlisted, err, n+1, maxRejected, n-maxRejected)
	}
	for i, e := range rep.Rejected {
		if want := fmt.Sprintf("line %d:", i+1); !strings.Contains(e.Error(), want) {
			t.Fatalf("Rejected[%d] = %v; want %s", i, e, want)
		}
	}
	if j.Len() != 1 {
		t.Errorf("stored %d cookies, want ok", j.Len())
	}
}
