package app

import "sync"

// hub wakes the dashboards' event streams when a session event happens on
// this instance. A wake-up carries no data: the stream re-reads the store, so
// a burst of events costs one snapshot, and events from other instances
// sharing the store still arrive with the next poll.
type hub struct {
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

// notify wakes every subscriber without blocking: a subscriber that has not
// yet consumed its previous wake-up keeps just that one.
func (h *hub) notify() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
