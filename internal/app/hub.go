package app

import (
	"sync"
	"sync/atomic"
)

// hub wakes the dashboards' event streams when a session event happens on
// this instance. A wake-up carries no data: the stream re-reads the store, so
// a burst of events costs one snapshot, and events from other instances
// sharing the store still arrive with the next poll.
//
// The hub also counts the events it has seen (its generation): the shared
// scan cache never reuses a scan that started before the latest one.
type hub struct {
	// gen is the number of notify calls so far; it is bumped before the
	// subscribers are woken.
	gen atomic.Uint64
	// mu protects subs.
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: make(map[chan struct{}]struct{})} }

// subscribe returns a channel that receives a value after events, and a
// function that ends the subscription.
func (h *hub) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// generation returns the number of events notified so far.
func (h *hub) generation() uint64 { return h.gen.Load() }

// notify bumps the generation, then wakes every subscriber without blocking:
// a subscriber that has not yet consumed its previous wake-up keeps just that
// one.
func (h *hub) notify() {
	h.gen.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
