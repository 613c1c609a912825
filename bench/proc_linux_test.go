//go:build linux

package bench

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/internal/testutil"
)

// orphanEnv makes TestRedisServerDiesWithTest, run as a child test binary,
// start a redis-server, print its pid and exit without closing it, as a
// timed-out test does.
const orphanEnv = "HTTPSTATE_BENCH_ORPHAN_HELPER"

// TestRedisServerDiesWithTest: a redis-server from StartRedisServer does not
// outlive a test binary that ends without closing it.
func TestRedisServerDiesWithTest(t *testing.T) {
	if os.Getenv(orphanEnv) == "1" {
		s, err := StartRedisServer()
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("pid " + strconv.Itoa(s.cmd.Process.Pid) + "\n")
		os.Exit(0) // no Close
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRedisServerDiesWithTest$", "-test.count=1")
	cmd.Env = append(os.Environ(), orphanEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s%s", err, out, stderr.Bytes())
	}
	pid := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "pid "); ok {
			if pid, err = strconv.Atoi(rest); err != nil {
				t.Fatal(err)
			}
		}
	}
	if pid == 0 {
		t.Fatalf("helper printed no pid:\n%s%s", out, stderr.Bytes())
	}
	testutil.WaitOrphanGone(t, pid, "redis-server")
}
