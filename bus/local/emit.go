package local

import (
	"context"
	"fmt"
	"slices"

	"github.com/medusa-ls/medusa-ls/bus"
)

// processed is one "Processing <name> which has <n> subscribers" line, logged after the lock
// is released so that a slow log sink never holds up the bus.
type processed struct {
	name string
	n    int
}

// Emit stamps created_at, holds grouped messages, and dispatches the others (now, or after
// opts.Delay). It returns once every message is queued for its subscribers; handlers run
// afterwards. Messages are validated first: a message with no name fails the whole call.
func (b *Bus) Emit(ctx context.Context, msgs []bus.Message, opts bus.EmitOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bus: emit: %w", err)
	}
	for i, m := range msgs {
		if m.Name == "" {
			return fmt.Errorf("bus: emit: message %d of %d has no name: %w", i+1, len(msgs), bus.ErrInvalidMessage)
		}
	}
	now := b.clock.Now()
	prepared := make([]bus.Message, len(msgs))
	for i, m := range msgs {
		m = m.Clone() // ours from here on: the emitter may reuse its maps
		if m.Metadata == nil {
			m.Metadata = map[string]any{}
		}
		// Kept when set, so that a message re-emitted from a queue keeps its creation time.
		if _, ok := m.Metadata[bus.MetaCreatedAt]; !ok {
			m.Metadata[bus.MetaCreatedAt] = now
		}
		prepared[i] = m
	}

	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return fmt.Errorf("bus: emit: %w", bus.ErrClosed)
	}
	var logs []processed
	for _, m := range prepared {
		if id := m.GroupID(); id != "" {
			b.groups[id] = append(b.groups[id], held{msg: m, opts: opts})
			continue
		}
		logs = b.publishLocked(m, opts, logs)
	}
	b.mu.Unlock()
	b.logProcessing(logs)
	return nil
}

// publishLocked dispatches m now, or arms its delay timer.
func (b *Bus) publishLocked(m bus.Message, opts bus.EmitOptions, logs []processed) []processed {
	if opts.Delay <= 0 {
		n := b.dispatchLocked(m, opts.Outcome)
		if !opts.Internal {
			logs = append(logs, processed{m.Name, n})
		}
		return logs
	}
	b.seq++
	id := b.seq
	b.addPendingLocked(1)
	// With the wall clock the callback may start before AfterFunc returns, but it waits for
	// the lock we hold, so it always finds its entry in b.timers.
	b.timers[id] = b.clock.AfterFunc(opts.Delay, func() { b.fireDelayed(id, m, opts) })
	return logs
}

func (b *Bus) fireDelayed(id uint64, m bus.Message, opts bus.EmitOptions) {
	b.mu.Lock()
	if _, ok := b.timers[id]; !ok {
		b.mu.Unlock()
		return // dropped by Close
	}
	delete(b.timers, id)
	n := b.dispatchLocked(m, opts.Outcome)
	b.donePendingLocked(1)
	b.mu.Unlock()
	if !opts.Internal {
		b.logProcessing([]processed{{m.Name, n}})
	}
}

// dispatchLocked stamps published_at and queues a copy of m for every subscriber of its name
// and of "*". Doing this under the lock is what makes Replace exactly-once: the set of
// subscribers a message reaches is the set at one instant, never a mix of old and new.
func (b *Bus) dispatchLocked(m bus.Message, outcome func(bus.Outcome)) int {
	m.Metadata[bus.MetaPublishedAt] = b.clock.Now()
	targets := b.subs[m.Name]
	if m.Name != bus.Wildcard {
		targets = slices.Concat(targets, b.subs[bus.Wildcard])
	}
	for _, s := range targets {
		b.enqueueLocked(s, m.Clone(), outcome)
	}
	return len(targets)
}

func (b *Bus) logProcessing(logs []processed) {
	for _, p := range logs {
		b.log.Info(fmt.Sprintf("Processing %s which has %d subscribers", p.name, p.n),
			"event", p.name, "subscribers", p.n)
	}
}

// ReleaseGroupedEvents dispatches the messages held for groupID, in emit order and with the
// options they were emitted with, then forgets the group. An unknown group is a no-op, as in
// Medusa.
func (b *Bus) ReleaseGroupedEvents(ctx context.Context, groupID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bus: release group %q: %w", groupID, err)
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return fmt.Errorf("bus: release group %q: %w", groupID, bus.ErrClosed)
	}
	group := b.groups[groupID]
	delete(b.groups, groupID)
	var logs []processed
	for _, h := range group {
		logs = b.publishLocked(h.msg, h.opts, logs)
	}
	b.mu.Unlock()
	b.logProcessing(logs)
	return nil
}

// ClearGroupedEvents drops the messages held for groupID, all of them or only those whose name
// is in eventNames.
func (b *Bus) ClearGroupedEvents(ctx context.Context, groupID string, eventNames ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bus: clear group %q: %w", groupID, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("bus: clear group %q: %w", groupID, bus.ErrClosed)
	}
	if len(eventNames) == 0 {
		delete(b.groups, groupID)
		return nil
	}
	kept := slices.DeleteFunc(b.groups[groupID], func(h held) bool { return slices.Contains(eventNames, h.msg.Name) })
	if len(kept) == 0 {
		delete(b.groups, groupID)
	} else {
		b.groups[groupID] = kept
	}
	return nil
}
