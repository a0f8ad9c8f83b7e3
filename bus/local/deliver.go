package local

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/medusa-ls/medusa-ls/bus"
)

// subscription is one subscriber and its counters. All fields are guarded by Bus.mu. A
// subscription removed by Unsubscribe or Replace still runs the deliveries already queued for
// it.
type subscription struct {
	sub       bus.Subscriber
	queued    int // deliveries waiting in the bus's queue
	running   int // handlers running now
	delivered int
	failed    int
}

// delivery is one message for one subscription, waiting to be started.
type delivery struct {
	s       *subscription
	m       bus.Message
	outcome func(bus.Outcome) // EmitOptions.Outcome, or nil
}

// enqueueLocked queues one delivery at the end of the bus's single queue and makes sure the
// dispatcher is running. The dispatcher exists only while there is work, so an idle bus has no
// goroutines.
func (b *Bus) enqueueLocked(s *subscription, m bus.Message, outcome func(bus.Outcome)) {
	b.queue = append(b.queue, delivery{s: s, m: m, outcome: outcome})
	s.queued++
	b.addPendingLocked(1)
	if !b.dispatching {
		b.dispatching = true
		go b.dispatch()
	}
}

// dispatch starts the queued deliveries one after the other, in queue order: each handler runs
// in its own goroutine, and the next one starts once it has said so (bus.Started) or
// returned. Handlers therefore start in emit order, subscribers of the name before "*" ones,
// each in registration order, as @medusajs/event-bus-local's EventEmitter calls them, and then
// run concurrently, as async listeners do. After Close it drops what is left.
func (b *Bus) dispatch() {
	for {
		b.mu.Lock()
		dropped := 0
		if b.closed {
			dropped = len(b.queue)
			for _, d := range b.queue {
				d.s.queued--
				if d.outcome != nil {
					defer d.outcome(bus.Outcome{Event: d.m.Name, SubscriberID: d.s.sub.ID, Source: d.s.sub.Source, Err: bus.ErrClosed})
				}
			}
			clear(b.queue)
			b.queue = b.queue[:0]
		}
		if len(b.queue) == 0 {
			b.dispatching = false
			b.mu.Unlock()
			if dropped > 0 {
				b.log.Warn(fmt.Sprintf("event bus closed: %d queued deliveries dropped", dropped), "dropped", dropped)
				// Only now, so that Drain after Close returns with the drop on record.
				b.mu.Lock()
				b.donePendingLocked(dropped)
				b.mu.Unlock()
			}
			return
		}
		d := b.queue[0]
		b.queue[0] = delivery{} // let the payload be collected
		b.queue = b.queue[1:]
		d.s.queued--
		d.s.running++
		b.mu.Unlock()

		started := make(chan struct{})
		var once sync.Once
		signal := func() { once.Do(func() { close(started) }) }
		go b.run(bus.WithStarted(b.ctx, signal), d, signal)
		<-started
	}
}

// run is one delivery: the handler, its report, its counters.
func (b *Bus) run(ctx context.Context, d delivery, started func()) {
	err := b.call(ctx, d.s.sub, d.m)
	started()
	if err != nil {
		b.report(err.(*bus.HandlerError))
	}
	if d.outcome != nil {
		d.outcome(bus.Outcome{Event: d.m.Name, SubscriberID: d.s.sub.ID, Source: d.s.sub.Source, Err: err})
	}
	b.mu.Lock()
	d.s.running--
	if err != nil {
		d.s.failed++
	} else {
		d.s.delivered++
	}
	b.donePendingLocked(1) // after the report, so that Drain covers the error sink too
	b.mu.Unlock()
}

// call runs one handler; a panic becomes an error so that one subscriber cannot take down the
// process or the other subscribers.
func (b *Bus) call(ctx context.Context, s bus.Subscriber, m bus.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &bus.PanicError{Value: r, Stack: debug.Stack()}
		}
		if err != nil {
			err = &bus.HandlerError{Event: m.Name, SubscriberID: s.ID, Source: s.Source, Err: err}
		}
	}()
	return s.Handler(ctx, m)
}

func (b *Bus) report(e *bus.HandlerError) {
	b.log.Error(e.Error(), "event", e.Event, "subscriber", e.SubscriberID, "source", e.Source)
	if b.onError != nil {
		b.onError(e)
	}
}

func (b *Bus) addPendingLocked(n int) {
	if b.pending == 0 {
		b.idle = make(chan struct{})
	}
	b.pending += n
}

func (b *Bus) donePendingLocked(n int) {
	if n == 0 {
		return
	}
	if b.pending -= n; b.pending == 0 {
		close(b.idle)
	}
}

// Drain waits until every message emitted so far, delayed ones included, has been handled by
// every subscriber it was dispatched to, and every failure reported. Held (grouped) messages
// are not waited for: they may never be released.
func (b *Bus) Drain(ctx context.Context) error {
	b.mu.Lock()
	idle, pending := b.idle, b.pending
	b.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bus: drain: %d deliveries still pending: %w", pending, context.Cause(ctx))
	}
}

// Close stops the bus; see bus.Bus. It is idempotent.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	delayed := len(b.timers)
	for id, stop := range b.timers {
		stop()
		delete(b.timers, id)
	}
	b.donePendingLocked(delayed)
	heldCount := 0
	for _, g := range b.groups {
		heldCount += len(g)
	}
	clear(b.groups)
	b.mu.Unlock()
	// Running handlers see their context cancelled; queued deliveries are dropped by workers.
	b.cancel()
	if delayed > 0 || heldCount > 0 {
		b.log.Warn(fmt.Sprintf("event bus closed: %d delayed and %d grouped events dropped", delayed, heldCount),
			"delayed", delayed, "grouped", heldCount)
	}
	return nil
}
