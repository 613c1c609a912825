package boltstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// crashChildEnv names the file the child process of TestCrashKill9 writes to.
const crashChildEnv = "BOLTSTORE_CRASH_CHILD"

// Sizes of the crash child's work.
const (
	crashWriters  = 8
	crashMaxLoops = 100000 // a bound, in case the parent never kills the child
)

// crashChild opens the store at path and writes until killed. Each writer
// creates its own counter session "w<round>-<w>", then alternates between
// saving the counter's value i and creating session "c<round>-<w>-<i>"
// holding i, printing a line after each acknowledged write:
//
//	S <key> <i>   the counter key now holds at least i
//	C <key> <i>   key exists and holds i
func crashChild(path string) {
	s, err := boltstore.Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(2)
	}
	round := os.Getenv(crashChildEnv + "_ROUND")
	ctx := context.Background()
	var mu sync.Mutex // serialises output lines
	ack := func(kind, key string, i int) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, "%s %s %d\n", kind, key, i)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counter := "w" + round + "-" + strconv.Itoa(w)
			r := storetest.NewRecord(counter, "p"+strconv.Itoa(w), time.Now())
			r.IdleTimeout = 24 * time.Hour
			if err := s.Create(ctx, r); err != nil {
				fmt.Fprintln(os.Stderr, "child: create:", err)
				os.Exit(2)
			}
			ack("C", counter, -1)
			for i := range crashMaxLoops {
				val := []byte(strconv.Itoa(i))
				if i%2 == 0 {
					if err := s.Save(ctx, counter, session.Delta{Set: map[string][]byte{"i": val}}); err != nil {
						fmt.Fprintln(os.Stderr, "child: save:", err)
						os.Exit(2)
					}
					ack("S", counter, i)
					continue
				}
				key := "c" + round + "-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				r := storetest.NewRecord(key, "p"+strconv.Itoa(w), time.Now())
				r.IdleTimeout = 24 * time.Hour
				r.Attrs["i"] = val
				if err := s.Create(ctx, r); err != nil {
					fmt.Fprintln(os.Stderr, "child: create:", err)
					os.Exit(2)
				}
				ack("C", key, i)
			}
		}()
	}
	wg.Wait()
}

// TestCrashKill9 runs the test binary as a child that writes to a store,
// kills it with SIGKILL after some acknowledged writes, and checks that the
// file opens and holds every acknowledged write. It does so three times on
// one file, so each round also recovers from the previous crash.
func TestCrashKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	for round, acks := range []int{100, 400, 250} {
		acked := runCrashChild(t, path, round, acks)
		verifyAcked(t, path, acked)
	}
}

// runCrashChild starts the child for round, SIGKILLs it once it has
// acknowledged at least acks writes, and returns every acknowledged write:
// for each key, the least value it must hold.
func runCrashChild(t *testing.T, path string, round, acks int) map[string]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashChildEnv+"_ROUND="+strconv.Itoa(round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A watchdog: a stuck child fails the test instead of hanging it.
	watchdog := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer watchdog.Stop()

	acked := make(map[string]int)
	n := 0
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		// Every complete line was printed after its write returned, so it
		// is acknowledged even if it is read after the kill.
		kind, key, val, ok := parseAck(sc.Text())
		if !ok {
			continue // a line cut by the kill
		}
		if kind == "S" && val < acked[key] {
			continue
		}
		acked[key] = val
		n++
		if n >= acks && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill: %v", err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("round %d: child exited after %d acks, before the kill: %v\n%s", round, n, err, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); ok && !ws.Signaled() {
		t.Fatalf("round %d: child was not killed by a signal: %v\n%s", round, err, stderr.String())
	}
	t.Logf("round %d: child killed after %d acknowledged writes (%d read)", round, acks, n)
	return acked
}

// parseAck parses a child's output line.
func parseAck(line string) (kind, key string, val int, ok bool) {
	f := strings.Fields(line)
	if len(f) != 3 || (f[0] != "S" && f[0] != "C") {
		return "", "", 0, false
	}
	v, err := strconv.Atoi(f[2])
	if err != nil {
		return "", "", 0, false
	}
	return f[0], f[1], v, true
}

// verifyAcked opens the crashed file and checks every acknowledged write.
func verifyAcked(t *testing.T, path string, acked map[string]int) {
	t.Helper()
	s, err := boltstore.Open(path, nil)
	if err != nil {
		t.Fatalf("reopening after SIGKILL: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	for key, want := range acked {
		r, found, err := s.Load(ctx, key)
		if err != nil || !found {
			t.Errorf("acknowledged %s lost after SIGKILL: found=%v err=%v", key, found, err)
			continue
		}
		if want < 0 {
			continue // a counter whose first save was not acknowledged
		}
		got, err := strconv.Atoi(string(r.Attrs["i"]))
		if err != nil || got < want {
			t.Errorf("%s holds i=%q after SIGKILL, want at least %d", key, r.Attrs["i"], want)
		}
		if strings.HasPrefix(key, "c") && got != want {
			t.Errorf("%s holds i=%d, want %d", key, got, want)
		}
	}
	// The indexes survived too: every counter is listed under its principal.
	for key := range acked {
		if !strings.HasPrefix(key, "w") {
			continue
		}
		w := key[strings.LastIndexByte(key, '-')+1:]
		metas, err := s.ByPrincipal(ctx, "p"+w)
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, m := range metas {
			listed = listed || m.Key == key
		}
		if !listed {
			t.Errorf("%s missing from ByPrincipal(p%s) after SIGKILL", key, w)
		}
	}
}
