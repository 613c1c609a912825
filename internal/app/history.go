package app

import (
	"sync"
	"time"
)

// sample is the number of active sessions at one moment.
type sample struct {
	T time.Time `json:"t"`
	N int       `json:"n"`
}

// history keeps the most recent samples of the active-session count for the
// dashboard's chart. It is safe for concurrent use.
type history struct {
	max int
	// mu protects samples.
	mu      sync.Mutex
	samples []sample
}

func newHistory(max int) *history { return &history{max: max} }

// add records a sample, dropping the oldest beyond max.
func (h *history) add(s sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, s)
	if over := len(h.samples) - h.max; over > 0 {
		h.samples = append(h.samples[:0], h.samples[over:]...)
	}
}

// list returns a copy of the samples, oldest first.
func (h *history) list() []sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sample(nil), h.samples...)
}
