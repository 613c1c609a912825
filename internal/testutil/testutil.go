// Package testutil holds helpers shared by httpstate's tests: external tools,
// a fixed clock (exported to other stores' authors as storetest.Clock). It
// is not public API.
package testutil

import (
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// RequireTool returns the path of the external program name. A missing tool
// fails the test: the README's test command (test.sh) installs every tool the
// tests need, so a skip would only hide a broken set-up. A developer without
// the tool may set HTTPSTATE_SKIP_MISSING_TOOLS=1 to skip instead.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("HTTPSTATE_SKIP_MISSING_TOOLS") == "1" {
		t.Skipf("%s not installed (HTTPSTATE_SKIP_MISSING_TOOLS=1); ./test.sh installs it", name)
	}
	t.Fatalf("%s not installed: run ./test.sh, which installs it (%v)", name, err)
	return ""
}

// Clock is a manually advanced clock for tests. The zero value is not usable;
// use NewClock. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex // protects now
	now time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
