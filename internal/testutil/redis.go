package testutil

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RedisOptions configures StartRedis. The zero value (or nil) starts a plain
// in-memory server with persistence off.
type RedisOptions struct {
	// AppendOnly turns the append-only file on with appendfsync always, so
	// that every acknowledged write survives a crash (Kill) and a restart.
	AppendOnly bool
	// Cluster starts the server with cluster mode enabled (used by
	// StartRedisCluster; a lone cluster node serves nothing until slots are
	// assigned).
	Cluster bool
	// Args holds extra redis-server arguments, e.g. "--maxmemory", "10mb".
	Args []string
}

// RedisServer is a redis-server process started by StartRedis on a loopback
// port, stopped when the test ends. It is safe for concurrent use.
type RedisServer struct {
	t    testing.TB
	bin  string
	port int
	dir  string
	opts RedisOptions

	mu  sync.Mutex // protects cmd, out and done
	cmd *exec.Cmd
	out *lockedWriter
	// done is closed when cmd has exited.
	done chan struct{}
}

// StartRedis starts a redis-server on a free 127.0.0.1 port with its data in
// t.TempDir() (no RDB snapshots), waits until it answers PING and stops it in
// t.Cleanup. A missing redis-server fails the test (see RequireTool).
func StartRedis(t testing.TB, o *RedisOptions) *RedisServer {
	t.Helper()
	bin := RequireTool(t, "redis-server")
	s := &RedisServer{t: t, bin: bin, dir: t.TempDir()}
	if o != nil {
		s.opts = *o
	}
	var last error
	for range 10 {
		port, err := freePort(s.opts.Cluster)
		if err != nil {
			t.Fatalf("testutil: free port: %v", err)
		}
		s.port = port
		if last = s.start(); last == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("testutil: redis-server did not start: %v", last)
	return nil
}

// Addr returns the server's "127.0.0.1:port" address.
func (s *RedisServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir returns the server's data directory.
func (s *RedisServer) Dir() string { return s.dir }

// Start starts the server again, on the same port and directory, after Stop
// or Kill. It fails the test if the server does not come up.
func (s *RedisServer) Start() {
	s.t.Helper()
	var err error
	// The port may take a moment to be free again after a kill.
	for range 50 {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("testutil: restart redis-server on %s: %v", s.Addr(), err)
}

// Stop shuts the server down gracefully (SIGTERM) and waits for it to exit.
// Stopping a stopped server does nothing.
func (s *RedisServer) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server abruptly (SIGKILL), as a crash would, and waits for
// it to exit.
func (s *RedisServer) Kill() { s.signal(syscall.SIGKILL) }

// Do sends one command to the server and returns its reply: simple strings,
// bulk strings and integers as text, arrays joined by newlines. A Redis error
// reply is returned as an error.
func (s *RedisServer) Do(args ...string) (string, error) { return redisDo(s.Addr(), args...) }

func (s *RedisServer) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (s *RedisServer) start() error {
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--daemonize", "no",
		"--logfile", "",
	}
	if s.opts.AppendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	if s.opts.Cluster {
		args = append(args, "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(s.dir, "nodes.conf"),
			"--cluster-node-timeout", "2000")
	}
	args = append(args, s.opts.Args...)
	cmd, out, done, err := startServer(exec.Command(s.bin, args...), s.Addr(), "redis-server")
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cmd, s.out, s.done = cmd, out, done
	s.mu.Unlock()
	return nil
}

// startServer starts cmd, a redis-server (what names it in errors), as a
// child that dies with the test process, and waits up to 10 s for a PONG
// from addr, from that process: another server that took the port between
// freePort and cmd's bind (cmd then exits) answers PING too, and its PONG
// would have handed the caller a server of some other test. It returns the
// process, its captured output and a channel closed when it exits; on
// failure the process is gone.
func startServer(cmd *exec.Cmd, addr, what string) (*exec.Cmd, *lockedWriter, chan struct{}, error) {
	cmd.SysProcAttr = childAttr()
	out := &lockedWriter{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("start %s: %w", strings.Join(cmd.Args, " "), err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		reply, err := redisDo(addr, "PING")
		if err == nil && reply == "PONG" {
			var pid int
			if pid, err = serverPID(addr); err == nil && pid == cmd.Process.Pid {
				return cmd, out, done, nil
			}
			if err == nil {
				err = fmt.Errorf("%s answers from process %d, not %d", addr, pid, cmd.Process.Pid)
			}
		}
		select {
		case <-done:
			return nil, nil, nil, fmt.Errorf("%s exited: %s", what, out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return nil, nil, nil, fmt.Errorf("no PONG from %s %s (%v): %s", what, addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RedisCluster is a Redis Cluster of masters without replicas, started by
// StartRedisCluster.
type RedisCluster struct {
	// Nodes holds the masters.
	Nodes []*RedisServer
}

// Addrs returns the masters' addresses.
func (c *RedisCluster) Addrs() []string {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// StartRedisCluster starts n (at least 3) cluster-enabled redis-servers on
// loopback ports, joins them into one cluster with redis-cli --cluster create
// (no replicas), and waits until every node reports cluster_state:ok.
func StartRedisCluster(t testing.TB, n int) *RedisCluster {
	t.Helper()
	if n < 3 {
		t.Fatalf("testutil: a Redis Cluster needs at least 3 masters, got %d", n)
	}
	cli := RequireTool(t, "redis-cli")
	c := &RedisCluster{}
	for range n {
		c.Nodes = append(c.Nodes, StartRedis(t, &RedisOptions{Cluster: true}))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("testutil: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, node := range c.Nodes {
		for {
			info, err := node.Do("CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("testutil: cluster not ok on %s: %v %s", node.Addr(), err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// freePort returns a loopback TCP port that is free now; with bus set, port
// +10000 (the cluster bus) is free too.
func freePort(bus bool) (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !bus {
			l.Close()
			return port, nil
		}
		if port+10000 > 65535 {
			l.Close()
			continue
		}
		lb, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		l.Close()
		if err != nil {
			continue
		}
		lb.Close()
		return port, nil
	}
	return 0, errors.New("no free port pair")
}

// serverPID returns the process_id that the server at addr reports in INFO
// server (Sentinels report it too).
func serverPID(addr string) (int, error) {
	info, err := redisDo(addr, "INFO", "server")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("no process_id in INFO server of %s", addr)
}

// redisDo is a minimal RESP client: this package must not import go-redis
// (store/redisstore is its only importer).
func redisDo(addr string, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write(b.Bytes()); err != nil {
		return "", err
	}
	return readReply(bufio.NewReader(conn))
}

// readReply reads one RESP2 reply.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", err
		}
		parts := make([]string, 0, max(n, 0))
		for range n {
			p, err := readReply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("bad reply %q", line)
}

// lockedWriter collects a process's output; it is read while the process
// still writes.
type lockedWriter struct {
	mu sync.Mutex // protects b
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
