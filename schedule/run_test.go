package schedule_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medusa-ls/medusa-ls/schedule"
	"github.com/medusa-ls/medusa-ls/schedule/clocktest"
)

func TestConcurrency(t *testing.T) {
	tests := []struct {
		name        string
		concurrency schedule.Concurrency
		wantStarted int // runs started by 3 ticks while the first run blocks
		wantSkipped int
	}{
		{"default is forbid", "", 1, 2},
		{"forbid", schedule.Forbid, 1, 2},
		{"allow", schedule.Allow, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			g := newGate()
			job := every("sync", time.Second, g.run)
			job.Concurrency = tt.concurrency
			if err := h.s.Add(job); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				h.clock.Advance(time.Second)
				if i := len(h.s.Jobs()); i != 1 {
					t.Fatalf("%d jobs", i)
				}
			}
			for range tt.wantStarted {
				g.waitStarted(t)
			}
			info := h.s.Jobs()[0]
			if info.Runs != tt.wantStarted || info.Skipped != tt.wantSkipped || info.Running != tt.wantStarted {
				t.Fatalf("info = %+v, want %d runs, %d skipped", info, tt.wantStarted, tt.wantSkipped)
			}
			if got := strings.Count(h.logs.String(), "previous run is still in progress"); got != tt.wantSkipped {
				t.Errorf("%d skip log lines, want %d", got, tt.wantSkipped)
			}
			close(g.release)
			h.wait(t)
			// Once the run is over, the next tick runs again.
			h.clock.Advance(time.Second)
			g.waitStarted(t)
		})
	}
}

func TestNumberOfExecutions(t *testing.T) {
	h := newHarness(t)
	c := &counter{}
	job := every("thrice", time.Second, c.run)
	job.NumberOfExecutions = 3
	if err := h.s.Add(job); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		h.clock.Advance(time.Second)
		h.wait(t) // forbid would skip a tick that comes while the last run is still returning
	}
	if c.n() != 3 {
		t.Fatalf("ran %d times, want 3", c.n())
	}
	if len(h.s.Jobs()) != 0 || h.clock.Pending() != 0 {
		t.Fatalf("job should be removed with its timer: jobs %v, timers %d", h.s.Jobs(), h.clock.Pending())
	}
	// The name is free again, and a reload that still lists it as old must not fail.
	if err := h.s.Replace([]string{"thrice"}, []schedule.Job{every("thrice", time.Second, c.run)}); err != nil {
		t.Fatal(err)
	}
}

func TestRunFailuresReachSink(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		run       schedule.RunFunc
		wantPanic bool
	}{
		{"error", func(context.Context, time.Time) error { return boom }, false},
		{"panic", func(context.Context, time.Time) error { panic("kaboom") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if err := h.s.Add(every("flaky", time.Second, tt.run)); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(time.Second)
			h.wait(t)
			// A failing run does not unschedule the job.
			h.clock.Advance(time.Second)
			h.wait(t)
			errs := h.errs.All()
			if len(errs) != 2 {
				t.Fatalf("sink got %d errors, want 2", len(errs))
			}
			e := errs[0]
			if e.Job != "flaky" || e.Source != "src/jobs/flaky.ts:1" || !e.ScheduledFor.Equal(t0().Add(time.Second)) {
				t.Errorf("RunError = %+v", e)
			}
			var pe *schedule.PanicError
			if isPanic := errors.As(e, &pe); isPanic != tt.wantPanic {
				t.Errorf("panic = %v, want %v (%v)", isPanic, tt.wantPanic, e)
			}
			if !tt.wantPanic && !errors.Is(e, boom) {
				t.Errorf("error %v does not wrap the run's error", e)
			}
			if !strings.Contains(e.Error(), "Scheduled job flaky failed with error:") {
				t.Errorf("message %q", e.Error())
			}
			if !strings.Contains(h.logs.String(), "Scheduled job flaky failed") {
				t.Error("failure not logged")
			}
		})
	}
}

// A run in progress when its job is reloaded finishes on the old code; the new registration
// neither duplicates it nor overlaps it (forbid spans the reload), and the old timer is gone.
func TestReplaceWhileRunning(t *testing.T) {
	h := newHarness(t)
	old := newGate()
	if err := h.s.Add(every("sync", time.Second, old.run)); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	old.waitStarted(t)

	fresh := &counter{}
	if err := h.s.Replace([]string{"sync"}, []schedule.Job{every("sync", time.Second, fresh.run)}); err != nil {
		t.Fatal(err)
	}
	if h.clock.Pending() != 1 {
		t.Fatalf("%d timers after reload, want 1", h.clock.Pending())
	}
	h.clock.Advance(time.Second) // the old run is still going: skipped
	if info := h.s.Jobs()[0]; info.Skipped != 1 || info.Running != 1 || fresh.n() != 0 {
		t.Fatalf("info %+v, new runs %d; want the tick skipped", info, fresh.n())
	}

	close(old.release)
	h.wait(t)
	for range 3 {
		h.clock.Advance(time.Second)
		h.wait(t)
	}
	if fresh.n() != 3 {
		t.Fatalf("new code ran %d times, want 3", fresh.n())
	}
	if len(old.started) != 0 {
		t.Fatalf("old code ran %d more times after the reload", len(old.started))
	}
}

// leakyClock's stop never stops anything, as when a real timer has already fired and its
// callback is blocked on the scheduler's lock while Replace runs.
type leakyClock struct{ *clocktest.Clock }

func (c leakyClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.Clock.AfterFunc(d, f)
	return func() bool { return false }
}

func TestStaleTimerCallbackIsIgnored(t *testing.T) {
	clock := leakyClock{clocktest.New(t0())}
	s := schedule.New(schedule.Options{Clock: clock})
	old, fresh := &counter{}, &counter{}
	if err := s.Add(every("a", time.Second, old.run)); err != nil {
		t.Fatal(err)
	}
	if err := s.Replace([]string{"a"}, []schedule.Job{every("a", time.Second, fresh.run)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(every("b", 500*time.Millisecond, (&counter{}).run)); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("b"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second) // both "a" timers and the "b" timer fire
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute) // timers that survived Stop fire into a stopped scheduler
	if old.n() != 0 || fresh.n() != 1 {
		t.Fatalf("old ran %d, new ran %d; want 0 and 1", old.n(), fresh.n())
	}
}

func TestRunNow(t *testing.T) {
	boom := errors.New("boom")
	h := newHarness(t)
	c := &counter{}
	job := every("twice", time.Hour, c.run)
	job.NumberOfExecutions = 2
	failing := every("failing", time.Hour, func(context.Context, time.Time) error { return boom })
	g := newGate()
	busy := every("busy", time.Second, g.run)
	for _, j := range []schedule.Job{job, failing, busy} {
		if err := h.s.Add(j); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(time.Second)
	g.waitStarted(t)

	tests := []struct {
		job     string
		wantErr error
	}{
		{"twice", nil},
		{"twice", nil},
		{"twice", nil},
		{"failing", boom},
		{"busy", schedule.ErrJobRunning},
		{"nope", schedule.ErrNotFound},
	}
	for _, tt := range tests {
		if err := h.s.RunNow(context.Background(), tt.job); !errors.Is(err, tt.wantErr) {
			t.Errorf("RunNow(%s) = %v, want %v", tt.job, err, tt.wantErr)
		}
	}
	if c.n() != 3 {
		t.Errorf("twice ran %d times, want 3", c.n())
	}
	// Manual runs neither count towards numberOfExecutions nor go to the sink (the caller has the error).
	if _, ok := h.s.Next("twice"); !ok {
		t.Error("RunNow counted towards numberOfExecutions")
	}
	if n := len(h.errs.All()); n != 0 {
		t.Errorf("sink got %d errors from RunNow", n)
	}
	close(g.release)
}

// In a synctest bubble: synctest.Wait says when Stop is blocked for good, waiting for the run.
func TestStopWaitsForRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		g := newGate()
		var finished atomic.Bool
		if err := h.s.Add(every("slow", time.Second, func(ctx context.Context, at time.Time) error {
			err := g.run(ctx, at)
			finished.Store(true)
			return err
		})); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Second)
		g.waitStarted(t)

		stopped := make(chan error, 1)
		go func() { stopped <- h.s.Stop(context.Background()) }()
		synctest.Wait()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a run was in progress", err)
		default:
		}
		if h.clock.Advance(time.Second); len(g.started) != 0 {
			t.Fatal("a tick started a run after Stop")
		}
		close(g.release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if !finished.Load() {
			t.Fatal("Stop returned before the run finished")
		}
	})
}

func TestStopGivesUpAndCancelsRuns(t *testing.T) {
	h := newHarness(t)
	started := make(chan struct{})
	var once sync.Once
	if err := h.s.Add(every("stubborn", time.Second, func(ctx context.Context, _ time.Time) error {
		once.Do(func() { close(started) })
		<-ctx.Done() // only a cancelled context ends this run
		return ctx.Err()
	})); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.s.Stop(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want context.Canceled", err)
	}
	h.wait(t) // the run saw its context cancelled and returned
	if errs := h.errs.All(); len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("sink got %v, want the cancelled run", errs)
	}
}

// After the process was suspended (or busy) past several ticks, the overdue tick runs once and
// the schedule resumes from now: missed ticks are not replayed in a burst.
func TestMissedTicksAreNotReplayed(t *testing.T) {
	tests := []struct {
		name string
		spec schedule.Spec
		next time.Duration // after the late tick, relative to the time it ran
	}{
		{"interval", schedule.EverySpec(time.Second), time.Second},
		{"cron with seconds", schedule.CronSpec("*/5 * * * * *"), 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			c := &counter{}
			if err := h.s.Add(schedule.Job{Name: "j", Spec: tt.spec, Run: c.run}); err != nil {
				t.Fatal(err)
			}
			h.clock.Jump(time.Hour)
			h.clock.Advance(0)
			h.wait(t)
			if c.n() != 1 {
				t.Fatalf("%d runs after waking up, want 1", c.n())
			}
			if next, _ := h.s.Next("j"); !next.Equal(h.clock.Now().Add(tt.next)) {
				t.Fatalf("Next = %v, want %v", next, h.clock.Now().Add(tt.next))
			}
		})
	}
}
