package app

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// waitingStore is a store whose Load waits for its context to end.
type waitingStore struct{ session.Store }

func (waitingStore) Load(ctx context.Context, _ string) (*session.Record, bool, error) {
	<-ctx.Done()
	return nil, false, ctx.Err()
}

// TestStoreErrorsNotCancellations: httpstate_store_errors_total counts the
// calls the store failed, not the ones their caller gave up on (a client
// that hung up, a dashboard stream ended at shutdown), which anyone can make
// at will and which say nothing about the store. A call that timed out is
// a failure: the store did not answer in time.
func TestStoreErrorsNotCancellations(t *testing.T) {
	m := newMetrics(func(context.Context) (int, error) { return 0, nil })
	mem, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &instrumentedStore{next: waitingStore{mem}, now: time.Now,
		duration: m.storeDuration, errors: m.storeErrors}
	defer st.Close()

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, _, err := st.Load(ctx, "k"); err == nil {
		t.Fatal("Load with a cancelled context: no error")
	}
	if body := scrape(m); strings.Contains(body, "httpstate_store_errors_total{") {
		t.Errorf("a call cancelled by its caller counted as a store error:\n%s", grepLines(body, "httpstate_store_errors_total"))
	}

	ctx, cancel = context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := st.Load(ctx, "k"); err == nil {
		t.Fatal("Load past its deadline: no error")
	}
	body := scrape(m)
	if !strings.Contains(body, `httpstate_store_errors_total{op="load"} 1`+"\n") {
		t.Errorf("a call that timed out is not one store error:\n%s", grepLines(body, "httpstate_store_errors_total"))
	}
	// Both calls are timed.
	if !strings.Contains(body, `httpstate_store_operation_duration_seconds_count{op="load"} 2`+"\n") {
		t.Errorf("both calls not timed:\n%s", grepLines(body, "httpstate_store_operation_duration_seconds_count"))
	}
}

// scrape returns m's metrics in the text format.
func scrape(m *metrics) string {
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// grepLines returns the lines of s that hold sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
