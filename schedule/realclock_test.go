package schedule_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/schedule"
)

// tracker is shared by every registration of one job across reloads, to check that forbid
// holds across them and that nothing runs after Stop.
type tracker struct {
	inFlight, maxInFlight, total atomic.Int64
	mu                           sync.Mutex
	ran                          *sync.Cond
}

func newTracker() *tracker {
	tr := &tracker{}
	tr.ran = sync.NewCond(&tr.mu)
	return tr
}

func (tr *tracker) run(context.Context, time.Time) error {
	n := tr.inFlight.Add(1)
	for {
		m := tr.maxInFlight.Load()
		if n <= m || tr.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	runtime.Gosched() // widen the window in which an overlapping run would be seen
	tr.inFlight.Add(-1)
	tr.mu.Lock()
	tr.total.Add(1)
	tr.ran.Broadcast()
	tr.mu.Unlock()
	return nil
}

// waitAbove blocks until more than n runs have finished.
func (tr *tracker) waitAbove(t *testing.T, n int64) {
	t.Helper()
	condWait(t, tr.ran, func() bool { return tr.total.Load() > n }, func() string { return fmt.Sprintf("no run after %d", n) })
}

// condWait waits on c until done, which it calls with c.L held, or fails with what after
// failSafe.
func condWait(t *testing.T, c *sync.Cond, done func() bool, what func() string) {
	t.Helper()
	deadline := time.AfterFunc(failSafe, func() { c.L.Lock(); c.Broadcast(); c.L.Unlock() })
	defer deadline.Stop()
	start := time.Now()
	c.L.Lock()
	defer c.L.Unlock()
	for !done() {
		if time.Since(start) > failSafe {
			t.Fatal(what())
		}
		c.Wait()
	}
}

// countingClock is the wall clock, keeping count of the timers armed and neither stopped nor
// fired, and of the timer callbacks running.
type countingClock struct {
	mu      sync.Mutex
	armed   int
	running int
	idle    *sync.Cond // broadcast when running drops to 0
}

func newCountingClock() *countingClock {
	c := &countingClock{}
	c.idle = sync.NewCond(&c.mu)
	return c
}

func (c *countingClock) Now() time.Time { return time.Now() }

func (c *countingClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	c.armed++
	c.mu.Unlock()
	stop := time.AfterFunc(d, func() {
		c.mu.Lock()
		c.armed--
		c.running++
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			if c.running--; c.running == 0 {
				c.idle.Broadcast()
			}
			c.mu.Unlock()
		}()
		f()
	}).Stop
	return func() bool {
		if !stop() {
			return false // fired: its callback counts it
		}
		c.mu.Lock()
		c.armed--
		c.mu.Unlock()
		return true
	}
}

// settle waits until no timer callback runs, and returns how many timers are still armed.
func (c *countingClock) settle(t *testing.T) int {
	t.Helper()
	armed := 0
	condWait(t, c.idle, func() bool { armed = c.armed; return c.running == 0 }, func() string {
		return fmt.Sprintf("%d timer callbacks still running", c.running)
	})
	return armed
}

// With the wall clock, reloads race with real timer goroutines: forbid must still never let
// two runs of the job overlap, no tick may survive Stop, and -race must stay quiet.
func TestRealClockReloadHammer(t *testing.T) {
	clock := newCountingClock()
	s := schedule.New(schedule.Options{Clock: clock})
	tr := newTracker()
	job := func() schedule.Job { return every("hammer", time.Millisecond, tr.run) }
	if err := s.Add(job()); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
					s.Jobs()
					s.Next("hammer")
					runtime.Gosched()
				}
			}
		}()
	}
	for range 100 {
		if err := s.Replace([]string{"hammer"}, []schedule.Job{job()}); err != nil {
			t.Fatal(err)
		}
		tr.waitAbove(t, tr.total.Load()) // let the new registration tick at least once
	}
	close(done)
	readers.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), failSafe)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	after := tr.total.Load()
	// No timer survives Stop, and the callbacks that fired as it stopped them start no run.
	if armed := clock.settle(t); armed != 0 {
		t.Fatalf("%d timers survived Stop", armed)
	}
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if tr.total.Load() != after {
		t.Fatal("the job ran after Stop")
	}
	if m := tr.maxInFlight.Load(); m != 1 {
		t.Fatalf("%d runs overlapped under forbid", m)
	}
}

// No goroutine outlives Stop, with either clock. The wall clock's timers run in a synctest
// bubble, whose clock is fake, so that synctest.Wait says when every goroutine has returned or
// is stuck for good.
func TestNoGoroutineLeak(t *testing.T) {
	for _, name := range []string{"fake clock", "real clock"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var s *schedule.Scheduler
				var tick func()
				if name == "fake clock" {
					h := newHarness(t)
					s, tick = h.s, func() { h.clock.Advance(time.Second) }
				} else {
					s, tick = schedule.New(schedule.Options{}), func() {}
				}
				tr := newTracker()
				for _, n := range []string{"a", "b", "c"} {
					j := every(n, time.Second, tr.run)
					if name == "real clock" {
						j.Spec = schedule.EverySpec(time.Millisecond)
					}
					j.Concurrency = schedule.Allow
					if err := s.Add(j); err != nil {
						t.Fatal(err)
					}
				}
				tick()
				tr.waitAbove(t, 2)
				if err := s.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
				noSchedulerGoroutines(t)
			})
		})
	}
}

// noSchedulerGoroutines fails if goroutines running scheduler code outlive Stop, once every
// goroutine of the bubble has returned or blocked for good (a run may still be returning when
// Stop does).
func noSchedulerGoroutines(t *testing.T) {
	t.Helper()
	synctest.Wait()
	if left := testutil.Goroutines("schedule.(*Scheduler)"); len(left) > 0 {
		t.Fatalf("goroutines left after Stop:\n%s", strings.Join(left, "\n\n"))
	}
}
