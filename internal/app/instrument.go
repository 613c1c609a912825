package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/httpstate/httpstate/session"
)

// instrumentedStore is a session.Store decorator that records how long each
// call to the wrapped store takes, by operation, and counts the calls that
// fail. Absence (found=false, ErrNotFound, ErrExists) is not a failure, nor
// is a call cancelled by its caller.
type instrumentedStore struct {
	next     session.Store
	now      func() time.Time
	duration *prometheus.HistogramVec // labels: op
	errors   *prometheus.CounterVec   // labels: op
}

var _ session.Store = (*instrumentedStore)(nil)

// observe records one call of op, made with ctx, that started at start and
// ended with err. A call its caller cancelled (a client that hung up, an
// event stream ended at shutdown) is timed but is no store failure: anyone
// can make those at will, and they would set off the alerts meant for a
// failing store. A call past its deadline is one: the store did not answer.
func (s *instrumentedStore) observe(ctx context.Context, op string, start time.Time, err error) {
	s.duration.WithLabelValues(op).Observe(s.now().Sub(start).Seconds())
	if err == nil || errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrExists) {
		return
	}
	if errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled) {
		return
	}
	s.errors.WithLabelValues(op).Inc()
}

func (s *instrumentedStore) Create(ctx context.Context, r *session.Record) error {
	start := s.now()
	err := s.next.Create(ctx, r)
	s.observe(ctx, "create", start, err)
	return err
}

func (s *instrumentedStore) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	start := s.now()
	r, found, err := s.next.Load(ctx, key)
	s.observe(ctx, "load", start, err)
	return r, found, err
}

func (s *instrumentedStore) Save(ctx context.Context, key string, d session.Delta) error {
	start := s.now()
	err := s.next.Save(ctx, key, d)
	s.observe(ctx, "save", start, err)
	return err
}

func (s *instrumentedStore) Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	start := s.now()
	v, err := s.next.Update(ctx, key, attr, fn)
	s.observe(ctx, "update", start, err)
	return v, err
}

func (s *instrumentedStore) Rename(ctx context.Context, oldKey, newKey string) error {
	start := s.now()
	err := s.next.Rename(ctx, oldKey, newKey)
	s.observe(ctx, "rename", start, err)
	return err
}

func (s *instrumentedStore) Delete(ctx context.Context, key string) (bool, error) {
	start := s.now()
	found, err := s.next.Delete(ctx, key)
	s.observe(ctx, "delete", start, err)
	return found, err
}

func (s *instrumentedStore) ByPrincipal(ctx context.Context, principal string) ([]session.Meta, error) {
	start := s.now()
	ms, err := s.next.ByPrincipal(ctx, principal)
	s.observe(ctx, "by_principal", start, err)
	return ms, err
}

// Iterate times the whole walk, including the time fn takes.
func (s *instrumentedStore) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	start := s.now()
	err := s.next.Iterate(ctx, fn)
	s.observe(ctx, "iterate", start, err)
	return err
}

func (s *instrumentedStore) Sweep(ctx context.Context) ([]session.Meta, error) {
	start := s.now()
	ms, err := s.next.Sweep(ctx)
	s.observe(ctx, "sweep", start, err)
	return ms, err
}

// healthProbeKey is the key the health check loads: store keys are
// base64url SHA-256 hashes (43 characters), so no session has it.
const healthProbeKey = "httpstate-health-probe"

// ping checks that the store answers, with a Load of healthProbeKey timed
// and counted as op "ping".
func (s *instrumentedStore) ping(ctx context.Context) error {
	start := s.now()
	_, _, err := s.next.Load(ctx, healthProbeKey)
	s.observe(ctx, "ping", start, err)
	if err != nil {
		return fmt.Errorf("app: store ping: %w", err)
	}
	return nil
}

// Close closes the wrapped store; it is not timed.
func (s *instrumentedStore) Close() error { return s.next.Close() }
