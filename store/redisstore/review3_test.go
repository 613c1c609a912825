package redisstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/store/redisstore"
)

// injectedReply is an error reply from Redis (redis.Error), made up by a
// test hook: a command refused without running.
type injectedReply string

func (e injectedReply) Error() string { return string(e) }
func (injectedReply) RedisError()     {}

// hasArg reports whether cmd has the string argument arg.
func hasArg(cmd redis.Cmder, arg string) bool {
	for _, a := range cmd.Args() {
		if s, ok := a.(string); ok && s == arg {
			return true
		}
	}
	return false
}

// lostThenRefusedHook runs the first pipelined script with the argument
// key, then cancels the caller's context and reports the context's error
// (the script ran, its reply lost to the deadline); every later script
// with that argument, sent alone, gets an error reply without running.
type lostThenRefusedHook struct {
	key    string
	cancel context.CancelFunc
	fired  atomic.Bool
}

func (h *lostThenRefusedHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func isScript(c redis.Cmder) bool { return c.Name() == "evalsha" || c.Name() == "eval" }

func (h *lostThenRefusedHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.fired.Load() && isScript(cmd) && hasArg(cmd, h.key) {
			err := injectedReply("ERR injected: refused")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (h *lostThenRefusedHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		match := false
		for _, c := range cmds {
			match = match || isScript(c) && hasArg(c, h.key)
		}
		if !match || h.fired.Load() {
			return next(ctx, cmds)
		}
		if err := next(ctx, cmds); err != nil {
			return err
		}
		h.fired.Store(true)
		h.cancel()
		for _, c := range cmds {
			c.SetErr(context.Canceled)
		}
		return context.Canceled
	}
}

// TestRenameRerunFailsUnknown: a Rename whose context ended while its
// create step was being answered (the step ran) and whose detached rerun
// then failed with an error reply returns an error wrapping
// ErrOutcomeUnknown, as Create and Save do: the rerun's own error said
// the rerun did not run, not the first attempt, and Rename returned it
// bare for a move whose new hash existed.
func TestRenameRerunFailsUnknown(t *testing.T) {
	s, clock, c := newIndexStore(t)
	bg := context.Background()
	createAll(t, s, "alice", clock.Now(), "w", "old") // the first loads the script
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	h := &lostThenRefusedHook{key: "t:s:{new}", cancel: cancel}
	c.AddHook(h)
	err := s.Rename(ctx, "old", "new")
	if !h.fired.Load() {
		t.Fatal("the hook never lost the create step's reply")
	}
	if n := c.Exists(bg, "t:s:{new}").Val(); n != 1 {
		t.Fatal("the create step did not run: the test proves nothing")
	}
	if err == nil || !errors.Is(err, redisstore.ErrOutcomeUnknown) {
		t.Fatalf("Rename with the create step's reply lost and its rerun refused = %v; want an error wrapping ErrOutcomeUnknown", err)
	}
}
