package bus

import (
	"context"
	"time"
)

// EmitOptions apply to every message of one Emit call. As in @medusajs/event-bus-local,
// there are no per-message options.
type EmitOptions struct {
	// Internal suppresses the "Processing <name> which has <n> subscribers" log line.
	Internal bool
	// Delay postpones dispatch; subscribers are chosen when the delay ends, not at Emit.
	Delay time.Duration
	// Outcome, when set, is called once per delivery of these messages when its handler has
	// finished (Err nil when it succeeded), or with ErrClosed when the bus dropped it: for
	// tools that report what each subscriber did with an event (medusa-ls emit).
	Outcome func(Outcome)
}

// Outcome is how one subscriber handled one message.
type Outcome struct {
	Event        string
	SubscriberID string
	Source       string
	Err          error // nil on success; a *HandlerError when the handler failed
}

// Handler processes one message. It may block (the JS runtime's handlers wait for the
// subscriber's promise); ctx is cancelled when the bus closes. A returned error or a panic
// is reported and does not affect other subscribers.
type Handler func(ctx context.Context, msg Message) error

// Subscriber is one subscription of one handler to one event name (or Wildcard).
type Subscriber struct {
	// ID is unique per event (Medusa's subscriberId); see SubscriberID and DefaultSubscriberID.
	ID      string
	Event   string
	Handler Handler
	// Source locates the handler for error reports, e.g. "src/subscribers/x.ts:12".
	Source string
}

// Key returns the key that removes this subscription.
func (s Subscriber) Key() SubscriptionKey { return SubscriptionKey{Event: s.Event, ID: s.ID} }

// SubscriptionKey names a subscription.
type SubscriptionKey struct {
	Event string
	ID    string
}

// SubscriberInfo describes a subscription for tooling (status, code lenses).
type SubscriberInfo struct {
	Event  string
	ID     string
	Source string
	// Pending counts deliveries queued for this subscription or running now.
	Pending   int
	Delivered int // handler returned nil
	Failed    int // handler returned an error or panicked
}

// Bus is an event bus with Medusa's semantics. Implementations are safe for concurrent use.
type Bus interface {
	// Emit publishes messages in order. It returns once their dispatch has started, not when
	// handlers finish. Messages with metadata.eventGroupId are held until ReleaseGroupedEvents.
	Emit(ctx context.Context, msgs []Message, opts EmitOptions) error
	// Subscribe adds a subscription. An ID already subscribed to the same event is refused
	// with a *DuplicateSubscriberError.
	Subscribe(sub Subscriber) error
	// Unsubscribe removes a subscription; ErrNotFound if there is none. Deliveries already
	// handed to it still run, on its handler.
	Unsubscribe(event, id string) error
	// Replace removes and adds subscriptions atomically, for hot reload: every message is
	// delivered to the old set or to the new set, never to both and never to neither. It
	// validates first and changes nothing on error. Keys in remove that do not exist are
	// ignored, so that retiring a generation never fails because part of it is already gone.
	Replace(remove []SubscriptionKey, add []Subscriber) error
	// ReleaseGroupedEvents dispatches the messages held for groupID, in emit order.
	ReleaseGroupedEvents(ctx context.Context, groupID string) error
	// ClearGroupedEvents drops the messages held for groupID, or only those with the given names.
	ClearGroupedEvents(ctx context.Context, groupID string, eventNames ...string) error
	// Subscribers lists the subscriptions of one event name ("*" for wildcard ones), or of
	// every event when event is "".
	Subscribers(event string) []SubscriberInfo
	// Drain waits until every message emitted so far, delayed ones included, has been handled
	// by every subscriber it was dispatched to (or ctx ends).
	Drain(ctx context.Context) error
	// Close stops accepting messages and subscriptions, drops delayed, held and queued
	// messages (logging how many), and cancels running handlers' context. It does not wait:
	// Drain after Close waits for handlers still running.
	Close() error
}

type startedKey struct{}

// WithStarted returns a context for one delivery that carries started, for Bus
// implementations: Started(ctx) calls it.
func WithStarted(ctx context.Context, started func()) context.Context {
	return context.WithValue(ctx, startedKey{}, started)
}

// Started tells the bus that the handler running with ctx has begun its work: for a
// JavaScript subscriber, that its call is queued on the runtime's loop, whose queue is first in,
// first out. The local bus starts the next delivery only then (or when the handler returns), so
// that handlers start in emit order, as @medusajs/event-bus-local's EventEmitter starts them,
// and then run side by side. Calling it more than once, or without a bus, does nothing.
func Started(ctx context.Context) {
	if f, ok := ctx.Value(startedKey{}).(func()); ok {
		f()
	}
}
