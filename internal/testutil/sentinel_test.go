package testutil

import (
	"strings"
	"testing"
)

func TestStartRedisSentinel(t *testing.T) {
	r := StartRedisSentinel(t, &SentinelOptions{Sentinels: 3, Replicas: 1})
	if got := len(r.Addrs()); got != 3 {
		t.Fatalf("Addrs: got %d, want 3", got)
	}
	for _, s := range r.Sentinels {
		reply, err := s.Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", r.MasterName)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(reply, "\n", ":"); got != r.Master.Addr() {
			t.Errorf("sentinel %s: master %q, want %q", s.Addr(), got, r.Master.Addr())
		}
	}
	if got, err := r.MasterAddr(); err != nil || got != r.Master.Addr() {
		t.Fatalf("MasterAddr: %q, %v; want %q", got, err, r.Master.Addr())
	}
	info, err := r.Replicas[0].Do("INFO", "replication")
	if err != nil || !strings.Contains(info, "role:slave") {
		t.Fatalf("replica INFO: %v\n%s", err, info)
	}
	r.Sentinels[0].Stop()
	r.Sentinels[0].Stop() // stopping twice is harmless
	if _, err := r.Sentinels[0].Do("PING"); err == nil {
		t.Fatal("PING after Stop: got nil error, want a connection error")
	}
}
