package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

var parseURLTests = []struct {
	in      string
	addrs   []string
	db      int
	master  string
	cluster bool
	user    string
	pass    string
	tls     string // TLS ServerName; "-" for no TLS
	err     bool
}{
	{in: "redis://127.0.0.1:6379/0", addrs: []string{"127.0.0.1:6379"}, tls: "-"},
	{in: "redis://localhost:6380/3", addrs: []string{"localhost:6380"}, db: 3, tls: "-"},
	{in: "redis://[::1]:6379/1", addrs: []string{"[::1]:6379"}, db: 1, tls: "-"},
	{in: "redis://127.0.0.1", addrs: []string{"127.0.0.1:6379"}, tls: "-"},
	{in: "redis://[::1]", addrs: []string{"[::1]:6379"}, tls: "-"},
	{in: "REDIS://h:1/", addrs: []string{"h:1"}, tls: "-"},
	{in: "redis://u:s3cret@127.0.0.1:6379/2", addrs: []string{"127.0.0.1:6379"}, db: 2, user: "u", pass: "s3cret", tls: "-"},
	{in: "redis://:p%40ss@h:6379", addrs: []string{"h:6379"}, pass: "p@ss", tls: "-"},
	{in: "rediss://h:6379/0", addrs: []string{"h:6379"}, tls: "h"},
	{in: "redis+sentinel://a:1,b:2,c/mymaster", addrs: []string{"a:1", "b:2", "c:26379"}, master: "mymaster", tls: "-"},
	{in: "redis+sentinel://u:pw@[::1]:1,[::1]:2/m/4", addrs: []string{"[::1]:1", "[::1]:2"}, master: "m", db: 4, user: "u", pass: "pw", tls: "-"},
	{in: "rediss+sentinel://s/m", addrs: []string{"s:26379"}, master: "m", tls: ""},
	{in: "redis+cluster://a:7000,b:7001", addrs: []string{"a:7000", "b:7001"}, cluster: true, tls: "-"},
	{in: "redis+cluster://a/0", addrs: []string{"a:6379"}, cluster: true, tls: "-"},
	{in: "rediss+cluster://a:7000", addrs: []string{"a:7000"}, cluster: true, tls: ""},
	{in: "", err: true},
	{in: "redis://", err: true},
	{in: "redis:127.0.0.1:6379", err: true},
	{in: "redis://127.0.0.1:6379/x", err: true},
	{in: "redis://127.0.0.1:6379/-1", err: true},
	{in: "redis://127.0.0.1:6379/0/1", err: true},
	{in: "redis://127.0.0.1:6379/0?dial_timeout=1s", err: true},
	{in: "redis://127.0.0.1:6379/0#f", err: true},
	{in: "redis://:6379/0", err: true},
	{in: "redis://h:0", err: true},
	{in: "redis://h:x", err: true},
	{in: "redis://a:1,b:2/0", err: true},
	{in: "unix:///tmp/redis.sock", err: true},
	{in: "redis+sentinel://a:1", err: true},
	{in: "redis+sentinel://a:1/", err: true},
	{in: "redis+sentinel://a:1/m/x", err: true},
	{in: "redis+sentinel://a:1/m/0/1", err: true},
	{in: "redis+sentinel://a:1,,b:2/m", err: true},
	{in: "redis+cluster://a:1/1", err: true},
	{in: "redis+cluster://", err: true},
	{in: "redis+ring://a:1", err: true},
	{in: "redis://]", err: true},
}

func TestParseURL(t *testing.T) {
	for _, tt := range parseURLTests {
		o, err := redisstore.ParseURL(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParseURL(%q) = %+v, want an error", tt.in, o)
			} else if !errors.Is(err, redisstore.ErrURL) {
				t.Errorf("ParseURL(%q): error %v does not wrap ErrURL", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.in, err)
			continue
		}
		if !slices.Equal(o.Addrs, tt.addrs) || o.DB != tt.db || o.MasterName != tt.master ||
			o.IsClusterMode != tt.cluster || o.Username != tt.user || o.Password != tt.pass {
			t.Errorf("ParseURL(%q) = addrs %q db %d master %q cluster %v user %q pass %q; want %q %d %q %v %q %q",
				tt.in, o.Addrs, o.DB, o.MasterName, o.IsClusterMode, o.Username, o.Password,
				tt.addrs, tt.db, tt.master, tt.cluster, tt.user, tt.pass)
		}
		switch {
		case tt.tls == "-" && o.TLSConfig != nil:
			t.Errorf("ParseURL(%q): TLS on, want off", tt.in)
		case tt.tls != "-" && o.TLSConfig == nil:
			t.Errorf("ParseURL(%q): TLS off, want on", tt.in)
		case tt.tls != "-" && o.TLSConfig.ServerName != tt.tls:
			t.Errorf("ParseURL(%q): TLS ServerName %q, want %q", tt.in, o.TLSConfig.ServerName, tt.tls)
		}
	}
}

// TestParseURLClient: each form gives the go-redis client it names.
func TestParseURLClient(t *testing.T) {
	for in, want := range map[string]string{
		"redis://h:1/0":             "*redis.Client",
		"redis+sentinel://h:1/m":    "*redis.Client", // a failover client
		"redis+cluster://h:1":       "*redis.ClusterClient",
		"redis+cluster://h:1,h:2/0": "*redis.ClusterClient",
	} {
		o, err := redisstore.ParseURL(in)
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewUniversalClient(o)
		if got := fmt.Sprintf("%T", c); got != want {
			t.Errorf("%s: client %s, want %s", in, got, want)
		}
		c.Close()
	}
}

// TestParseURLHidesPassword: no error message repeats a password.
func TestParseURLHidesPassword(t *testing.T) {
	for _, in := range []string{
		"redis://u:hunter2@127.0.0.1:6379/x",
		"redis://u:hunter2@127.0.0.1:6379/0?a=b",
		"redis://u:hunter2@:6379/0",
		"redis://u:hunter2@127.0.0.1:99999999999/0",
		"redis://u:hunter2@[::1/0",
		"redis://u:hunter2%zz@h/0",
		"u:hunter2@h://x",
		"redis+sentinel://u:hunter2@h",
		"redis+cluster://u:hunter2@h/3",
		// A password with a '/', '?' or '#' that is not percent-encoded.
		"redis://u:hunter2/x@h:6379/0",
		"redis://u:hunter2?x@h:6379/0",
		"redis://u:hunter2#x@h:6379",
		"redis://u:x/hunter2@h:6379/0",
		"redis+sentinel://u:hunter2/x@h/m",
	} {
		_, err := redisstore.ParseURL(in)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded, want an error", in)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%q): error %q shows the password", in, err)
		}
	}
}

// FuzzParseURL: parsing never panics, every accepted URL has addresses with
// a port, a master name exactly for Sentinel, and errors wrap ErrURL.
func FuzzParseURL(f *testing.F) {
	for _, tt := range parseURLTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		o, err := redisstore.ParseURL(in)
		if err != nil {
			if !errors.Is(err, redisstore.ErrURL) {
				t.Fatalf("ParseURL(%q): error %v does not wrap ErrURL", in, err)
			}
			return
		}
		if len(o.Addrs) == 0 {
			t.Fatalf("ParseURL(%q): no addresses", in)
		}
		for _, a := range o.Addrs {
			if h, p, err := net.SplitHostPort(a); err != nil || h == "" || p == "" {
				t.Fatalf("ParseURL(%q): address %q: %v", in, a, err)
			}
		}
		scheme, _, _ := strings.Cut(strings.ToLower(in), "://")
		if (o.MasterName != "") != strings.HasSuffix(scheme, "+sentinel") {
			t.Fatalf("ParseURL(%q): master %q", in, o.MasterName)
		}
	})
}

// dialRoundTrip creates a session through s and loads it back.
func dialRoundTrip(t *testing.T, s session.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.Create(ctx, sentinelRecord("k1", time.Now())); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, found, err := s.Load(ctx, "k1")
	if err != nil || !found || string(got.Attrs["a"]) != `1` {
		t.Fatalf("Load: %+v, %v, %v", got, found, err)
	}
}

// connectedClients returns the server's connected_clients, counting the
// connection that asks.
func connectedClients(t *testing.T, srv *testutil.RedisServer) int {
	t.Helper()
	info, err := srv.Do("INFO", "clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_clients:"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("INFO clients: no connected_clients in %q", info)
	return 0
}

// startRedisWithUser starts a redis-server with an ACL user "u", password
// "s3cret" (the default user stays open for the harness's own commands).
func startRedisWithUser(t *testing.T) *testutil.RedisServer {
	t.Helper()
	srv := testutil.StartRedis(t, nil)
	if _, err := srv.Do("ACL", "SETUSER", "u", "on", ">s3cret", "~*", "&*", "+@all"); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestDialStandalone: Dial uses the URL's database and password, and Close
// closes the store and its client (the server sees the connections go).
func TestDialStandalone(t *testing.T) {
	srv := startRedisWithUser(t)
	ctx := context.Background()
	s, err := redisstore.Dial(ctx, "redis://u:s3cret@"+srv.Addr()+"/2", &redisstore.Options{Prefix: "dial:"})
	if err != nil {
		t.Fatal(err)
	}
	dialRoundTrip(t, s)
	if ks, err := srv.Do("INFO", "keyspace"); err != nil || !strings.Contains(ks, "db2:keys=") || strings.Contains(ks, "db0:") {
		t.Fatalf("INFO keyspace: want keys in db2 only: %v\n%s", err, ks)
	}
	if n := connectedClients(t, srv); n < 2 {
		t.Fatalf("connected_clients with the store open: %d, want at least 2", n)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := s.Load(ctx, "k1"); !errors.Is(err, session.ErrClosed) {
		t.Fatalf("Load after Close: %v, want ErrClosed", err)
	}
	if err := s.Client().Ping(ctx).Err(); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("Ping on the client after Close: %v, want redis.ErrClosed", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for connectedClients(t, srv) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("connected_clients after Close: %d, want 1 (this INFO)", connectedClients(t, srv))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDialErrors: a bad URL wraps ErrURL; a wrong password and a port with
// nothing listening fail, without repeating the password.
func TestDialErrors(t *testing.T) {
	srv := startRedisWithUser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := redisstore.Dial(ctx, "redis://h:1/x", nil); !errors.Is(err, redisstore.ErrURL) {
		t.Errorf("Dial with a bad URL: %v, want ErrURL", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, in := range []string{
		"redis://u:hunter2@" + srv.Addr() + "/0",
		"redis://u:hunter2@" + closed + "/0",
		"redis+sentinel://u:hunter2@" + closed + "/m",
	} {
		s, err := redisstore.Dial(ctx, in, nil)
		if err == nil {
			s.Close()
			t.Errorf("Dial(%q) succeeded, want an error", in)
			continue
		}
		if errors.Is(err, redisstore.ErrURL) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Dial(%q): error %q", in, err)
		}
	}
	if ctx.Err() != nil {
		t.Fatalf("Dial errors took the whole context: %v", ctx.Err())
	}
}

// TestDialSentinel: a redis+sentinel:// store writes to the master the
// Sentinels name.
func TestDialSentinel(t *testing.T) {
	r := testutil.StartRedisSentinel(t, &testutil.SentinelOptions{Sentinels: 3})
	ctx := context.Background()
	s, err := redisstore.Dial(ctx, "redis+sentinel://"+strings.Join(r.Addrs(), ",")+"/"+r.MasterName, &redisstore.Options{Prefix: "dial:"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dialRoundTrip(t, s)
	plain := redis.NewClient(&redis.Options{Addr: r.Master.Addr()})
	defer plain.Close()
	direct, err := redisstore.New(plain, &redisstore.Options{Prefix: "dial:"})
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := direct.Load(ctx, "k1"); err != nil || !found {
		t.Fatalf("Load from the master: found %v, %v", found, err)
	}
}

// TestDialCluster: a redis+cluster:// URL with one seed node gives a
// cluster client that reaches every slot.
func TestDialCluster(t *testing.T) {
	cl := testutil.StartRedisCluster(t, 3)
	ctx := context.Background()
	s, err := redisstore.Dial(ctx, "redis+cluster://"+cl.Addrs()[0], &redisstore.Options{Prefix: "dial:"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.Client().(*redis.ClusterClient); !ok {
		t.Fatalf("client %T, want *redis.ClusterClient", s.Client())
	}
	for i := range 20 { // 20 keys land on every node of 3 (hash slots)
		k := "k" + strconv.Itoa(i)
		if err := s.Create(ctx, sentinelRecord(k, time.Now())); err != nil {
			t.Fatalf("Create %s: %v", k, err)
		}
		if _, found, err := s.Load(ctx, k); err != nil || !found {
			t.Fatalf("Load %s: %v, %v", k, found, err)
		}
	}
}

// Dial opens a store on the Redis a URL names; here the master that three
// Sentinels know as "mymaster". Closing the store closes its client.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := redisstore.Dial(ctx, "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/mymaster/0", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	m, err := session.New(&session.Options{Store: st})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
}
