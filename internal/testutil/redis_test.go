package testutil

import (
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
