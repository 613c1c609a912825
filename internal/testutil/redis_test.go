package testutil

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestStartRedis(t *testing.T) {
	s := StartRedis(t, &RedisOptions{AppendOnly: true})
	if _, err := s.Do("SET", "k", "v"); err != nil {
		t.Fatalf("SET: %v", err)
	}
	s.Kill()
	if _, err := s.Do("PING"); err == nil {
		t.Fatalf("PING after Kill: got nil error, want a connection error")
	}
	s.Start()
	got, err := s.Do("GET", "k")
	if err != nil || got != "v" {
		t.Fatalf("GET k after restart with AOF: got %q, %v; want \"v\"", got, err)
	}
	s.Stop()
	s.Stop() // stopping twice is harmless
}

func TestStartRedisCluster(t *testing.T) {
	c := StartRedisCluster(t, 3)
	if got := len(c.Addrs()); got != 3 {
		t.Fatalf("Addrs: got %d, want 3", got)
	}
	info, err := c.Nodes[0].Do("CLUSTER", "INFO")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:3"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLUSTER INFO: missing %q in\n%s", want, info)
		}
	}
}

// TestStartServerPortTaken: a redis-server started on a port that another
// one took first (between freePort and its bind) exits; the other's PONG
// must not pass for its own.
func TestStartServerPortTaken(t *testing.T) {
	other := StartRedis(t, nil)
	_, port, err := net.SplitHostPort(other.Addr())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(RequireTool(t, "redis-server"), "--port", port, "--bind", "127.0.0.1",
		"--dir", t.TempDir(), "--save", "", "--appendonly", "no", "--logfile", "")
	got, _, done, err := startServer(cmd, other.Addr(), "redis-server")
	if err == nil {
		got.Process.Kill()
		<-done
		t.Fatal("startServer on a port another redis-server listens on: no error, the other's PONG passed for the new server's")
	}
	if _, err := other.Do("PING"); err != nil {
		t.Errorf("the other server: %v", err)
	}
}

// TestStartRedisWaitsForLoading: a redis-server started on a large
// append-only file answers INFO (its own process_id) while it loads, and
// PING with -LOADING: StartRedis and Start return only once it serves
// commands.
func TestStartRedisWaitsForLoading(t *testing.T) {
	s := &RedisServer{t: t, bin: RequireTool(t, "redis-server"), dir: t.TempDir(), opts: RedisOptions{AppendOnly: true}}
	t.Cleanup(s.Stop)
	f, err := os.Create(filepath.Join(s.dir, "appendonly.aof"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range 300000 { // about 0.3 s of loading
		k := "k" + strconv.Itoa(i)
		fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$20\r\nvvvvvvvvvvvvvvvvvvvv\r\n", len(k), k)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // another port when another server took this one
		port, err := freePort(false)
		if err != nil {
			t.Fatal(err)
		}
		s.port = port
		if err = s.start(); err == nil {
			break
		} else if i == 9 {
			t.Fatal(err)
		}
	}
	if got, err := s.Do("PING"); err != nil || got != "PONG" {
		t.Fatalf("PING right after start = %q, %v; want PONG (start returned while redis-server was still loading its append-only file)", got, err)
	}
	if got, err := s.Do("DBSIZE"); err != nil || got != "300000" {
		t.Errorf("DBSIZE = %q, %v; want 300000 (the file loaded)", got, err)
	}
}
