package app

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// TestLogsHideSessionIDsInPaths: a path whose ";sid=" the session
// middleware leaves in place (its removal would make a dot segment) still
// never puts the ID into the app's logs.
func TestLogsHideSessionIDsInPaths(t *testing.T) {
	const secret = "AAAAsecretsecretsecretsecretsecretsecretAAA"
	logs := &lockedBuffer{}
	_, srv := newTestApp(t, storeFactories[0].open(t), func(o *Options) {
		o.Session = &session.Options{URLRewriting: true}
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	resp, err := http.Post(srv.URL+"/a/..;sid="+secret+"/b", "application/x-www-form-urlencoded", strings.NewReader("x=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: status %d, want 403", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "csrf check failed") {
		t.Fatalf("no csrf line logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the ;sid= value reached the logs:\n%s", logs.String())
	}
}

func TestLogPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/a/b", "/a/b"},
		{"/a/..;sid=X/b", "/a/..;sid=…/b"},
		{"/a;sid=X;v=1", "/a;sid=…;v=…"},
		{"/a;flag/b;", "/a;flag/b;"},
		{";sid=X", ";sid=…"},
	} {
		if got := logPath(tt.in); got != tt.want {
			t.Errorf("logPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
