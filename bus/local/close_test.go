package local_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// In a synctest bubble, so that synctest.Wait says when the bus's goroutines have returned.
func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		started := make(chan struct{}, 10)
		r := &recorder{}
		h.subscribe(t, "x", "blocking", func(ctx context.Context, m bus.Message) error {
			started <- struct{}{}
			<-ctx.Done() // Close cancels the handlers' context
			return r.handle(ctx, m)
		})
		delayed := &recorder{}
		h.subscribe(t, "later", "delayed", delayed.handle)

		h.emit(t, bus.EmitOptions{}, msg("x", `1`), msg("x", `2`), msg("x", `3`))
		h.emit(t, bus.EmitOptions{Delay: time.Second}, msg("later", `1`))
		h.emit(t, bus.EmitOptions{}, grouped("later", "g", `1`))
		<-started

		if err := h.bus.Close(); err != nil {
			t.Fatal(err)
		}
		if err := h.bus.Close(); err != nil {
			t.Fatalf("second Close = %v", err)
		}
		h.drain(t) // the running handler returns; the two queued deliveries are dropped
		h.clock.Advance(time.Minute)

		if n := len(r.got()); n != 1 {
			t.Errorf("blocking handler finished %d deliveries, want only the one running at Close", n)
		}
		if n := len(delayed.got()); n != 0 {
			t.Errorf("a delayed event was delivered after Close")
		}
		logs := h.logs.String()
		for _, want := range []string{"2 queued deliveries dropped", "1 delayed and 1 grouped events dropped"} {
			if !strings.Contains(logs, want) {
				t.Errorf("log lacks %q:\n%s", want, logs)
			}
		}

		ctx := context.Background()
		for name, err := range map[string]error{
			"Emit":      h.bus.Emit(ctx, []bus.Message{msg("x", `4`)}, bus.EmitOptions{}),
			"Subscribe": h.bus.Subscribe(bus.Subscriber{ID: "n", Event: "x", Handler: r.handle}),
			"Release":   h.bus.ReleaseGroupedEvents(ctx, "g"),
			"Clear":     h.bus.ClearGroupedEvents(ctx, "g"),
		} {
			if !errors.Is(err, bus.ErrClosed) {
				t.Errorf("%s after Close = %v, want ErrClosed", name, err)
			}
		}
		noBusGoroutines(t)
	})
}

func TestDrainHonoursContext(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	h.subscribe(t, "x", "stuck", func(context.Context, bus.Message) error { <-release; return nil })
	h.emit(t, bus.EmitOptions{}, msg("x", `1`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.bus.Drain(ctx); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "1 deliveries still pending") {
		t.Fatalf("Drain = %v, want context.Canceled with the pending count", err)
	}
	close(release)
}

func TestNoGoroutinesWhenIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		for _, id := range []string{"a", "b", "c"} {
			h.subscribe(t, "x", id, (&recorder{}).handle)
		}
		for range 20 {
			h.emit(t, bus.EmitOptions{}, msg("x", `1`))
		}
		h.drain(t)
		noBusGoroutines(t) // workers exist only while they have work, even before Close
	})
}

// noBusGoroutines fails if delivery goroutines outlive their work, once every goroutine of the
// synctest bubble has returned or blocked for good (a worker may still be returning when Drain
// does).
func noBusGoroutines(t *testing.T) {
	t.Helper()
	synctest.Wait()
	if left := testutil.Goroutines("local.(*Bus)"); len(left) > 0 {
		t.Fatalf("bus goroutines left:\n%s", strings.Join(left, "\n\n"))
	}
}
