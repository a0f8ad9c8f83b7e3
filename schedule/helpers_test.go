package schedule_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/schedule"
	"github.com/medusa-ls/medusa-ls/schedule/clocktest"
)

// t0 is where every fake clock starts: a Thursday at noon, UTC, so cron expectations are easy
// to read.
func t0() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }

// failSafe bounds waits that should end promptly, so that a bug fails the test instead of
// hanging it. It is not a speed assertion: nothing correct comes close to it.
const failSafe = 30 * time.Second

type harness struct {
	s     *schedule.Scheduler
	clock *clocktest.Clock
	errs  *testutil.List[*schedule.RunError]
	logs  *testutil.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{clock: clocktest.New(t0()), errs: &testutil.List[*schedule.RunError]{}, logs: &testutil.Buffer{}}
	h.s = schedule.New(schedule.Options{
		Clock:   h.clock,
		Logger:  slog.New(slog.NewTextHandler(h.logs, nil)),
		OnError: h.errs.Add,
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), failSafe)
		defer cancel()
		if err := h.s.Stop(ctx); err != nil {
			t.Errorf("cleanup Stop: %v", err)
		}
	})
	return h
}

// wait waits until no run is in progress.
func (h *harness) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failSafe)
	defer cancel()
	if err := h.s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// counter is a Run func that counts its calls and records what it was scheduled for.
type counter struct {
	mu    sync.Mutex
	times []time.Time
}

func (c *counter) run(_ context.Context, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.times = append(c.times, at)
	return nil
}

func (c *counter) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.times)
}

// gate is a Run func that signals when it starts and blocks until released.
type gate struct {
	started chan time.Time
	release chan struct{}
}

func newGate() *gate {
	return &gate{started: make(chan time.Time, 100), release: make(chan struct{})}
}

func (g *gate) run(_ context.Context, at time.Time) error {
	g.started <- at
	<-g.release
	return nil
}

func (g *gate) waitStarted(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-g.started:
		return at
	case <-time.After(failSafe):
		t.Fatal("run did not start")
		return time.Time{}
	}
}
