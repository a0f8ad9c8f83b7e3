// Package clocktest provides a manually driven clock for deterministic tests of code that takes
// a Clock (schedule.Clock, local bus Clock): nothing fires until the test calls Advance or Set.
package clocktest

import (
	"sort"
	"sync"
	"time"
)

// Clock is a fake clock. Timer callbacks run synchronously inside Advance/Set, in deadline order
// (creation order for equal deadlines), with Now() equal to the timer's deadline while each runs.
// Because they run in the caller's goroutine, a test knows that every due callback has finished
// when Advance returns. Never call Advance while holding a lock that a callback takes.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*timer
}

type timer struct {
	when time.Time
	seq  uint64
	f    func()
}

// New returns a clock stopped at start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the fake current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that fires once the clock has been advanced by d.
func (c *Clock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{when: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool { return c.remove(t) }
}

func (c *Clock) remove(t *timer) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock forward by d, firing every timer that falls due on the way,
// including timers armed by those callbacks.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards), firing due timers as Advance does.
func (c *Clock) Set(t time.Time) {
	for {
		c.mu.Lock()
		next := c.popDueLocked(t)
		if next == nil {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return
		}
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
	}
}

func (c *Clock) popDueLocked(t time.Time) *timer {
	if len(c.timers) == 0 {
		return nil
	}
	sort.SliceStable(c.timers, func(i, j int) bool {
		a, b := c.timers[i], c.timers[j]
		if !a.when.Equal(b.when) {
			return a.when.Before(b.when)
		}
		return a.seq < b.seq
	})
	first := c.timers[0]
	if first.when.After(t) {
		return nil
	}
	c.timers = c.timers[1:]
	return first
}

// Jump moves the clock forward by d without firing anything, as when a machine is suspended:
// timers that fell due fire late, at the next Advance or Set (Advance(0) fires just those).
func (c *Clock) Jump(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Pending reports how many timers are armed and not yet fired or stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextDeadline returns the earliest armed deadline, if any.
func (c *Clock) NextDeadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best *timer
	for _, t := range c.timers {
		if best == nil || t.when.Before(best.when) {
			best = t
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	return best.when, true
}
