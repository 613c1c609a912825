package session

import (
	"context"
	"time"
)

// EventKind names a session lifecycle event.
type EventKind int

// The lifecycle events a Manager delivers to its Listeners.
const (
	// EventCreated: a new session was stored (at the commit of the request
	// that first wrote to it).
	EventCreated EventKind = iota + 1
	// EventAttributeAdded: an attribute that did not exist was set.
	EventAttributeAdded
	// EventAttributeReplaced: an existing attribute was given a new value.
	EventAttributeReplaced
	// EventAttributeRemoved: an existing attribute was deleted.
	EventAttributeRemoved
	// EventRenewed: the session got a new ID (Session.Renew); Event.Key is the
	// new key, Event.OldKey the old one. With a Codec it comes from the
	// commit that sends the new cookie (one per request, however many
	// Renews), and not at all if that commit fails.
	EventRenewed
	// EventInvalidated: the session was ended on purpose (Session.Invalidate,
	// Manager.Revoke, Manager.InvalidatePrincipal, MaxPerPrincipal eviction).
	EventInvalidated
	// EventExpired: a sweep removed the session because it timed out.
	EventExpired
)

var eventNames = [...]string{
	EventCreated:           "created",
	EventAttributeAdded:    "attribute-added",
	EventAttributeReplaced: "attribute-replaced",
	EventAttributeRemoved:  "attribute-removed",
	EventRenewed:           "renewed",
	EventInvalidated:       "invalidated",
	EventExpired:           "expired",
}

// String returns the event's name, such as "created".
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// Event describes one lifecycle event. It never carries a session ID, only
// the store key (the ID's hash).
type Event struct {
	Kind EventKind
	// Key is the store key; for EventRenewed the new key.
	Key string
	// OldKey is the previous store key of an EventRenewed.
	OldKey string
	// Principal is the session's principal, when known.
	Principal string
	// Attr names the attribute of an attribute event.
	Attr string
	// Time is when the event happened, by the Manager's clock.
	Time time.Time
}

// Listener receives events synchronously, in order, on the goroutine that
// caused them (a request's, or the sweeper's for EventExpired). ctx is the
// request's context, or the sweeper's. A Listener must not block for long and
// must not call back into the Session that caused the event, nor wait for a
// request of the same Manager that sets a principal (the events of
// MaxPerPrincipal evictions are sent under a per-principal lock), nor call
// Manager.Close (which waits for the sweeper, perhaps the Listener's own
// goroutine). A Listener that
// panics is recovered (and the panic logged): the other listeners still
// receive the event.
type Listener func(ctx context.Context, e Event)
