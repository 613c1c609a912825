package cli

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
)

// TestSessionsExitStatus runs the command line as the binary does: every
// failure the help names exits with status 1 and one "httpstate: ..." line
// on stderr that says what went wrong, within the documented time, and
// without the Redis password.
func TestSessionsExitStatus(t *testing.T) {
	store := fixtureStore(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	locked := filepath.Join(t.TempDir(), "locked.db")
	held, err := boltstore.Open(locked, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--store", store, "list"}, 0, ""},
		{[]string{"--store", store, "revoke", "--user", "nobody"}, 0, "revoked 0 sessions"},
		{[]string{"--store", store, "show", session.Key("nobody")}, 1, "no such session"},
		{[]string{"--store", store, "revoke", session.Key("nobody")[:8]}, 1, "no such session"},
		{[]string{"--store", store, "revoke"}, 1, "either one ID-HASH or --user"},
		{[]string{"--store", "bolt:" + locked, "list"}, 1, "locked by another process"},
		{[]string{"--store", "redis://u:hunter2@" + closed + "/0", "list"}, 1, "connection refused"},
	} {
		var out, errOut strings.Builder
		start := time.Now()
		code := runContext(context.Background(), &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, append([]string{"sessions"}, tt.args...))
		took := time.Since(start)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("sessions %q: status %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
		if code != 0 && (!strings.HasPrefix(errOut.String(), "httpstate: ") || strings.Count(errOut.String(), "\n") != 1) {
			t.Errorf("sessions %q: stderr %q, want one httpstate: line", tt.args, errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), "hunter2") {
			t.Errorf("sessions %q shows the password: %q", tt.args, errOut.String())
		}
		// The bolt lock timeout is one second; generous for a loaded machine.
		if took > 10*time.Second {
			t.Errorf("sessions %q took %v", tt.args, took)
		}
	}
}

// TestSessionsUnknownSubcommand: a mistyped subcommand ("revok KEY" in a
// script) is an error, not the help text and status 0.
func TestSessionsUnknownSubcommand(t *testing.T) {
	store := fixtureStore(t)
	for _, args := range [][]string{{"revok", session.Key("bob-desktop")}, {"lsit"}, {"--store", store, "list-all"}} {
		var out, errOut strings.Builder
		code := runContext(context.Background(), &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, append([]string{"sessions"}, args...))
		if code != 1 || !strings.Contains(errOut.String(), "unknown command") {
			t.Errorf("sessions %q: status %d, stderr %q; want 1 and unknown command", args, code, errOut.String())
		}
	}
	// Without a subcommand: the help, status 0.
	var out, errOut strings.Builder
	if code := runContext(context.Background(), &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, []string{"sessions"}); code != 0 || !strings.Contains(out.String(), "Available Commands") {
		t.Errorf("sessions: status %d, stdout %q", code, out.String())
	}
}
