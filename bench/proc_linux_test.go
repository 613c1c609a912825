//go:build linux

package bench

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // left running before the fix
	deadline := time.Now().Add(10 * time.Second)             // safety net: the signal comes at the helper's exit
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server (pid %d) still running 10s after the test binary that started it exited", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether process pid exists and is not a zombie (a killed
// orphan waits as one until init reaps it).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}
