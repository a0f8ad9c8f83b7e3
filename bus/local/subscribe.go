package local

import (
	"fmt"
	"maps"
	"slices"

	"github.com/medusa-ls/medusa-ls/bus"
)

// Subscribe adds one subscription.
func (b *Bus) Subscribe(sub bus.Subscriber) error {
	return b.Replace(nil, []bus.Subscriber{sub})
}

// Unsubscribe removes one subscription. Deliveries already queued for it still run on its
// handler: they were dispatched while it was subscribed.
func (b *Bus) Unsubscribe(event, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.removeLocked(bus.SubscriptionKey{Event: event, ID: id}) {
		return fmt.Errorf("bus: unsubscribe %q from %q: %w", id, event, bus.ErrNotFound)
	}
	return nil
}

// Replace removes and adds subscriptions under the bus lock; see bus.Bus.
func (b *Bus) Replace(remove []bus.SubscriptionKey, add []bus.Subscriber) error {
	for _, s := range add {
		if err := validate(s); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("bus: change subscriptions: %w", bus.ErrClosed)
	}
	// Check the result before changing anything: ids must be unique per event after removal.
	removing := make(map[bus.SubscriptionKey]bool, len(remove))
	for _, k := range remove {
		removing[k] = true
	}
	adding := make(map[bus.SubscriptionKey]bus.Subscriber, len(add))
	for _, s := range add {
		k := s.Key()
		if prev, dup := adding[k]; dup {
			return &bus.DuplicateSubscriberError{Event: s.Event, ID: s.ID, Source: s.Source, ExistingSource: prev.Source}
		}
		adding[k] = s
		if cur := b.findLocked(k); cur != nil && !removing[k] {
			return &bus.DuplicateSubscriberError{Event: s.Event, ID: s.ID, Source: s.Source, ExistingSource: cur.sub.Source}
		}
	}
	for _, k := range remove {
		b.removeLocked(k)
	}
	for _, s := range add {
		b.subs[s.Event] = append(b.subs[s.Event], &subscription{sub: s})
	}
	return nil
}

func validate(s bus.Subscriber) error {
	var missing string
	switch {
	case s.Event == "":
		missing = "event name"
	case s.ID == "":
		missing = "id"
	case s.Handler == nil:
		missing = "handler"
	default:
		return nil
	}
	return fmt.Errorf("bus: subscriber %q for event %q (%s) has no %s: %w",
		s.ID, s.Event, s.Source, missing, bus.ErrInvalidSubscriber)
}

func (b *Bus) findLocked(k bus.SubscriptionKey) *subscription {
	for _, s := range b.subs[k.Event] {
		if s.sub.ID == k.ID {
			return s
		}
	}
	return nil
}

func (b *Bus) removeLocked(k bus.SubscriptionKey) bool {
	list := b.subs[k.Event]
	i := slices.IndexFunc(list, func(s *subscription) bool { return s.sub.ID == k.ID })
	if i < 0 {
		return false
	}
	list = slices.Delete(list, i, i+1)
	if len(list) == 0 {
		delete(b.subs, k.Event)
	} else {
		b.subs[k.Event] = list
	}
	return true
}

// Subscribers lists subscriptions of event, or of every event when event is "", sorted by
// event name and then registration order.
func (b *Bus) Subscribers(event string) []bus.SubscriberInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	var events []string
	if event != "" {
		events = []string{event}
	} else {
		events = slices.Sorted(maps.Keys(b.subs))
	}
	var out []bus.SubscriberInfo
	for _, e := range events {
		for _, s := range b.subs[e] {
			out = append(out, bus.SubscriberInfo{
				Event: s.sub.Event, ID: s.sub.ID, Source: s.sub.Source,
				Pending: s.queued + s.running, Delivered: s.delivered, Failed: s.failed,
			})
		}
	}
	return out
}
