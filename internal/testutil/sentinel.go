package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SentinelOptions configures StartRedisSentinel. The zero value (or nil)
// starts one master and one Sentinel.
type SentinelOptions struct {
	// MasterName is the name the Sentinels monitor the master under.
	// Default "httpstate".
	MasterName string
	// Sentinels is the number of Sentinel processes. Default 1. With n
	// Sentinels the quorum is n/2+1.
	Sentinels int
	// Replicas is the number of replicas of the master, for failover
	// tests. Default 0.
	Replicas int
}

// RedisSentinel is a master redis-server, its replicas and the Sentinels
// watching them, started by StartRedisSentinel and stopped when the test
// ends.
type RedisSentinel struct {
	// MasterName is the name the Sentinels know the master by.
	MasterName string
	// Master is the master as started. After a failover it may be a
	// replica: ask MasterAddr.
	Master *RedisServer
	// Replicas holds the master's replicas as started.
	Replicas []*RedisServer
	// Sentinels holds the Sentinel processes.
	Sentinels []*SentinelServer
}

// Addrs returns the Sentinels' addresses, the Addrs of a go-redis failover
// client.
func (r *RedisSentinel) Addrs() []string {
	addrs := make([]string, len(r.Sentinels))
	for i, s := range r.Sentinels {
		addrs[i] = s.Addr()
	}
	return addrs
}

// MasterAddr returns the master's address as the first Sentinel reports it
// (SENTINEL GET-MASTER-ADDR-BY-NAME).
func (r *RedisSentinel) MasterAddr() (string, error) {
	reply, err := r.Sentinels[0].Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", r.MasterName)
	if err != nil {
		return "", err
	}
	host, port, ok := strings.Cut(reply, "\n")
	if !ok {
		return "", fmt.Errorf("sentinel: no master %q (reply %q)", r.MasterName, reply)
	}
	return net.JoinHostPort(host, port), nil
}

// SentinelServer is a redis-server process in Sentinel mode.
type SentinelServer struct {
	port int
	cmd  *exec.Cmd
	out  *lockedWriter
	done chan struct{} // closed when cmd has exited
	once sync.Once
}

// Addr returns the Sentinel's "127.0.0.1:port" address.
func (s *SentinelServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Do sends one command to the Sentinel; see RedisServer.Do.
func (s *SentinelServer) Do(args ...string) (string, error) { return redisDo(s.Addr(), args...) }

// Stop shuts the Sentinel down (SIGTERM) and waits for it to exit. Stopping
// it twice does nothing.
func (s *SentinelServer) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// StartRedisSentinel starts a master redis-server (see StartRedis), its
// replicas and Sentinels (redis-server --sentinel, each with a generated
// sentinel.conf in t.TempDir()) on free loopback ports, with a 1 s
// down-after. It waits until every Sentinel reports the master as up, knows
// every replica and every other Sentinel, and stops them all in t.Cleanup.
// A missing redis-server fails the test (see RequireTool).
func StartRedisSentinel(t testing.TB, o *SentinelOptions) *RedisSentinel {
	t.Helper()
	var opts SentinelOptions
	if o != nil {
		opts = *o
	}
	if opts.MasterName == "" {
		opts.MasterName = "httpstate"
	}
	if opts.Sentinels <= 0 {
		opts.Sentinels = 1
	}
	bin := RequireTool(t, "redis-server")
	// A replica's first sync waits repl-diskless-sync-delay (5 s) for
	// more replicas to share the transfer; none will. (Replicas get the
	// same setting: a failover makes one the master.)
	master := StartRedis(t, &RedisOptions{Args: []string{"--repl-diskless-sync-delay", "0"}})
	r := &RedisSentinel{MasterName: opts.MasterName, Master: master}
	_, mport, _ := net.SplitHostPort(r.Master.Addr())
	for range opts.Replicas {
		rep := StartRedis(t, &RedisOptions{Args: []string{"--replicaof", "127.0.0.1", mport, "--repl-diskless-sync-delay", "0"}})
		r.Replicas = append(r.Replicas, rep)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, rep := range r.Replicas {
		waitFor(t, deadline, rep.Addr(), func() (bool, string) {
			info, err := rep.Do("INFO", "replication")
			return err == nil && strings.Contains(info, "master_link_status:up"), fmt.Sprint(info, err)
		})
	}
	quorum := opts.Sentinels/2 + 1
	for range opts.Sentinels {
		s := startSentinel(t, bin, opts.MasterName, mport, quorum)
		t.Cleanup(s.Stop)
		r.Sentinels = append(r.Sentinels, s)
	}
	for _, s := range r.Sentinels {
		waitFor(t, deadline, s.Addr(), func() (bool, string) {
			reply, err := s.Do("SENTINEL", "MASTER", opts.MasterName)
			if err != nil {
				return false, err.Error()
			}
			f := fields(reply)
			ok := f["flags"] == "master" && f["port"] == mport &&
				f["num-slaves"] == strconv.Itoa(opts.Replicas) &&
				f["num-other-sentinels"] == strconv.Itoa(opts.Sentinels-1)
			if !ok || opts.Replicas == 0 {
				return ok, reply
			}
			// A failover needs replicas the Sentinel is connected to and
			// has INFO from: flags exactly "slave", not "slave,disconnected".
			reps, err := s.Do("SENTINEL", "REPLICAS", opts.MasterName)
			if err != nil {
				return false, err.Error()
			}
			n := strconv.Itoa(opts.Replicas)
			ok = strconv.Itoa(strings.Count(reps, "\nflags\nslave\n")) == n &&
				strconv.Itoa(strings.Count(reps, "\nmaster-link-status\nok\n")) == n
			return ok, reps
		})
	}
	return r
}

// startSentinel starts one Sentinel monitoring 127.0.0.1:mport, retrying on
// a port taken between freePort and the Sentinel's bind.
func startSentinel(t testing.TB, bin, name, mport string, quorum int) *SentinelServer {
	t.Helper()
	dir := t.TempDir()
	var last error
	for range 10 {
		port, err := freePort(false)
		if err != nil {
			t.Fatalf("testutil: free port: %v", err)
		}
		// Sentinel rewrites its config file (it records what it learns),
		// so the file must be writable.
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %q\ndaemonize no\nlogfile \"\"\n"+
			"sentinel monitor %s 127.0.0.1 %s %d\n"+
			"sentinel down-after-milliseconds %s 1000\n"+
			"sentinel failover-timeout %s 10000\n",
			port, dir, name, mport, quorum, name, name)
		path := filepath.Join(dir, "sentinel.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatalf("testutil: %v", err)
		}
		s := &SentinelServer{port: port}
		if last = s.start(bin, path); last == nil {
			return s
		}
	}
	t.Fatalf("testutil: redis-server --sentinel did not start: %v", last)
	return nil
}

func (s *SentinelServer) start(bin, conf string) error {
	cmd, out, done, err := startServer(exec.Command(bin, conf, "--sentinel"), s.Addr(), "sentinel")
	if err != nil {
		return err
	}
	s.cmd, s.out, s.done = cmd, out, done
	return nil
}

// waitFor polls cond every 50 ms until it holds, failing the test at
// deadline with cond's last detail.
func waitFor(t testing.TB, deadline time.Time, what string, cond func() (bool, string)) {
	t.Helper()
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("testutil: %s not ready: %s", what, detail)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fields turns a flat "key\nvalue\n..." reply into a map.
func fields(reply string) map[string]string {
	parts := strings.Split(reply, "\n")
	m := make(map[string]string, len(parts)/2)
	for i := 0; i+1 < len(parts); i += 2 {
		m[parts[i]] = parts[i+1]
	}
	return m
}
