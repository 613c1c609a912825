package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ErrURL reports a Redis URL that ParseURL (and so Dial) cannot use.
var ErrURL = errors.New("redisstore: bad Redis URL")

// ParseURL parses a Redis URL into go-redis client options, for
// redis.NewUniversalClient:
//
//	redis://[USER:PASSWORD@]HOST[:PORT][/DB]                              one server (port 6379)
//	redis+sentinel://[USER:PASSWORD@]HOST[:PORT][,HOST[:PORT]...]/MASTER[/DB]   Sentinels (port 26379) and the master's name
//	redis+cluster://[USER:PASSWORD@]HOST[:PORT][,HOST[:PORT]...]          Redis Cluster seed nodes (port 6379)
//
// The schemes rediss, rediss+sentinel and rediss+cluster use TLS (with
// Sentinel, to the Sentinels too). USER and PASSWORD authenticate to the
// Redis servers, not to the Sentinels. Queries and fragments are rejected.
// Errors wrap ErrURL and never repeat the password.
func ParseURL(rawURL string) (*redis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, fmt.Errorf("%w: want redis://HOST:PORT/DB", ErrURL)
	}
	var sentinel, cluster, useTLS bool
	switch strings.ToLower(scheme) {
	case "redis":
	case "rediss":
		useTLS = true
	case "redis+sentinel":
		sentinel = true
	case "rediss+sentinel":
		sentinel, useTLS = true, true
	case "redis+cluster":
		cluster = true
	case "rediss+cluster":
		cluster, useTLS = true, true
	default:
		// The scheme is not shown: text before "://" may be anything.
		return nil, fmt.Errorf("%w: unknown scheme: want redis, rediss, redis+sentinel or redis+cluster", ErrURL)
	}
	// The user information ends at the last '@', even past a '/', '?' or
	// '#': a password in which one of those is not percent-encoded must be
	// rejected as such, never split into a host or path that an error shows.
	o := &redis.UniversalOptions{}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		u, err := url.Parse("redis://" + rest[:i] + "@host")
		if err != nil || u.User == nil || u.Host != "host" {
			return nil, fmt.Errorf("%w: bad user information (percent-encode '/', '?', '#' and '@' in it)", ErrURL)
		}
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
		rest = rest[i+1:]
	}
	if strings.ContainsAny(rest, "?#") {
		return nil, fmt.Errorf("%w: query and fragment are not supported", ErrURL)
	}
	hosts, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hosts, path = rest[:i], rest[i:]
	}
	if hosts == "" {
		return nil, fmt.Errorf("%w: no host", ErrURL)
	}
	defaultPort := "6379"
	if sentinel {
		defaultPort = "26379"
	}
	list := strings.Split(hosts, ",")
	if len(list) > 1 && !sentinel && !cluster {
		return nil, fmt.Errorf("%w: %s:// takes one host (redis+sentinel:// and redis+cluster:// take several)", ErrURL, strings.ToLower(scheme))
	}
	var hostname string
	for _, h := range list {
		u, err := url.Parse("redis://" + h)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("%w: host %q: %v", ErrURL, h, err)
		}
		if u.User != nil || u.Path != "" || u.Hostname() == "" {
			return nil, fmt.Errorf("%w: no host in %q", ErrURL, h)
		}
		port := u.Port()
		if port == "" {
			port = defaultPort
		} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: port %q is not a number in 1-65535", ErrURL, port)
		}
		hostname = u.Hostname()
		addr := net.JoinHostPort(hostname, port)
		// url.Parse lets odd host names through ("]", for one).
		if h, _, err := net.SplitHostPort(addr); err != nil || h != hostname {
			return nil, fmt.Errorf("%w: bad host %q", ErrURL, hostname)
		}
		o.Addrs = append(o.Addrs, addr)
	}
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if sentinel {
		if len(segs) == 0 {
			return nil, fmt.Errorf("%w: no master name: want redis+sentinel://HOST:PORT/MASTER[/DB]", ErrURL)
		}
		name, err := url.PathUnescape(segs[0])
		if err != nil || name == "" {
			return nil, fmt.Errorf("%w: bad master name %q", ErrURL, segs[0])
		}
		o.MasterName = name
		segs = segs[1:]
	}
	switch len(segs) {
	case 0:
	case 1:
		db, err := strconv.Atoi(segs[0])
		if err != nil || db < 0 {
			return nil, fmt.Errorf("%w: database %q is not a number", ErrURL, segs[0])
		}
		if cluster && db != 0 {
			return nil, fmt.Errorf("%w: Redis Cluster has only database 0", ErrURL)
		}
		o.DB = db
	default:
		return nil, fmt.Errorf("%w: path %q: want /DB", ErrURL, path)
	}
	o.IsClusterMode = cluster
	if useTLS {
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		if !sentinel && !cluster {
			// As go-redis's ParseURL; with several servers, crypto/tls
			// takes each one's name from the address dialled.
			o.TLSConfig.ServerName = hostname
		}
	}
	return o, nil
}

// Dial connects to the Redis that rawURL names (see ParseURL for the
// forms), checks the connection within ctx, and returns a store that owns
// its client: closing the store closes the client. o is as for New.
//
// Dial first makes one plain TCP connection to one of the URL's addresses,
// so that nothing listening fails at once rather than after go-redis's
// retries; then it sends PING through the client (with Sentinel, to the
// master the Sentinels name). Errors never repeat the password.
func Dial(ctx context.Context, rawURL string, o *Options) (*Store, error) {
	opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if err := dialAny(ctx, opts.Addrs); err != nil {
		return nil, fmt.Errorf(errPrefix+"dial: %w", err)
	}
	c := redis.NewUniversalClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf(errPrefix+"ping %s: %w", strings.Join(opts.Addrs, ","), err)
	}
	st, err := New(c, o)
	if err != nil {
		c.Close()
		return nil, err
	}
	st.owned = true
	return st, nil
}

// dialAny opens and closes one TCP connection to the first of addrs that
// accepts one, and returns the errors if none does.
func dialAny(ctx context.Context, addrs []string) error {
	var d net.Dialer
	var errs []error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, "tcp", a)
		if err == nil {
			conn.Close()
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}
