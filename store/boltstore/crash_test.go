package boltstore_test

import (
	"bufio"
	"context"
	"errors"
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
	crashFailers  = 4
	crashMaxLoops = 100000 // a bound, in case the parent never kills the child
)

// crashChild opens the store at path and writes until killed. Each writer
// creates its own counter session "w<round>-<w>", then cycles through every
// kind of write, printing a line after each acknowledged one:
//
//	S <key> <i>        Save: the counter's "i" now holds at least i
//	U <key> <i>        Update: the counter's "u" now holds at least i
//	C <key> <i>        Create: key exists and its "i" holds i
//	R <old> <new> <i>  Rename: new exists and holds i; old is absent
//	X <key>            Delete: key is absent
//
// Alongside, crashFailers failers (see crashFailer) make writes that fail as
// expected and so write nothing, which share commits with the writers'
// writes, and the child prints "M" after each commit that held both kinds.
func crashChild(path string) {
	s, err := boltstore.Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(2)
	}
	round := os.Getenv(crashChildEnv + "_ROUND")
	ctx := context.Background()
	var mu sync.Mutex // serialises output lines
	ack := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
		mu.Unlock()
	}
	fail := func(op string, err error) {
		fmt.Fprintln(os.Stderr, "child:", op+":", err)
		os.Exit(2)
	}
	boltstore.SetOnCommit(s, func(wrote, wroteNothing int) {
		if wrote > 0 && wroteNothing > 0 {
			ack("M")
		}
	})
	var wg sync.WaitGroup
	for f := range crashFailers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			crashFailer(ctx, s, round+"-"+strconv.Itoa(f), ack, fail)
		}()
	}
	for w := range crashWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prefix := round + "-" + strconv.Itoa(w)
			counter := "w" + prefix
			r := storetest.NewRecord(counter, "p"+strconv.Itoa(w), time.Now())
			r.IdleTimeout = 24 * time.Hour
			if err := s.Create(ctx, r); err != nil {
				fail("create", err)
			}
			ack("C %s -1", counter)
			var created []string // created sessions not yet renamed or deleted
			for i := range crashMaxLoops {
				val := []byte(strconv.Itoa(i))
				switch i % 5 {
				case 0:
					if err := s.Save(ctx, counter, session.Delta{Set: map[string][]byte{"i": val}}); err != nil {
						fail("save", err)
					}
					ack("S %s %d", counter, i)
				case 1:
					if _, err := s.Update(ctx, counter, "u", func([]byte, bool) ([]byte, error) { return val, nil }); err != nil {
						fail("update", err)
					}
					ack("U %s %d", counter, i)
				case 2, 3:
					key := "c" + prefix + "-" + strconv.Itoa(i)
					r := storetest.NewRecord(key, "p"+strconv.Itoa(w), time.Now())
					r.IdleTimeout = 24 * time.Hour
					r.Attrs["i"] = val
					if err := s.Create(ctx, r); err != nil {
						fail("create", err)
					}
					created = append(created, key)
					ack("C %s %d", key, i)
				case 4:
					old := created[0]
					created = created[1:]
					n, _ := strconv.Atoi(old[strings.LastIndexByte(old, '-')+1:])
					if n%2 == 0 {
						if found, err := s.Delete(ctx, old); err != nil || !found {
							fail("delete", fmt.Errorf("%v, found=%v", err, found))
						}
						ack("X %s", old)
						continue
					}
					renamed := "r" + old[1:]
					if err := s.Rename(ctx, old, renamed); err != nil {
						fail("rename", err)
					}
					ack("R %s %s %d", old, renamed, n)
				}
			}
		}()
	}
	wg.Wait()
}

// crashFailer creates its session "f<id>", then in turn saves its counter
// "i" (printing "S f<id> <i>") and makes writes that fail as expected, each
// one then printing "F f<id> g<id>": writes to the absent session "g<id>"
// (ErrNotFound), a Create of "f<id>" holding the attribute "bogus" and a
// rename of it to itself (ErrExists), Updates of it whose fn fails or that
// delete the absent "bogus" (nothing to write), and a Save of the expired
// session "e<id>" (ErrNotFound). None of them writes: after the crash "g<id>"
// must be absent and "f<id>" must not hold "bogus".
func crashFailer(ctx context.Context, s *boltstore.Store, id string, ack func(string, ...any), fail func(string, error)) {
	key, ghost, expired := "f"+id, "g"+id, "e"+id
	r := storetest.NewRecord(key, "q"+id, time.Now())
	r.IdleTimeout = 24 * time.Hour
	if err := s.Create(ctx, r); err != nil {
		fail("failer create", err)
	}
	ack("C %s -1", key)
	old := storetest.NewRecord(expired, "q"+id, time.Now().Add(-48*time.Hour))
	if err := s.Create(ctx, old); err != nil {
		fail("failer create expired", err)
	}
	bogus := storetest.NewRecord(key, "q"+id, time.Now())
	bogus.Attrs["bogus"] = []byte(`1`)
	set := session.Delta{Set: map[string][]byte{"bogus": []byte(`1`)}}
	errFn := errors.New("fn refuses")
	one := func([]byte, bool) ([]byte, error) { return []byte(`1`), nil }
	failures := []struct {
		name  string
		write func() error
		want  error // nil: the write succeeds without writing
	}{
		{"save absent", func() error { return s.Save(ctx, ghost, set) }, session.ErrNotFound},
		{"update absent", func() error { _, err := s.Update(ctx, ghost, "bogus", one); return err }, session.ErrNotFound},
		{"rename absent", func() error { return s.Rename(ctx, ghost, "h"+id) }, session.ErrNotFound},
		{"create taken", func() error { return s.Create(ctx, bogus) }, session.ErrExists},
		{"rename to itself", func() error { return s.Rename(ctx, key, key) }, session.ErrExists},
		{"update fn error", func() error {
			_, err := s.Update(ctx, key, "bogus", func([]byte, bool) ([]byte, error) { return []byte(`1`), errFn })
			return err
		}, errFn},
		{"update deletes nothing", func() error {
			_, err := s.Update(ctx, key, "bogus", func([]byte, bool) ([]byte, error) { return nil, nil })
			return err
		}, nil},
		{"save expired", func() error { return s.Save(ctx, expired, set) }, session.ErrNotFound},
	}
	for i := range crashMaxLoops {
		if err := s.Save(ctx, key, session.Delta{Set: map[string][]byte{"i": []byte(strconv.Itoa(i))}}); err != nil {
			fail("failer save", err)
		}
		ack("S %s %d", key, i)
		for _, f := range failures {
			err := f.write()
			if (f.want == nil && err != nil) || (f.want != nil && !errors.Is(err, f.want)) {
				fail("failer "+f.name, fmt.Errorf("err = %v, want %v", err, f.want))
			}
			ack("F %s %s", key, ghost)
		}
	}
}

// TestCrashKill9 runs the test binary as a child that writes to a store,
// kills it with SIGKILL after some acknowledged writes, and checks that the
// file opens and holds every acknowledged write. It does so three times on
// one file, so each round also recovers from the previous crash. Expected
// failures (which write nothing, and alone commit nothing) share commits
// with the acknowledged writes: those commits must keep every write, and
// the failures must have written nothing.
func TestCrashKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	mixed := 0
	for round, acks := range []int{100, 400, 250} {
		wants, m := runCrashChild(t, path, round, acks)
		mixed += m
		verifyAcked(t, path, wants)
	}
	if mixed == 0 {
		t.Errorf("no commit mixed writes that wrote with writes that wrote nothing: the test did not test that")
	}
}

// promise is what the acknowledged writes promise about one attribute of
// one key.
type promise struct {
	absent bool // the key was deleted or renamed away
	min    int  // the attribute holds at least min (-1: no promise)
	exact  bool // ... and exactly min
	// mayVanish marks the session a writer renames or deletes next: the
	// kill may have come after that write committed but before its ack.
	mayVanish bool
	// unset: the key exists and the attribute is not there (only refused
	// writes set it).
	unset bool
}

// target names one attribute of one key.
type target struct{ key, attr string }

// runCrashChild starts the child for round, SIGKILLs it once it has
// acknowledged at least acks writes (expected failures not counted), and
// returns what the acknowledged writes promise and the number of commits
// that mixed writes that wrote with writes that wrote nothing.
func runCrashChild(t *testing.T, path string, round, acks int) (map[target]promise, int) {
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

	wants := make(map[target]promise)
	queues := make(map[string][]string) // per writer, its acknowledged creations not yet renamed or deleted
	n, failures, mixed := 0, 0, 0
	killed := false
	defer func() {
		if !killed { // the test failed early: leave no child behind
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		// Every complete line was printed after its write returned, so it
		// is acknowledged even if it is read after the kill. A writer's
		// lines come in the order of its writes.
		switch line := sc.Text(); {
		case line == "M":
			mixed++
			continue
		case !applyAck(wants, queues, line):
			continue // a line cut by the kill
		case strings.HasPrefix(line, "F "):
			failures++
			continue
		}
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
	t.Logf("round %d: child killed after %d acknowledged writes (%d read), %d expected failures, %d mixed commits", round, acks, n, failures, mixed)
	if failures == 0 {
		t.Errorf("round %d: no expected failure was acknowledged", round)
	}
	for _, q := range queues {
		if len(q) > 0 {
			p := wants[target{q[0], "i"}]
			p.mayVanish = true
			wants[target{q[0], "i"}] = p
		}
	}
	return wants, mixed
}

// applyAck records the promise of one child output line, and keeps each
// writer's queue of created sessions that it renames or deletes in turn. It
// reports false for a malformed line, such as one cut by the kill.
func applyAck(wants map[target]promise, queues map[string][]string, line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 {
		return false
	}
	num := func(i int) (int, bool) {
		if i >= len(f) {
			return 0, false
		}
		v, err := strconv.Atoi(f[i])
		return v, err == nil
	}
	switch {
	case len(f) == 3 && (f[0] == "S" || f[0] == "U"):
		v, ok := num(2)
		if !ok {
			return false
		}
		attr := map[string]string{"S": "i", "U": "u"}[f[0]]
		wants[target{f[1], attr}] = promise{min: v}
	case len(f) == 3 && f[0] == "C":
		v, ok := num(2)
		if !ok {
			return false
		}
		wants[target{f[1], "i"}] = promise{min: v, exact: v >= 0}
		if strings.HasPrefix(f[1], "c") {
			w := writerOf(f[1])
			queues[w] = append(queues[w], f[1])
		}
	case len(f) == 4 && f[0] == "R":
		v, ok := num(3)
		if !ok {
			return false
		}
		wants[target{f[1], "i"}] = promise{absent: true}
		wants[target{f[2], "i"}] = promise{min: v, exact: true}
		popQueue(queues, f[1])
	case len(f) == 3 && f[0] == "F":
		wants[target{f[1], "bogus"}] = promise{unset: true}
		wants[target{f[2], "i"}] = promise{absent: true}
	case len(f) == 2 && f[0] == "X":
		wants[target{f[1], "i"}] = promise{absent: true}
		popQueue(queues, f[1])
	default:
		return false
	}
	return true
}

// writerOf returns the writer part, "<round>-<w>", of "c<round>-<w>-<i>".
func writerOf(key string) string { return key[1:strings.LastIndexByte(key, '-')] }

// popQueue removes key, which the child renamed or deleted, from the front
// of its writer's queue.
func popQueue(queues map[string][]string, key string) {
	w := writerOf(key)
	if q := queues[w]; len(q) > 0 && q[0] == key {
		queues[w] = q[1:]
	}
}

// verifyAcked opens the crashed file and checks every promise.
func verifyAcked(t *testing.T, path string, wants map[target]promise) {
	t.Helper()
	s, err := boltstore.Open(path, nil)
	if err != nil {
		t.Fatalf("reopening after SIGKILL: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	checked := make(map[string]int)
	for tg, w := range wants {
		r, found, err := s.Load(ctx, tg.key)
		if err != nil {
			t.Fatalf("Load(%s) after SIGKILL: %v", tg.key, err)
		}
		switch {
		case w.absent:
			checked["absent"]++
			if found {
				t.Errorf("%s exists after SIGKILL, but its deletion or renaming was acknowledged", tg.key)
			}
			continue
		case !found && w.mayVanish:
			// Renamed or deleted by the write the kill cut short: then
			// the rename's target exists, or the key was due for deletion.
			renamed, _, err := s.Load(ctx, "r"+tg.key[1:])
			if err != nil || (renamed == nil && w.min%2 == 1) {
				t.Errorf("%s lost after SIGKILL, and not by its pending rename (%v)", tg.key, err)
			}
			checked["vanished"]++
			continue
		case !found:
			t.Errorf("acknowledged %s lost after SIGKILL", tg.key)
			continue
		case w.unset:
			checked["unset"]++
			if v, ok := r.Attrs[tg.attr]; ok {
				t.Errorf("%s holds %s=%q after SIGKILL, which only refused writes set", tg.key, tg.attr, v)
			}
			continue
		case w.min < 0:
			continue // a counter none of whose writes was acknowledged
		}
		checked[tg.key[:1]+"."+tg.attr]++
		got, err := strconv.Atoi(string(r.Attrs[tg.attr]))
		if err != nil || got < w.min || (w.exact && got != w.min) {
			t.Errorf("%s holds %s=%q after SIGKILL, want %d (exact %v)", tg.key, tg.attr, r.Attrs[tg.attr], w.min, w.exact)
		}
	}
	t.Logf("checked %v", checked)
	// The indexes survived too: every counter is listed under its principal.
	for tg := range wants {
		if !strings.HasPrefix(tg.key, "w") || tg.attr != "i" {
			continue
		}
		w := tg.key[strings.LastIndexByte(tg.key, '-')+1:]
		metas, err := s.ByPrincipal(ctx, "p"+w)
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, m := range metas {
			listed = listed || m.Key == tg.key
		}
		if !listed {
			t.Errorf("%s missing from ByPrincipal(p%s) after SIGKILL", tg.key, w)
		}
	}
}
