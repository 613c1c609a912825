package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
)

// The -update flag rewrites golden files; other test files of the package
// define it too, so it is looked up rather than owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func sessionsUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// tNow is the fixed clock of the sessions tests.
var tNow = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

// fixtureSession is one session of the test store.
type fixtureSession struct {
	id, principal string
	age, idle     time.Duration // created age ago, last used idle ago
	attrs         map[string]string
}

var fixtureSessions = []fixtureSession{
	{id: "alice-laptop", principal: "alice", age: 2 * time.Hour, idle: 5 * time.Minute,
		attrs: map[string]string{"cart": `["apple","pear"]`, "csrf.secret": `"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"`}},
	{id: "alice-phone", principal: "alice", age: 30 * time.Minute, idle: 30 * time.Second,
		attrs: map[string]string{"theme": `"dark"`}},
	{id: "bob-desktop", principal: "bob", age: 3 * time.Hour, idle: 20 * time.Minute},
	{id: "anonymous-1", age: 10 * time.Minute, idle: 10 * time.Minute,
		attrs: map[string]string{"cart": `["fig"]`}},
	// Expired: idle for longer than the idle timeout; never listed.
	{id: "carol-stale", principal: "carol", age: 5 * time.Hour, idle: 45 * time.Minute},
}

// fixtureStore writes fixtureSessions into a new bolt file and returns its
// store URL.
func fixtureStore(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	st, err := boltstore.Open(path, &boltstore.Options{Now: func() time.Time { return tNow.Add(-6 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtureSessions {
		r := &session.Record{
			Key: session.Key(f.id), Principal: f.principal,
			Created: tNow.Add(-f.age), LastAccess: tNow.Add(-f.idle),
			IdleTimeout: 30 * time.Minute, Deadline: tNow.Add(-f.age).Add(24 * time.Hour),
			Attrs: map[string][]byte{},
		}
		for k, v := range f.attrs {
			r.Attrs[k] = []byte(v)
		}
		if err := st.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return "bolt:" + path
}

// runSessions runs "sessions args..." with the fixed clock and returns
// stdout, stderr and the error.
func runSessions(t testing.TB, tty bool, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: tty}
	cmd := newSessionsCmdWith(s, &sessionsOptions{now: func() time.Time { return tNow }})
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if sessionsUpdating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

var sessionsGoldenTests = []struct {
	golden string
	tty    bool
	args   []string
}{
	{"sessions_list_tty.golden", true, []string{"list"}},
	{"sessions_list_plain.golden", false, []string{"list"}},
	{"sessions_list_json.golden", false, []string{"list", "--json"}},
	{"sessions_show_tty.golden", true, []string{"show", session.Key("alice-laptop")[:10]}},
	{"sessions_show_json.golden", false, []string{"show", "--json", session.Key("alice-laptop")}},
	{"sessions_stats_tty.golden", true, []string{"stats"}},
	{"sessions_stats_json.golden", false, []string{"stats", "--json"}},
}

func TestSessionsGolden(t *testing.T) {
	store := fixtureStore(t)
	for _, tt := range sessionsGoldenTests {
		out, errOut, err := runSessions(t, tt.tty, append([]string{"--store", store}, tt.args...)...)
		if err != nil {
			t.Errorf("sessions %q: %v (stderr %q)", tt.args, err, errOut)
			continue
		}
		golden(t, tt.golden, out)
	}
}

func TestSessionsListJSON(t *testing.T) {
	store := fixtureStore(t)
	out, _, err := runSessions(t, false, "--store", store, "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []sessionJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	var got []string
	for _, s := range list {
		got = append(got, s.Key)
	}
	// Most recently used first; the expired session is absent.
	want := []string{session.Key("alice-phone"), session.Key("alice-laptop"), session.Key("anonymous-1"), session.Key("bob-desktop")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("list --json keys = %q, want %q", got, want)
	}
	if strings.Contains(out, "alice-laptop") {
		t.Errorf("list shows a session ID, not only its hash")
	}
}

func TestSessionsRevoke(t *testing.T) {
	store := fixtureStore(t)
	key := session.Key("bob-desktop")
	if _, errOut, err := runSessions(t, false, "--store", store, "revoke", "--", key[:8]); err != nil {
		t.Fatalf("revoke %s: %v", key[:8], err)
	} else if !strings.Contains(errOut, "revoked 1 session") {
		t.Errorf("revoke: stderr %q", errOut)
	}
	out, _, err := runSessions(t, false, "--store", store, "revoke", "--user", "alice", "--json")
	if err != nil {
		t.Fatalf("revoke --user alice: %v", err)
	}
	if strings.TrimSpace(out) != `{`+"\n"+`  "revoked": 2`+"\n"+`}` {
		t.Errorf("revoke --user alice --json = %q", out)
	}
	out, _, err = runSessions(t, false, "--store", store, "list")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], session.Key("anonymous-1")+"\t") {
		t.Errorf("list after revocations = %q, want only the anonymous session", out)
	}
	_, _, err = runSessions(t, false, "--store", store, "show", "--", key)
	if !errors.Is(err, errNoSession) {
		t.Errorf("show of a revoked session: %v, want errNoSession", err)
	}
}

var sessionsErrorTests = []struct {
	args []string
	want string
}{
	{[]string{"show", "abc"}, "too short"},
	{[]string{"show", "zzzzzzzzzz"}, "no live session"},
	{[]string{"show", session.Key("carol-stale")}, "no live session"},
	{[]string{"revoke"}, "either one ID-HASH or --user"},
	{[]string{"revoke", "abcdefgh", "--user", "bob"}, "either one ID-HASH or --user"},
	{[]string{"list", "extra"}, "unknown command"},
}

func TestSessionsErrors(t *testing.T) {
	store := fixtureStore(t)
	for _, tt := range sessionsErrorTests {
		_, _, err := runSessions(t, false, append([]string{"--store", store}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("sessions %q: error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	if _, _, err := runSessions(t, false, "--store", "bolt:"+missing, "list"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing bolt file: error %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("sessions list created the missing bolt file")
	}
	if _, _, err := runSessions(t, false, "--store", "nosuch:x", "list"); !errors.Is(err, errStoreURL) {
		t.Errorf("bad --store: error %v, want errStoreURL", err)
	}
}

// TestSessionsAmbiguousPrefix finds two keys sharing a prefix of 8.
func TestSessionsAmbiguousPrefix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := boltstore.Open(path, &boltstore.Options{Now: func() time.Time { return tNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AAAAAAAA1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "AAAAAAAA2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} {
		r := &session.Record{Key: k, Created: tNow, LastAccess: tNow, IdleTimeout: time.Hour, Deadline: tNow.Add(time.Hour)}
		if err := st.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if _, _, err := runSessions(t, false, "--store", "bolt:"+path, "revoke", "AAAAAAAA"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("revoke of an ambiguous prefix: %v, want an ambiguity error", err)
	}
	if _, _, err := runSessions(t, false, "--store", "bolt:"+path, "revoke", "AAAAAAAA2"); err != nil {
		t.Errorf("revoke AAAAAAAA2: %v", err)
	}
}

var displayValueTests = []struct {
	in   string
	max  int
	want string
}{
	{`["apple","pear"]`, 60, `["apple","pear"]`},
	{"dark mode", 60, "dark mode"},
	{"\x1b]0;pwned\x07", 60, `"\x1b]0;pwned\a"`},
	{"a\u009bb", 60, `"a\u009bb"`},
	{"\xff\xfe", 60, `"\xff\xfe"`},
	{strings.Repeat("é", 70), 60, strings.Repeat("é", 57) + "..."},
}

func TestDisplayValue(t *testing.T) {
	for _, tt := range displayValueTests {
		if got := displayValue(tt.in, tt.max); got != tt.want {
			t.Errorf("displayValue(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestSessionsHostilePrincipal stores a principal and a key written by some
// other app with a terminal escape sequence and a line break: no command may
// pass the escape through to a terminal, and the plain "list" output must
// stay one line per session, so a script cannot be fed a forged line (a key
// it would then revoke).
func TestSessionsHostilePrincipal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := boltstore.Open(path, &boltstore.Options{Now: func() time.Time { return tNow }})
	if err != nil {
		t.Fatal(err)
	}
	forged := session.Key("victim")
	evil := "mallory\x1b]0;pwned\x07\n" + forged + "\tbob"
	r := &session.Record{Key: session.Key("mallory"), Principal: evil, Created: tNow, LastAccess: tNow,
		IdleTimeout: time.Hour, Deadline: tNow.Add(time.Hour)}
	if err := st.Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// A key written by another app sharing a Redis store, say.
	r = &session.Record{Key: "AAAAAAAA\x1b]0;x\x07\n" + forged, Created: tNow, LastAccess: tNow.Add(-time.Minute),
		IdleTimeout: time.Hour, Deadline: tNow.Add(time.Hour)}
	if err := st.Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	st.Close()
	store := "bolt:" + path
	for _, tt := range []struct {
		tty  bool
		args []string
	}{
		{true, []string{"stats"}},
		{true, []string{"list"}},
		{false, []string{"list"}},
		{true, []string{"show", session.Key("mallory")}},
		{true, []string{"show", "AAAAAAAA"}},
		{true, []string{"revoke", "AAAAAAAA"}},
	} {
		out, errOut, err := runSessions(t, tt.tty, append([]string{"--store", store}, tt.args...)...)
		if err != nil {
			t.Fatalf("sessions %q: %v", tt.args, err)
		}
		out += errOut
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("sessions %q (tty %v) printed a raw escape sequence: %q", tt.args, tt.tty, out)
		}
		if strings.Contains(out, "\n"+forged) {
			t.Errorf("sessions %q (tty %v) printed a forged line: %q", tt.args, tt.tty, out)
		}
	}
	out, _, err := runSessions(t, false, "--store", store, "list")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 1 || len(strings.Split(lines[0], "\t")) != 6 {
		t.Errorf("plain list of one session = %q, want one line of 6 tab-separated fields", out)
	}
}

// TestSessionsListUser: "list --user NAME" lists that user's live sessions
// only, most recently used first, in every output form; a user without
// sessions lists none (and is no error).
func TestSessionsListUser(t *testing.T) {
	store := fixtureStore(t)
	out, _, err := runSessions(t, false, "--store", store, "list", "--user", "alice", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []sessionJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list --user alice --json: %v\n%s", err, out)
	}
	var got []string
	for _, s := range list {
		got = append(got, s.Key)
	}
	if want := []string{session.Key("alice-phone"), session.Key("alice-laptop")}; !reflect.DeepEqual(got, want) {
		t.Errorf("list --user alice: keys %q, want %q", got, want)
	}
	out, errOut, err := runSessions(t, true, "--store", store, "list", "--user", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], session.Key("bob-desktop")[:12]) || errOut != "1 session\n" {
		t.Errorf("list --user bob (tty) = %q, stderr %q", out, errOut)
	}
	for _, user := range []string{"carol", "nobody"} { // carol's one session expired
		out, _, err := runSessions(t, false, "--store", store, "list", "--user", user)
		if err != nil || out != "" {
			t.Errorf("list --user %s = %q, %v; want nothing", user, out, err)
		}
	}
}

// TestSessionsErrorHidesID: an operator who passes a session ID (a cookie
// value) where an ID hash belongs gets an error that does not repeat it,
// so the ID reaches no terminal scrollback or log of stderr.
func TestSessionsErrorHidesID(t *testing.T) {
	store := fixtureStore(t)
	id := "Xq3v9ZkT0123456789abcdefghijklmnopqrstuvwxy" // shaped like a real ID
	for _, args := range [][]string{{"show", id}, {"revoke", id}, {"show", "--json", id}} {
		out, errOut, err := runSessions(t, false, append([]string{"--store", store}, args...)...)
		if !errors.Is(err, errNoSession) {
			t.Errorf("sessions %q: %v, want errNoSession", args, err)
			continue
		}
		if all := out + errOut + err.Error(); strings.Contains(all, id[:16]) {
			t.Errorf("sessions %q repeats the argument: %q", args, all)
		}
	}
}

// TestSessionsBoltNotAStore: a bolt: path naming an empty file, a file of
// something else or a directory is an error, and the file is left as it
// was (bbolt would otherwise format an empty file into a store).
func TestSessionsBoltNotAStore(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(text, []byte(strings.Repeat("not a bbolt file\n", 512)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{empty, text, dir} {
		before, _ := os.ReadFile(path)
		for _, args := range [][]string{{"list"}, {"stats"}, {"revoke", "--user", "alice"}} {
			if _, _, err := runSessions(t, false, append([]string{"--store", "bolt:" + path}, args...)...); err == nil {
				t.Errorf("sessions %q on bolt:%s succeeded, want an error", args, filepath.Base(path))
			}
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("sessions changed %s: %d bytes, then %d", filepath.Base(path), len(before), len(after))
		}
	}
}

// TestSessionsMemoryStore: a memory: store lives inside the process that
// serves it, so the sessions command would only ever see a new, empty one
// and report "0 sessions" or "revoked 0" about a server it cannot reach:
// it refuses instead.
func TestSessionsMemoryStore(t *testing.T) {
	for _, args := range [][]string{{"list"}, {"stats"}, {"revoke", "--user", "alice"}, {"show", "abcdefgh"}} {
		out, _, err := runSessions(t, false, append([]string{"--store", "memory:"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "memory:") || out != "" {
			t.Errorf("sessions --store memory: %q = %q, %v; want an error naming memory:", args, out, err)
		}
	}
}

// failWriter fails every write, as stdout redirected to a full disk.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestSessionsOutputWriteError: every output form of every sessions command
// reports an output it could not write (a full disk) as an error; the plain
// list (piped, the form scripts read) exited 0 with nothing written.
func TestSessionsOutputWriteError(t *testing.T) {
	store := fixtureStore(t)
	key := session.Key("alice-laptop")[:10]
	for _, tt := range []struct {
		tty  bool
		args []string
	}{
		{false, []string{"list"}},
		{false, []string{"list", "--user", "alice"}},
		{true, []string{"list"}},
		{false, []string{"list", "--json"}},
		{false, []string{"show", key}},
		{false, []string{"show", "--json", key}},
		{false, []string{"stats"}},
		{false, []string{"stats", "--json"}},
	} {
		var errOut bytes.Buffer
		s := &Streams{In: strings.NewReader(""), Out: failWriter{}, ErrOut: &errOut, OutTTY: tt.tty}
		cmd := newSessionsCmdWith(s, &sessionsOptions{now: func() time.Time { return tNow }})
		cmd.SetArgs(append([]string{"--store", store}, tt.args...))
		cmd.SetErr(&errOut)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "no space left") {
			t.Errorf("tty %v sessions %q to a full disk: error %v, want the write error", tt.tty, tt.args, err)
		}
	}
}

// TestSessionsKeyStartingWithDash: an ID hash is base64url, so one in 64
// starts with "-". After "--" it is an ID hash; without it the flag parser's
// error says how to pass it.
func TestSessionsKeyStartingWithDash(t *testing.T) {
	store := fixtureStore(t)
	for _, cmd := range []string{"show", "revoke"} {
		_, _, err := runSessions(t, false, "--store", store, cmd, "-ckxtHf89v50")
		if err == nil || !strings.Contains(err.Error(), `goes after "--"`) {
			t.Errorf("%s -ckxtHf89v50: %v, want the hint about --", cmd, err)
		}
		_, _, err = runSessions(t, false, "--store", store, cmd, "--", "-ckxtHf89v50")
		if !errors.Is(err, errNoSession) {
			t.Errorf("%s -- -ckxtHf89v50: %v, want errNoSession", cmd, err)
		}
	}
}
