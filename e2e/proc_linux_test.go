//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/httpstate/httpstate/internal/testutil"
)

// childAttr makes a child process (httpstate serve) die with
// the test binary: a test that times out panics without running t.Cleanup,
// and would otherwise leave its servers running. (Go ends an OS thread only
// when a goroutine that locked it exits, which these helpers never do, so
// the thread that started the child lives as long as the process.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// orphanEnv makes TestChildrenDieWithTest, run as a child test binary,
// start a redis-server and an httpstate serve, print their pids and exit
// without running its cleanups, as a timed-out test does.
const orphanEnv = "HTTPSTATE_E2E_ORPHAN_HELPER"

// TestChildrenDieWithTest: the redis-server and httpstate serve a test
// started do not outlive a test binary that ends without its cleanups.
func TestChildrenDieWithTest(t *testing.T) {
	if os.Getenv(orphanEnv) == "1" {
		r := testutil.StartRedis(t, nil)
		info, err := r.Do("INFO", "server")
		if err != nil {
			t.Fatal(err)
		}
		_, pid, _ := strings.Cut(info, "process_id:")
		pid, _, _ = strings.Cut(pid, "\r")
		s := startServer(t, "--store", "memory:")
		os.Stdout.WriteString("pids " + pid + " " + strconv.Itoa(s.cmd.Process.Pid) + "\n")
		os.Exit(0) // no cleanups
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildrenDieWithTest$", "-test.count=1")
	cmd.Env = append(os.Environ(), orphanEnv+"=1", orphanBinaryEnv+"="+binary)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s%s", err, out, stderr.Bytes())
	}
	var pids []int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "pids "); ok {
			for _, f := range strings.Fields(rest) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					t.Fatal(err)
				}
				pids = append(pids, pid)
			}
		}
	}
	if len(pids) != 2 {
		t.Fatalf("helper printed no pids:\n%s%s", out, stderr.Bytes())
	}
	for i, what := range []string{"redis-server", "httpstate serve"} {
		testutil.WaitOrphanGone(t, pids[i], what)
	}
}
