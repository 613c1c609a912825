package app

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/httpstate/httpstate/cookie"
	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
)

// Options configures an App. A nil *Options is an error: Store is required.
type Options struct {
	// Store is where the sessions live. Required. The App wraps it in a
	// decorator that measures every call, and closes it in Close.
	Store session.Store
	// Session holds the session settings (timeouts, cookie, URL rewriting,
	// logger, clock). nil means the session package's defaults. The App sets
	// Store and appends its own Listeners to the ones given; the value is
	// copied, never modified.
	Session *session.Options
	// Users maps user names to passwords. nil means DemoUsers.
	Users map[string]string
	// Admins lists the users allowed on the dashboard. nil means DemoAdmins.
	Admins []string
	// Logger receives the app's logs (logins, revocations, failures), with
	// session IDs only ever as a short prefix of their hash. nil discards.
	Logger *slog.Logger
	// PollInterval is how often a dashboard event stream takes a snapshot
	// even without a local event (sessions created by other instances
	// sharing the store, expiries). 0 means one second. The streams of one
	// App share their store reads: a scan of the store is reused for
	// min(PollInterval/2, 500ms), and never after a session event on this
	// App.
	PollInterval time.Duration
	// SampleInterval is how often the active-session count is sampled for the
	// dashboard's chart. 0 means two seconds; a negative value turns the
	// sampler off.
	SampleInterval time.Duration
	// HistorySize is how many samples the chart keeps. 0 means 150.
	HistorySize int
	// Now is the clock. nil means time.Now.
	Now func() time.Time
}

// App is the reference web application. Create one with New, serve
// Handler, call Shutdown when the HTTP server shuts down and Close after it
// has. It is safe for concurrent use.
type App struct {
	mgr     *session.Manager
	store   *instrumentedStore
	csrf    *csrf.Protector
	users   *users
	log     *slog.Logger
	metrics *metrics
	hub     *hub
	scans   *scanCache // the store scans shared by the dashboards
	history *history
	tmpl    *template.Template
	static  http.Handler
	poll    time.Duration
	// writeTimeout bounds each write of an event stream.
	writeTimeout time.Duration
	// keepAlive is how often an idle event stream sends a comment line.
	keepAlive time.Duration
	// sampleTimeout is how long the chart's sampler waits for a count
	// (sampleTimeout; a field so tests can make it longer than they run).
	sampleTimeout time.Duration
	// snapshotGap is the least time between two snapshots of an event
	// stream woken by session events.
	snapshotGap time.Duration
	// idle and lifetime are the configured session timeouts, for display.
	idle, lifetime time.Duration
	// behindTLS: the session cookie is Secure on every request
	// (CookieOptions.Secure, or a "__Host-" or "__Secure-" Name, as the
	// session package has it), so a proxy terminates TLS in front and HSTS
	// goes on every response.
	behindTLS bool
	now       func() time.Time
	handler   http.Handler

	// done is closed by Shutdown: event streams end, the sampler stops.
	// doneCtx is cancelled at the same moment, for the streams' store calls.
	done         chan struct{}
	doneCtx      context.Context
	cancelDone   context.CancelFunc
	shutdownOnce sync.Once
	sampler      sync.WaitGroup
	closeOnce    sync.Once
	closeErr     error
}

// New builds an App and its session.Manager.
func New(o *Options) (*App, error) {
	if o == nil || o.Store == nil {
		return nil, errors.New("app: Options.Store is required")
	}
	a := &App{
		log:     o.Logger,
		hub:     newHub(),
		poll:    o.PollInterval,
		now:     o.Now,
		done:    make(chan struct{}),
		history: newHistory(o.HistorySize),
	}
	a.doneCtx, a.cancelDone = context.WithCancel(context.Background())
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.poll <= 0 {
		a.poll = time.Second
	}
	a.writeTimeout = streamWriteTimeout
	a.snapshotGap = min(minSnapshotGap, a.poll)
	a.keepAlive = keepAlive
	a.sampleTimeout = sampleTimeout
	if a.now == nil {
		a.now = time.Now
	}
	if o.HistorySize <= 0 {
		a.history = newHistory(150)
	}
	accounts, admins := o.Users, o.Admins
	if accounts == nil {
		accounts = DemoUsers
	}
	if admins == nil {
		admins = DemoAdmins
	}
	a.users = newUsers(accounts, admins)

	a.metrics = newMetrics(a.countActive)
	a.store = &instrumentedStore{
		next:     o.Store,
		now:      time.Now, // latency is measured on the wall clock, whatever the session clock
		duration: a.metrics.storeDuration,
		errors:   a.metrics.storeErrors,
	}

	var so session.Options
	if o.Session != nil {
		so = *o.Session
	}
	so.Store = a.store
	a.idle, a.lifetime = so.IdleTimeout, so.Lifetime
	a.behindTLS = so.Cookie.Secure || cookie.NeedsSecure(so.Cookie.Name)
	if a.idle <= 0 {
		a.idle = 30 * time.Minute
	}
	if a.lifetime <= 0 {
		a.lifetime = 24 * time.Hour
	}
	so.Listeners = append(append([]session.Listener(nil), so.Listeners...), a.metrics.listen, a.listen)
	mgr, err := session.New(&so)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	a.mgr = mgr
	a.scans = newScanCache(mgr.Iterate, a.hub.generation, freshWindow(a.poll))

	a.csrf, err = csrf.New(&csrf.Options{ErrorHandler: a.csrfFailed, Now: o.Now})
	if err != nil {
		mgr.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	a.tmpl, err = parseTemplates()
	if err != nil {
		mgr.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		mgr.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	a.static = http.StripPrefix("/static/", http.FileServerFS(static))
	a.handler, err = a.routes()
	if err != nil {
		mgr.Close()
		return nil, err
	}

	si := o.SampleInterval
	if si == 0 {
		si = 2 * time.Second
	}
	if si > 0 {
		a.sampler.Add(1)
		go a.sample(si)
	}
	return a, nil
}

// Manager returns the App's session manager.
func (a *App) Manager() *session.Manager { return a.mgr }

// Handler returns the App's HTTP handler: the session middleware around the
// CSRF protector around the routes.
func (a *App) Handler() http.Handler { return a.handler }

// Shutdown ends the dashboards' event streams (which would otherwise keep
// http.Server.Shutdown waiting) and stops the sampler. Register it with
// http.Server.RegisterOnShutdown. It is idempotent.
func (a *App) Shutdown() {
	a.shutdownOnce.Do(func() {
		close(a.done)
		a.cancelDone()
	})
}

// Close shuts the App down, then closes the session manager and the store,
// in that order. Call it after the HTTP server has stopped. It is idempotent.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		a.Shutdown()
		a.sampler.Wait()
		a.scans.close()
		a.closeErr = errors.Join(a.mgr.Close(), a.store.Close())
	})
	return a.closeErr
}

// listen is the session.Listener waking the dashboards. The hub's generation
// goes up first, so the snapshot each woken stream takes is a new scan.
func (a *App) listen(_ context.Context, e session.Event) {
	a.hub.notify()
}

// countActive returns the number of live sessions in the store, for
// /metrics and the chart's sampler. It takes them from the scan cache the
// dashboards share: /metrics needs no login, and a walk of the store per
// scrape would let any client keep the store busy with concurrent scrapes;
// shared, they cost one walk at a time, and the count is at most
// min(PollInterval/2, 500ms) old, or as old as the walk in progress.
// Session events do not force a new walk for it, since anyone can make them
// (getRecent).
func (a *App) countActive(ctx context.Context) (int, error) {
	sc, err := a.scans.getRecent(ctx)
	if err != nil {
		return 0, err
	}
	return sc.active, nil
}

// sample records the active-session count every interval until Shutdown.
func (a *App) sample(interval time.Duration) {
	defer a.sampler.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		a.takeSample()
		select {
		case <-a.done:
			return
		case <-t.C:
		}
		// select picks at random among ready cases: a tick pending since a
		// slow sample must not outrun Shutdown.
		if a.doneCtx.Err() != nil {
			return
		}
	}
}

// sampleTimeout is how long the chart's sampler waits for a count.
const sampleTimeout = 5 * time.Second

// takeSample counts the sessions, giving up after a.sampleTimeout or at
// Shutdown.
func (a *App) takeSample() {
	ctx, cancel := context.WithTimeout(a.doneCtx, a.sampleTimeout)
	defer cancel()
	n, err := a.countActive(ctx)
	if err != nil {
		if a.doneCtx.Err() != nil {
			return
		}
		a.log.Warn("counting sessions failed", "err", err)
		return
	}
	a.history.add(sample{T: a.now(), N: n})
}
