package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/session"
)

// Every script touches one session: KEYS[1], the session hash (and, for
// createScript, KEYS[2], its creation token, with the same hash tag), so
// each runs in one cluster slot. ARGV[1] is always the caller's clock in Unix ms: the
// scripts judge expiry by the store's clock, as Load does, and never by
// Redis's.

// luaLive is the shared prelude: it reads the metadata and returns the
// expiry (Unix ms) of a live hash, or nil for an absent, expired or moving
// one.
const luaLive = `
local h = KEYS[1]
local now = tonumber(ARGV[1])
local function chunked(cmd, h, t)
  for k = 1, #t, 1000 do
    redis.call(cmd, h, unpack(t, k, math.min(k + 999, #t)))
  end
end
local function expiry(a, i, d)
  local e = a + i
  if d ~= 0 and d < e then e = d end
  return e
end
`

// saveScript applies a Delta. ARGV: now, ttl-grace ms, last access (empty =
// unchanged), idle ms (empty = unchanged), principal flag ('1' = set),
// principal, number of attributes set n, then n field/value pairs, then the
// fields to delete (field names come with their "." prefix, so the script
// builds no strings), and, when the delta sets an idle timeout, KEYS[2]
// (the token key) and a token unique to the call and the token life ms as
// the last two arguments. One HMGET reads the metadata and the old values
// (for the size field z); deletions apply first (one HDEL), then sets (one
// HSET); PEXPIRE runs only when the expiry moved. A fast path serves the
// commonest write, one attribute set and nothing else, without building Lua
// tables. Reply: 0 when the session is not live (nothing written); 1 when it
// was written and no index needs a change (the common case); {1, new expiry,
// deadline, old expiry} when the expiry moved earlier, or the delta sets an
// idle timeout and the expiry did not move later, or the delta sets a
// non-empty principal. Running it twice writes the same and replies the
// index information again, so go-redis may retry it. A shorter idle timeout
// can leave the session expired at now: the write is done and the token
// kept in KEYS[2], so that a rerun, which finds the session expired, finds
// its token and replies as the first run did instead of 0 (1 when Redis
// has dropped the expired hash meanwhile, past Options.Grace: Sweep then
// prunes its index entry unreported, as for any hash Redis dropped).
var saveScript = newScript(`
local h, A = KEYS[1], ARGV
if #A == 9 and A[7] == '1' and A[3] == '' and A[4] == '' and A[5] == '0' then
  -- Fast path, the commonest write: one attribute set, no metadata change.
  local m = redis.call('HMGET', h, 'a', 'i', 'd', 'm', 'z', A[8])
  if not m[1] or m[4] then return 0 end
  local e, d = tonumber(m[1]) + tonumber(m[2]), tonumber(m[3])
  if d ~= 0 and d < e then e = d end
  if e <= tonumber(A[1]) then return 0 end
  local dz = #A[9] - (m[6] and #m[6] or 0)
  if dz == 0 then
    redis.call('HSET', h, A[8], A[9])
  else
    redis.call('HSET', h, A[8], A[9], 'z', (tonumber(m[5]) or 0) + dz)
  end
  return 1
end
local now, n = tonumber(A[1]), tonumber(A[7])
local first, last, tok = 8 + 2 * n, #A, nil
if KEYS[2] then tok, last = A[#A - 1], #A - 2 end
local f = {'a', 'i', 'd', 'm', 'z'}
for k = 8, first - 1, 2 do f[#f+1] = A[k] end
for k = first, last do f[#f+1] = A[k] end
local m
if #f <= 1000 then
  m = redis.call('HMGET', h, unpack(f))
else
  m = {}
  for k = 1, #f, 1000 do
    local part = redis.call('HMGET', h, unpack(f, k, math.min(k + 999, #f)))
    for j = 1, #part do m[#m+1] = part[j] end
  end
end
if not m[1] then
  -- A rerun of a call that left the session expired, after Redis dropped
  -- the hash (Grace shorter than the token life): done, as it did.
  if tok and redis.call('GET', KEYS[2]) == tok then return 1 end
  return 0
end
if m[4] then return 0 end
local a, i, d = tonumber(m[1]), tonumber(m[2]), tonumber(m[3])
local old = a + i
if d ~= 0 and d < old then old = d end
if old <= now then
  -- A rerun of a call that left the session expired: reply as it did.
  if tok and redis.call('GET', KEYS[2]) == tok then return {1, old, d, old} end
  return 0
end
local dz, set = 0, {}
local gone, del
if first <= last then
  gone, del = {}, {}
  for k = first, last do
    local name, v = A[k], m[6 + n + k - first]
    if v and not gone[name] then
      gone[name] = true
      dz = dz - #v
      del[#del+1] = name
    end
  end
end
for k = 1, n do
  local name, v, prev = A[6 + 2 * k], A[7 + 2 * k], m[5 + k]
  if prev and not (gone and gone[name]) then dz = dz - #prev end
  dz = dz + #v
  set[#set+1] = name; set[#set+1] = v
end
if A[3] ~= '' then
  local na = tonumber(A[3])
  if na > a then a = na; set[#set+1] = 'a'; set[#set+1] = A[3] end
end
if A[4] ~= '' then i = tonumber(A[4]); set[#set+1] = 'i'; set[#set+1] = A[4] end
local moved = A[5] == '1'
if moved then set[#set+1] = 'p'; set[#set+1] = A[6] end
if dz ~= 0 then set[#set+1] = 'z'; set[#set+1] = (tonumber(m[5]) or 0) + dz end
if del then
  for k = 1, #del, 1000 do redis.call('HDEL', h, unpack(del, k, math.min(k + 999, #del))) end
end
for k = 1, #set, 1000 do redis.call('HSET', h, unpack(set, k, math.min(k + 999, #set))) end
local e = a + i
if d ~= 0 and d < e then e = d end
if e ~= old then
  local ttl = e - now
  if ttl < 0 then ttl = 0 end
  redis.call('PEXPIRE', h, ttl + tonumber(A[2]))
end
if tok and e <= now then redis.call('SET', KEYS[2], tok, 'PX', A[#A]) end
-- The index reply depends on the delta, not on what changed, so that a
-- rerun (a client retry after a lost reply) gives it again: whenever the
-- delta names a principal, or sets an idle timeout and the expiry did not
-- move later (on a rerun it has already moved earlier).
if (e > old or (e == old and A[4] == '')) and not (moved and A[6] ~= '') then return 1 end
return {1, e, d, old}
`)

// createScript creates a session hash unless a live one holds the key (an
// expired or moving one counts as taken only while moving). KEYS[2] is the
// token key, in the hash's slot (same hash tag). ARGV: now, ttl ms, token,
// token life ms, then field/value pairs. The token, unique to the call, is
// kept in KEYS[2] for the token life (see tokenLife: longer than the
// client's resends of one command can take): a rerun of the same call
// (go-redis resending it after a lost reply) finds the live hash with its
// own token and replies 1 again. The token lives outside the hash so that
// Load does not read it. Reply: 1 created, 0 taken.
var createScript = newScript(luaLive + `
local m = redis.call('HMGET', h, 'a', 'i', 'd', 'm')
if m[4] then return 0 end
if m[1] then
  if expiry(tonumber(m[1]), tonumber(m[2]), tonumber(m[3])) > now then
    if redis.call('GET', KEYS[2]) == ARGV[3] then return 1 end
    return 0
  end
  redis.call('DEL', h)
end
local f = {}
for k = 5, #ARGV do f[#f+1] = ARGV[k] end
chunked('HSET', h, f)
redis.call('PEXPIRE', h, ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return 1
`)

// casScript sets or deletes one attribute if its value is still the one the
// caller read, byte for byte (a digest would let a colliding value pass).
// ARGV: now, field, '1' if the field was present / '0' absent, '1' set /
// '0' delete, new value, the value read (when present). Reply: 1 done, 0
// not live, -1 conflict. A rerun after a lost reply would see its own
// write as a conflict and Update would apply fn twice, so it is run with
// runOnce.
var casScript = newScript(luaLive + `
local m = redis.call('HMGET', h, 'a', 'i', 'd', 'm', 'z', ARGV[2])
if not m[1] or m[4] then return 0 end
if expiry(tonumber(m[1]), tonumber(m[2]), tonumber(m[3])) <= now then return 0 end
local cur = m[6]
if ARGV[3] == '0' then
  if cur then return -1 end
elseif not cur or cur ~= ARGV[6] then
  return -1
end
local z = tonumber(m[5]) or 0
if cur then z = z - string.len(cur) end
if ARGV[4] == '1' then
  redis.call('HSET', h, ARGV[2], ARGV[5], 'z', z + string.len(ARGV[5]))
else
  if cur then redis.call('HDEL', h, ARGV[2]) end
  redis.call('HSET', h, 'z', z)
end
return 1
`)

// deleteScript deletes a live session hash. ARGV: now. Reply: {0} when not
// live (an expired one is left for Sweep to report), else {1, principal}. A
// rerun would answer {0}, so it is run with runOnce.
var deleteScript = newScript(luaLive + `
local m = redis.call('HMGET', h, 'a', 'i', 'd', 'm', 'p')
if not m[1] or m[4] then return {0} end
if expiry(tonumber(m[1]), tonumber(m[2]), tonumber(m[3])) <= now then return {0} end
redis.call('DEL', h)
return {1, m[5] or ''}
`)

// markScript marks a live session hash as moving, with the mark ARGV[2]
// (the new hash key and a token unique to the call), and returns its fields
// (a flat field/value list), or {} when it is not live. A rerun of the same
// call (go-redis retrying after a lost reply) finds its own mark and returns
// the fields again, the mark among them.
var markScript = newScript(luaLive + `
local m = redis.call('HMGET', h, 'a', 'i', 'd', 'm')
if m[4] == ARGV[2] then return redis.call('HGETALL', h) end
if not m[1] or m[4] then return {} end
if expiry(tonumber(m[1]), tonumber(m[2]), tonumber(m[3])) <= now then return {} end
local all = redis.call('HGETALL', h)
redis.call('HSET', h, 'm', ARGV[2])
return all
`)

// finishScript ends a move: ARGV[2] '1' deletes the hash, '0' removes the
// mark; either only if the mark is still ARGV[3]. Reply: 1 done, 0 not. A
// rerun changes nothing more (the mark is gone), and the reply is unused.
var finishScript = newScript(`
local h = KEYS[1]
if redis.call('HGET', h, 'm') ~= ARGV[3] then return 0 end
if ARGV[2] == '1' then redis.call('DEL', h) else redis.call('HDEL', h, 'm') end
return 1
`)

// reapScript deletes a session hash that is expired at ARGV[1] (a moving
// one too), and keeps ARGV[2], a token unique to the call, in KEYS[2] (the
// token key) for ARGV[3] ms. Reply: 1 deleted, 0 absent, 2 alive (kept), 3
// corrupt (an expiry field is missing or not a number: kept, for Redis's
// TTL to drop; Sweep drops its index entry). A rerun (go-redis resending
// it after a lost reply) finds the hash gone and its own token, and
// replies 1 again, so the expiry is still reported.
var reapScript = newScript(luaLive + `
local m = redis.call('HMGET', h, 'a', 'i', 'd')
if not m[1] then
  if redis.call('GET', KEYS[2]) == ARGV[2] then return 1 end
  return 0
end
local a, i, d = tonumber(m[1]), tonumber(m[2]), tonumber(m[3])
if not (a and i and d) then return 3 end
if expiry(a, i, d) > now then return 2 end
redis.call('DEL', h)
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`)

// readScript is HMGET run as a script, which a cluster client routes to
// the key's master even when its options send reads to replicas
// (ReadOnly, RouteByLatency, RouteRandomly): for the reads a write
// depends on (Update's compare-and-set, removeVerified's re-read). ARGV:
// the fields. Sent with EVAL (it is short), so it needs no NOSCRIPT
// fallback in a pipeline.
var readScript = newScript(`return redis.call('HMGET', KEYS[1], unpack(ARGV))`)

// hmgetCmd is the command hmget queued or ran: one of the two is set.
type hmgetCmd struct {
	plain  *redis.SliceCmd
	script *redis.Cmd
}

// vals returns the values read, or the command's error.
func (c hmgetCmd) vals() ([]any, error) {
	if c.plain != nil {
		return c.plain.Result()
	}
	return c.script.Slice()
}

// hmget reads fields of the hash key through p (a client or a pipeline):
// HMGET, or readScript on the master when the client reads from replicas.
func (s *Store) hmget(ctx context.Context, p redis.Cmdable, key string, fields ...string) hmgetCmd {
	if !s.replicaReads {
		return hmgetCmd{plain: p.HMGet(ctx, key, fields...)}
	}
	args := make([]any, len(fields))
	for i, f := range fields {
		args[i] = f
	}
	return hmgetCmd{script: p.Eval(ctx, readScript.src, []string{key}, args...)}
}

// script is a Lua script with its source, which runOnce needs for EVAL.
type script struct {
	*redis.Script
	src string
}

func newScript(src string) *script { return &script{redis.NewScript(src), src} }

// scriptsEvaler is what running a script needs.
type scriptsEvaler = redis.Scripter

// processor runs a command: a client or a pipeline.
type processor interface {
	Process(ctx context.Context, cmd redis.Cmder) error
}

// isReply reports whether err is an error reply from Redis (the command
// reached it and was answered).
func isReply(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

// isNoScript reports whether err is Redis's NOSCRIPT error.
func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// run runs sc with EVALSHA, loading it with EVAL on NOSCRIPT (first use, or
// a fresh node after a failover). go-redis resends the command when the
// connection fails after sending it (MaxRetries), so sc must be safe to run
// twice with the reply of the first run lost: saveScript, createScript,
// markScript, finishScript and reapScript are.
func run(ctx context.Context, c scriptsEvaler, sc *script, key string, args ...any) *redis.Cmd {
	return sc.Run(ctx, c, []string{key}, args...)
}

// noRetryCmd is a command go-redis never resends once it may have reached
// the server (a command that was never written is still retried, and
// cluster MOVED/ASK redirects, which Redis sends without running it, are
// still followed).
type noRetryCmd struct{ *redis.Cmd }

// NoRetry implements redis.Cmder.
func (noRetryCmd) NoRetry() bool { return true }

// noRetryIntCmd is an IntCmd go-redis never resends once it may have
// reached the server; a pipeline holding one is not resent either.
type noRetryIntCmd struct{ *redis.IntCmd }

// NoRetry implements redis.Cmder.
func (noRetryIntCmd) NoRetry() bool { return true }

// onceCmd queues or runs sc on p as a command that is never resent (EVAL
// of the source when eval, else EVALSHA), and returns its result; a lost
// reply shows as an error, which outcome reports as ErrOutcomeUnknown.
func onceCmd(ctx context.Context, p processor, sc *script, eval bool, key string, args ...any) *redis.Cmd {
	a := make([]any, 4, 4+len(args))
	a[0], a[1], a[2], a[3] = "evalsha", sc.Hash(), 1, key
	if eval {
		a[0], a[1] = "eval", sc.src
	}
	cmd := redis.NewCmd(ctx, append(a, args...)...)
	cmd.SetFirstKeyPos(3)
	if err := ctx.Err(); err != nil {
		// Done before anything was sent (a request whose client went
		// away): the outcome is known, nothing ran.
		cmd.SetErr(notSentError{err})
		return cmd
	}
	_ = p.Process(ctx, noRetryCmd{cmd})
	return cmd
}

// notSentError is the error of a command onceCmd did not send because its
// context was already done.
type notSentError struct{ err error }

func (e notSentError) Error() string { return "not sent: " + e.err.Error() }
func (e notSentError) Unwrap() error { return e.err }

// runOnce is run for the scripts that must not run twice (casScript,
// deleteScript): the NOSCRIPT fallback is safe (the script did
// not run), but nothing is resent after it may have run. Its error is an
// ErrOutcomeUnknown when the reply may have been lost.
//
// go-redis does not resend a NoRetry command even when the error says it
// did not run, so runOnce does for those (notRun), up to onceRetries times.
func runOnce(ctx context.Context, c processor, sc *script, key string, args ...any) *redis.Cmd {
	var cmd *redis.Cmd
	for attempt := 0; ; attempt++ {
		cmd = onceCmd(ctx, c, sc, false, key, args...)
		if isNoScript(cmd.Err()) {
			cmd = onceCmd(ctx, c, sc, true, key, args...)
		}
		if attempt == onceRetries || !notRun(cmd.Err()) || sleep(ctx, attempt) != nil {
			break
		}
	}
	if err := cmd.Err(); errors.Is(err, redis.ErrClosed) {
		// The client was closed before the command could have a
		// connection (go-redis does not resend it: this was its only
		// attempt): nothing was sent.
		cmd.SetErr(notSentError{err})
	}
	outcome(cmd)
	return cmd
}

// onceRetries is how many times runOnce resends a script that did not run,
// as go-redis's default MaxRetries.
const onceRetries = 3

// sleep waits before retry attempt+1, as go-redis's default backoff
// (go-redis v9.23: 10 ms doubling, at most 1 s), or until ctx is done.
func sleep(ctx context.Context, attempt int) error {
	t := time.NewTimer(min(10*time.Millisecond<<attempt, time.Second))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notRun reports whether err says that a script did not run, so that it is
// safe to resend even when it must not run twice: no connection could be
// had (a dial error, the pool's timeout), or Redis refused it for a
// passing state go-redis would retry (LOADING, MASTERDOWN, CLUSTERDOWN,
// TRYAGAIN, READONLY: the first write failed, nothing was written, max
// clients).
func notRun(err error) bool {
	if err == nil {
		return false
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" || errors.Is(err, redis.ErrPoolTimeout) ||
		redis.IsLoadingError(err) || redis.IsMasterDownError(err) || redis.IsClusterDownError(err) ||
		redis.IsTryAgainError(err) || redis.IsReadOnlyError(err) || redis.IsMaxClientsError(err)
}

// outcome marks the error of a command run by onceCmd with
// ErrOutcomeUnknown unless it is a reply from Redis (then the script did
// not run, or failed) or says the command was never sent (notRun, or a
// context already done when onceCmd was called).
func outcome(cmd *redis.Cmd) {
	err := cmd.Err()
	var re redis.Error
	var ns notSentError
	if err == nil || errors.As(err, &re) || errors.Is(err, ErrOutcomeUnknown) || notRun(err) || errors.As(err, &ns) {
		return
	}
	cmd.SetErr(fmt.Errorf("%w: %w", ErrOutcomeUnknown, err))
}

// sentErr returns err, the error of a script that go-redis may have sent
// (and resent, up to its MaxRetries), wrapped with ErrOutcomeUnknown
// unless it says the script did not run: a reply from Redis, notRun, a
// closed client, or a context done before sending.
func sentErr(err error) error {
	var ns notSentError
	if err == nil || isReply(err) || notRun(err) || errors.Is(err, redis.ErrClosed) ||
		errors.Is(err, ErrOutcomeUnknown) || errors.As(err, &ns) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
}

// ErrOutcomeUnknown reports that the connection failed after a write may
// have reached Redis, so that it may or may not have been applied: the
// reply to a script that must not run twice (Update's compare-and-set,
// Delete) was lost, and it was not resent; or every resend of Sweep's reap,
// or of a Create's, Save's or Rename's script, failed. An error wrapping
// it also wraps the connection's error. It wraps session.ErrOutcomeUnknown,
// the Store contract's sentinel for this case.
var ErrOutcomeUnknown = fmt.Errorf("redisstore: reply lost, the write may or may not have been applied: %w", session.ErrOutcomeUnknown)
