package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/redisstore"
)

// defaultStoreURL is the store of "serve" and "sessions" without --store: a
// bbolt file in the working directory.
const defaultStoreURL = "bolt:httpstate.db"

// storeURLHelp documents the --store flag.
const storeURLHelp = "session store `URL`: bolt:PATH (a bbolt file), memory: (in this process only), " +
	"redis://[USER:PASSWORD@]HOST:PORT[/DB], redis+sentinel://HOST:PORT[,HOST:PORT...]/MASTER[/DB] " +
	"or redis+cluster://HOST:PORT[,HOST:PORT...] (rediss... for TLS), each with an optional " +
	"?prefix=KEY-PREFIX for an app whose redisstore.Options.Prefix is not the default \"" + redisstore.DefaultPrefix + "\"; " +
	"a Redis password is best kept off the command line, which ps shows to every user: " +
	"set $" + redisPasswordEnv + " instead (a password in the URL wins)"

// redisPasswordEnv names the environment variable that holds the Redis
// password for a store URL without one, as REDISCLI_AUTH does for
// redis-cli: a URL on the command line is visible to every user of the
// machine (ps, /proc/PID/cmdline).
const redisPasswordEnv = "HTTPSTATE_REDIS_PASSWORD"

// errStoreURL reports a --store value that is not a store URL.
var errStoreURL = errors.New("bad store URL")

// storeKind names a store driver.
type storeKind string

const (
	storeBolt   storeKind = "bolt"
	storeMemory storeKind = "memory"
	storeRedis  storeKind = "redis"
)

// storeSpec is a parsed --store value.
type storeSpec struct {
	// prefix is the redisstore key prefix (Kind storeRedis), from the
	// URL's "?prefix=" ("" for redisstore.DefaultPrefix).
	prefix string
	Kind   storeKind
	// Path is the bbolt file (Kind storeBolt).
	Path string
	// url is the Redis URL as given, password included (Kind storeRedis),
	// for redisstore.Dial.
	url string
	// display is the URL as logs and errors may show it: any password is
	// replaced by "xxxxx".
	display string
}

// String returns the store URL with its password redacted.
func (s storeSpec) String() string { return s.display }

// parseStoreURL parses a --store value:
//
//	bolt:PATH                          a bbolt file (PATH relative to the working directory or absolute)
//	memory:                            an in-memory store, gone when the process ends
//	redis://[USER:PASSWORD@]HOST:PORT[/DB]   a Redis server (rediss:// for TLS)
//	redis+sentinel://HOST:PORT[,...]/MASTER[/DB], redis+cluster://HOST:PORT[,...]
//	                                   Sentinel, Redis Cluster (see redisstore.ParseURL)
//	redis...?prefix=KEY-PREFIX         any of those with a redisstore key prefix other than the default
//
// Errors never repeat a password.
func parseStoreURL(raw string) (storeSpec, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return storeSpec{}, fmt.Errorf("%w %q: want bolt:PATH, memory: or redis://HOST:PORT/DB", errStoreURL, raw)
	}
	switch strings.ToLower(scheme) {
	case "bolt":
		if rest == "" {
			return storeSpec{}, fmt.Errorf("%w %q: bolt: needs a file path, as in bolt:httpstate.db", errStoreURL, raw)
		}
		if strings.ContainsRune(rest, 0) {
			return storeSpec{}, fmt.Errorf("%w: the bolt file path contains a NUL byte", errStoreURL)
		}
		return storeSpec{Kind: storeBolt, Path: rest, display: "bolt:" + rest}, nil
	case "memory":
		if rest != "" {
			return storeSpec{}, fmt.Errorf("%w %q: memory: takes nothing after the colon", errStoreURL, raw)
		}
		return storeSpec{Kind: storeMemory, display: "memory:"}, nil
	case "redis", "rediss", "redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster":
		return parseRedisURL(raw)
	}
	return storeSpec{}, fmt.Errorf("%w: unknown scheme %q: want bolt:, memory:, redis://, redis+sentinel:// or redis+cluster://", errStoreURL, scheme)
}

// parseRedisURL checks a Redis URL with redisstore.ParseURL, so that a bad
// one fails before anything is dialled.
func parseRedisURL(raw string) (storeSpec, error) {
	display := redactURL(raw)
	dial, prefix, err := cutPrefixQuery(raw)
	if err != nil {
		return storeSpec{}, fmt.Errorf("%w %q: %w", errStoreURL, display, err)
	}
	if _, err := redisstore.ParseURL(dial); err != nil {
		// redisstore's errors never repeat the password.
		return storeSpec{}, fmt.Errorf("%w %q: %w", errStoreURL, display, err)
	}
	return storeSpec{Kind: storeRedis, url: dial, prefix: prefix, display: display}, nil
}

// cutPrefixQuery splits a Redis store URL's "?prefix=KEY-PREFIX" off: it
// returns the URL without it, for redisstore.ParseURL (which takes no
// query), and the prefix, percent-decoded. The query starts at the first
// '?' after the last '@' (a password may hold a '?' that is not
// percent-encoded); any other parameter is an error.
func cutPrefixQuery(raw string) (dial, prefix string, err error) {
	from := strings.LastIndexByte(raw, '@') + 1
	q := strings.IndexByte(raw[from:], '?')
	if q < 0 {
		return raw, "", nil
	}
	dial, query := raw[:from+q], raw[from+q+1:]
	if strings.Contains(query, "#") {
		return "", "", errors.New("a store URL takes no fragment")
	}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("bad query: %w", err)
	}
	for k, v := range vals {
		switch {
		case k != "prefix":
			return "", "", fmt.Errorf("unknown parameter %q: only prefix is supported", k)
		case len(v) != 1 || v[0] == "":
			return "", "", errors.New("prefix= wants one non-empty key prefix")
		}
		prefix = v[0]
	}
	return dial, prefix, nil
}

// redactURL returns the URL raw with its scheme in lower case and any
// password replaced by "xxxxx", as url.URL.Redacted does; unlike
// url.Parse, it takes any string, including the several hosts of a
// redis+sentinel:// URL, and a malformed one such as "redis:u:pw@host"
// (a typo in the "//"), which an error message repeats.
func redactURL(raw string) string {
	sep := "://"
	scheme, rest, ok := strings.Cut(raw, sep)
	if !ok {
		if sep = ":"; !strings.Contains(raw, "@") {
			return raw
		}
		scheme, rest, _ = strings.Cut(raw, sep)
	}
	// As redisstore.ParseURL, the user information ends at the last '@',
	// even past a '/', '?' or '#' (a password that is not percent-encoded).
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
			rest = user + ":xxxxx" + rest[at:]
		}
	}
	return strings.ToLower(scheme) + sep + rest
}

// errStoreLocked reports a bbolt file held by another process.
var errStoreLocked = errors.New("store is locked by another process")

// boltOpenTimeout is how long opening a bbolt file waits for the file lock.
// bbolt lets one process open a file at a time, so an admin command on the
// store of a running server fails fast with errStoreLocked instead of
// hanging.
const boltOpenTimeout = time.Second

// openStore opens the store spec names; now is the store's clock for expiry
// (nil means time.Now). Redis is pinged first, so an unreachable server is
// reported here rather than at the first request.
func openStore(ctx context.Context, spec storeSpec, now func() time.Time) (session.Store, error) {
	switch spec.Kind {
	case storeMemory:
		st, err := memstore.New(&memstore.Options{Now: now})
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", spec, err)
		}
		return st, nil
	case storeBolt:
		st, err := boltstore.Open(spec.Path, &boltstore.Options{Timeout: boltOpenTimeout, Now: now})
		if err != nil {
			if errors.Is(err, boltstore.ErrLocked) {
				return nil, fmt.Errorf("opening %s: %w (bbolt allows one process per file: stop \"httpstate serve\" first, or use a redis:// store)", spec, errStoreLocked)
			}
			return nil, fmt.Errorf("opening %s: %w", spec, err)
		}
		return st, nil
	case storeRedis:
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		// Dial makes one plain TCP connection first: for the commonest
		// mistake (nothing listening) go-redis would retry the dial and
		// log every failure through its process-wide logger before Ping
		// returns. Its errors never repeat the password.
		st, err := redisstore.Dial(pctx, withPassword(spec.url, os.Getenv(redisPasswordEnv)), &redisstore.Options{Now: now, Prefix: spec.prefix})
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", spec, err)
		}
		return st, nil
	}
	return nil, fmt.Errorf("%w: no store kind", errStoreURL)
}

// withPassword returns the Redis URL raw (valid for redisstore.ParseURL)
// with the password pw, percent-encoded, when raw has none and pw is not
// empty; otherwise raw unchanged. The user, if any, is kept.
func withPassword(raw, pw string) string {
	if pw == "" {
		return raw
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	user := ""
	// As redisstore.ParseURL: the user information ends at the last '@'.
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		if strings.Contains(rest[:at], ":") {
			return raw // the URL's own password wins
		}
		user, rest = rest[:at], rest[at+1:]
	}
	// url.UserPassword("", pw).String() is ":" and pw percent-encoded.
	return scheme + "://" + user + url.UserPassword("", pw).String() + "@" + rest
}
