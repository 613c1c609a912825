package cli

import (
	"strings"
	"testing"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/store/redisstore"
)

// startRedisWithPassword starts a redis-server whose default user needs the
// password "s3cr/t@x" (a '/' and an '@' that a URL would need encoded).
func startRedisWithPassword(t *testing.T) *testutil.RedisServer {
	t.Helper()
	srv := testutil.StartRedis(t, nil)
	if _, err := srv.Do("CONFIG", "SET", "requirepass", "s3cr/t@x"); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestSessionsRedisPasswordFromEnv: the Redis password can come from
// $HTTPSTATE_REDIS_PASSWORD instead of the store URL, which "ps" shows to
// every user of the machine; without it the server refuses the command, and
// no message repeats the password.
func TestSessionsRedisPasswordFromEnv(t *testing.T) {
	srv := startRedisWithPassword(t)
	store := "redis://" + srv.Addr() + "/0"

	t.Setenv(redisPasswordEnv, "")
	_, errOut, err := runSessions(t, false, "--store", store, "list")
	if err == nil {
		t.Fatalf("list without a password succeeded")
	}

	t.Setenv(redisPasswordEnv, "wrong-pass")
	_, errOut, err = runSessions(t, false, "--store", store, "list")
	if err == nil {
		t.Fatalf("list with a wrong password succeeded")
	}
	if strings.Contains(err.Error()+errOut, "wrong-pass") {
		t.Errorf("error %q (stderr %q) shows the password", err, errOut)
	}

	t.Setenv(redisPasswordEnv, "s3cr/t@x")
	for _, store := range []string{store, "redis://default@" + srv.Addr() + "/0"} {
		out, errOut, err := runSessions(t, false, "--store", store, "stats", "--json")
		if err != nil {
			t.Fatalf("stats with %s set, store %s: %v", redisPasswordEnv, store, err)
		}
		if !strings.Contains(out, `"sessions": 0`) || strings.Contains(out+errOut, "s3cr") {
			t.Errorf("stats: %q, stderr %q", out, errOut)
		}
	}
	// A password in the URL wins over the environment.
	t.Setenv(redisPasswordEnv, "wrong-pass")
	if _, _, err := runSessions(t, false, "--store", "redis://:s3cr%2Ft%40x@"+srv.Addr()+"/0", "list"); err != nil {
		t.Errorf("list with the password in the URL and a wrong one in %s: %v", redisPasswordEnv, err)
	}
}

// TestStoreURLHelpNamesPasswordEnv: --help tells how to keep the password
// off the command line.
func TestStoreURLHelpNamesPasswordEnv(t *testing.T) {
	out, _, err := runSessions(t, false, "--help")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, redisPasswordEnv) {
		t.Errorf("sessions --help does not name %s:\n%s", redisPasswordEnv, out)
	}
}

var withPasswordTests = []struct{ in, pw, want string }{
	{"redis://h:6379/0", "", "redis://h:6379/0"},
	{"redis://h:6379/0", "pw", "redis://:pw@h:6379/0"},
	{"redis://u@h:6379/0", "p/w@x:y", "redis://u:p%2Fw%40x%3Ay@h:6379/0"},
	{"redis://u:own@h:6379/0", "pw", "redis://u:own@h:6379/0"},
	{"redis://:own@h:6379/0", "pw", "redis://:own@h:6379/0"},
	{"redis+sentinel://a:1,b:2/m/1", "pw", "redis+sentinel://:pw@a:1,b:2/m/1"},
	{"rediss+cluster://u%40x@a:1", "pw", "rediss+cluster://u%40x:pw@a:1"},
}

func TestWithPassword(t *testing.T) {
	for _, tt := range withPasswordTests {
		got := withPassword(tt.in, tt.pw)
		if got != tt.want {
			t.Errorf("withPassword(%q, %q) = %q, want %q", tt.in, tt.pw, got, tt.want)
			continue
		}
		o, err := redisstore.ParseURL(got)
		if err != nil {
			t.Errorf("withPassword(%q, %q) = %q: %v", tt.in, tt.pw, got, err)
		} else if tt.pw != "" && !strings.Contains(tt.in, ":own@") && o.Password != tt.pw {
			t.Errorf("withPassword(%q, %q): password %q", tt.in, tt.pw, o.Password)
		}
	}
}
