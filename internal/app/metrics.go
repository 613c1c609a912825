package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/httpstate/httpstate/session"
)

// metrics holds the app's Prometheus collectors, all in a registry of the
// app's own (never prometheus.DefaultRegisterer), so two Apps in one process
// (as in tests) never collide.
type metrics struct {
	reg *prometheus.Registry

	created     prometheus.Counter
	expired     prometheus.Counter
	invalidated prometheus.Counter
	renewed     prometheus.Counter
	logins      *prometheus.CounterVec // labels: result (ok, failed)

	storeDuration *prometheus.HistogramVec // labels: op
	storeErrors   *prometheus.CounterVec   // labels: op
}

// newMetrics registers the collectors. active counts the live sessions of the
// store; it is called on every scrape, so it must be cheap to call often.
func newMetrics(active func(ctx context.Context) (int, error)) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		created: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "httpstate_sessions_created_total",
			Help: "Sessions created by this instance.",
		}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "httpstate_sessions_expired_total",
			Help: "Sessions this instance found expired (idle or absolute timeout) and swept.",
		}),
		invalidated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "httpstate_sessions_invalidated_total",
			Help: "Sessions invalidated by this instance (logout, revocation, per-user cap).",
		}),
		renewed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "httpstate_sessions_renewed_total",
			Help: "Session ID renewals (logins) on this instance.",
		}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "httpstate_logins_total",
			Help: "Login attempts on this instance, by result.",
		}, []string{"result"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "httpstate_store_operation_duration_seconds",
			Help:    "Latency of session store calls, by operation.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "httpstate_store_errors_total",
			Help: "Session store calls that failed, by operation.",
		}, []string{"op"}),
	}
	m.logins.WithLabelValues("ok")
	m.logins.WithLabelValues("failed")
	m.reg.MustRegister(
		m.created, m.expired, m.invalidated, m.renewed, m.logins,
		m.storeDuration, m.storeErrors,
		&activeCollector{count: active, desc: prometheus.NewDesc(
			"httpstate_sessions_active",
			"Live sessions in the store (all instances sharing it), counted with Manager.Iterate at scrape time (a walk at most 500ms old, shared with the dashboards).",
			nil, nil)},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// listen is a session.Listener feeding the lifecycle counters.
func (m *metrics) listen(_ context.Context, e session.Event) {
	switch e.Kind {
	case session.EventCreated:
		m.created.Inc()
	case session.EventExpired:
		m.expired.Inc()
	case session.EventInvalidated:
		m.invalidated.Inc()
	case session.EventRenewed:
		m.renewed.Inc()
	}
}

// handler serves the registry in the Prometheus text format. A metric that
// cannot be collected (httpstate_sessions_active while the store is down) is
// left out and the rest is served with 200: the store error counters matter
// most when the store fails.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:      m.reg,
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// activeCollector reports the number of live sessions, read from the store
// when scraped. A store error reports the metric as invalid rather than a
// stale number: the handler leaves it out of that scrape.
type activeCollector struct {
	count func(ctx context.Context) (int, error)
	desc  *prometheus.Desc
}

func (c *activeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *activeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := c.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
