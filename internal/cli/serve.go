package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/httpstate/httpstate/internal/app"
	"github.com/httpstate/httpstate/session"
)

// shutdownTimeout bounds how long serve waits for requests in flight after
// SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

// serveOptions are the flags of "httpstate serve".
type serveOptions struct {
	addr         string
	store        string
	idle         time.Duration
	lifetime     time.Duration
	urlRewriting bool
	secureCookie bool
}

func newServeCmd(s *Streams) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference web app: login, cart and a live session dashboard",
		Long: `Run httpstate's reference web app.

The app has demo accounts alice/alice, bob/bob and admin/admin, a cart kept in
the server session, and, for admin, a dashboard at /dashboard listing the live
sessions of the store. /metrics serves Prometheus metrics; /healthz answers 200,
or 503 while the session store is unavailable.

The address the server listens on is printed to stderr; --addr 127.0.0.1:0
picks a free port. SIGINT or SIGTERM shuts the server down gracefully.`,
		Example: `  httpstate serve
  httpstate serve --addr 127.0.0.1:9000 --store memory:
  httpstate serve --store redis://127.0.0.1:6379/0 --idle 10m --url-rewriting
  httpstate serve --addr 127.0.0.1:8080 --secure-cookie   # behind nginx terminating TLS`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	f.StringVar(&o.store, "store", defaultStoreURL, storeURLHelp)
	f.DurationVar(&o.idle, "idle", session.DefaultIdleTimeout, "idle timeout of a session")
	f.DurationVar(&o.lifetime, "lifetime", session.DefaultLifetime, "absolute lifetime of a session")
	f.BoolVar(&o.urlRewriting, "url-rewriting", false, `carry the session ID in URLs (";sid=ID") for clients without cookies`)
	f.BoolVar(&o.secureCookie, "secure-cookie", false, "the site is reached over HTTPS through a proxy that terminates TLS: send the session cookie as __Host-sid with Secure although this server speaks plain HTTP, and Strict-Transport-Security on every response (no forwarding header is trusted for this)")
	return cmd
}

// runServe serves the app until ctx is cancelled, then shuts down: the HTTP
// server first (requests in flight finish, event streams end), then the
// session manager, then the store.
func runServe(ctx context.Context, s *Streams, o *serveOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.idle <= 0 || o.lifetime <= 0 {
		return errors.New("serve: --idle and --lifetime must be positive")
	}
	spec, err := parseStoreURL(o.store)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := slog.New(slog.NewTextHandler(s.ErrOut, nil))
	// Listen first: a mistyped or taken --addr must fail before a bolt:
	// store file is created (or waited for, held by another server).
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	st, err := openStore(ctx, spec, nil)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	a, err := app.New(&app.Options{
		Store: st,
		Session: &session.Options{
			IdleTimeout:  o.idle,
			Lifetime:     o.lifetime,
			URLRewriting: o.urlRewriting,
			Cookie:       session.CookieOptions{Secure: o.secureCookie},
			// Report expiries promptly for short --idle values: sweep
			// at least every half of the idle timeout. (The session
			// package already keeps TouchInterval within a tenth of it.)
			SweepInterval: min(session.DefaultSweepInterval, max(o.idle/2, time.Second)),
			Logger:        log.With("component", "session"),
		},
		Logger: log.With("component", "app"),
	})
	if err != nil {
		ln.Close()
		st.Close()
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.Shutdown)

	fmt.Fprintf(s.ErrOut, "httpstate: listening on http://%s/ (store %s)\n", ln.Addr(), spec)
	log.Info("serving", "addr", ln.Addr().String(), "store", spec.String(),
		"idle", o.idle, "lifetime", o.lifetime, "url_rewriting", o.urlRewriting)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "cause", context.Cause(ctx))
	case serveErr = <-served:
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if serveErr == nil {
		serveErr = <-served
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	closeErr := a.Close()
	if err := errors.Join(serveErr, shutdownErr, closeErr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
