package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

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
	"or redis://[USER:PASSWORD@]HOST:PORT[/DB] (rediss:// for TLS)"

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
	Kind storeKind
	// Path is the bbolt file (Kind storeBolt).
	Path string
	// Redis holds the client settings (Kind storeRedis).
	Redis *redis.Options
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
	case "redis", "rediss":
		return parseRedisURL(raw)
	}
	return storeSpec{}, fmt.Errorf("%w: unknown scheme %q: want bolt:, memory: or redis://", errStoreURL, scheme)
}

// parseRedisURL parses redis://[USER:PASSWORD@]HOST:PORT[/DB].
func parseRedisURL(raw string) (storeSpec, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only
		// the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return storeSpec{}, fmt.Errorf("%w: %v", errStoreURL, err)
	}
	display := u.Redacted()
	if u.Opaque != "" || u.Host == "" {
		return storeSpec{}, fmt.Errorf("%w %q: want redis://HOST:PORT/DB", errStoreURL, display)
	}
	if u.Hostname() == "" {
		return storeSpec{}, fmt.Errorf("%w %q: no host", errStoreURL, display)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return storeSpec{}, fmt.Errorf("%w %q: port %q is not a number in 1-65535", errStoreURL, display, p)
		}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return storeSpec{}, fmt.Errorf("%w %q: query and fragment are not supported", errStoreURL, display)
	}
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		return storeSpec{}, fmt.Errorf("%w %q: %v", errStoreURL, display, redactErr(err, u))
	}
	return storeSpec{Kind: storeRedis, Redis: opts, display: display}, nil
}

// redactErr returns err's text with u's password removed.
func redactErr(err error, u *url.URL) string {
	msg := err.Error()
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
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
		// One plain dial first: for the commonest mistake (nothing
		// listening) go-redis would retry the dial and log every failure
		// through its process-wide logger before Ping returns.
		network := spec.Redis.Network
		if network == "" {
			network = "tcp"
		}
		var d net.Dialer
		conn, err := d.DialContext(pctx, network, spec.Redis.Addr)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", spec, err)
		}
		conn.Close()
		client := redis.NewClient(spec.Redis)
		if err := client.Ping(pctx).Err(); err != nil {
			client.Close()
			return nil, fmt.Errorf("opening %s: %w", spec, err)
		}
		st, err := redisstore.New(client, &redisstore.Options{Now: now})
		if err != nil {
			client.Close()
			return nil, fmt.Errorf("opening %s: %w", spec, err)
		}
		return &clientStore{Store: st, client: client}, nil
	}
	return nil, fmt.Errorf("%w: no store kind", errStoreURL)
}

// clientStore is a redis store that owns its client: redisstore.Store.Close
// leaves the client open, so Close here closes both.
type clientStore struct {
	session.Store
	client *redis.Client
}

func (s *clientStore) Close() error {
	return errors.Join(s.Store.Close(), s.client.Close())
}
