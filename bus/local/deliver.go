package local

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/medusa-ls/medusa-ls/bus"
)

// subscription is one subscriber and its delivery queue. All fields are guarded by Bus.mu.
// A subscription removed by Unsubscribe or Replace keeps draining what was already queued.
type subscription struct {
	sub       bus.Subscriber
	queue     []bus.Message
	working   bool // a worker goroutine owns the queue
	inHandler bool
	delivered int
	failed    int
}

func (s *subscription) runningCount() int {
	if s.inHandler {
		return 1
	}
	return 0
}

// enqueueLocked queues one delivery and makes sure a worker is draining the queue. Workers
// exist only while there is work, so an idle bus has no goroutines.
func (b *Bus) enqueueLocked(s *subscription, m bus.Message) {
	s.queue = append(s.queue, m)
	b.addPendingLocked(1)
	if !s.working {
		s.working = true
		go b.work(s)
	}
}

// work delivers s's queue in order until it is empty. After Close it drops what is left.
func (b *Bus) work(s *subscription) {
	for {
		b.mu.Lock()
		dropped := 0
		if b.closed {
			dropped = len(s.queue)
			clear(s.queue)
			s.queue = s.queue[:0]
		}
		if len(s.queue) == 0 {
			s.working = false
			b.mu.Unlock()
			if dropped > 0 {
				b.log.Warn(fmt.Sprintf("event bus closed: %d queued deliveries dropped", dropped),
					"subscriber", s.sub.ID, "event", s.sub.Event, "source", s.sub.Source)
				// Only now, so that Drain after Close returns with the drop on record.
				b.mu.Lock()
				b.donePendingLocked(dropped)
				b.mu.Unlock()
			}
			return
		}
		m := s.queue[0]
		s.queue[0] = bus.Message{} // let the payload be collected
		s.queue = s.queue[1:]
		s.inHandler = true
		b.mu.Unlock()

		err := b.call(s.sub, m)
		if err != nil {
			b.report(err.(*bus.HandlerError))
		}

		b.mu.Lock()
		s.inHandler = false
		if err != nil {
			s.failed++
		} else {
			s.delivered++
		}
		b.donePendingLocked(1) // after the report, so that Drain covers the error sink too
		b.mu.Unlock()
	}
}

// call runs one handler; a panic becomes an error so that one subscriber cannot take down the
// process or the other subscribers.
func (b *Bus) call(s bus.Subscriber, m bus.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &bus.PanicError{Value: r, Stack: debug.Stack()}
		}
		if err != nil {
			err = &bus.HandlerError{Event: m.Name, SubscriberID: s.ID, Source: s.Source, Err: err}
		}
	}()
	return s.Handler(b.ctx, m)
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
