package local_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/bus/local"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/schedule/clocktest"
)

// failSafe bounds waits that should end promptly, so that a bug fails the test instead of
// hanging it. It is not a speed assertion: nothing correct comes close to it.
const failSafe = 30 * time.Second

func t0() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }

type harness struct {
	bus   *local.Bus
	clock *clocktest.Clock
	logs  *testutil.Buffer
	errs  *testutil.List[*bus.HandlerError]
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{clock: clocktest.New(t0()), logs: &testutil.Buffer{}, errs: &testutil.List[*bus.HandlerError]{}}
	h.bus = local.New(local.Options{
		Logger:  slog.New(slog.NewTextHandler(h.logs, nil)),
		OnError: h.errs.Add,
		Clock:   h.clock,
	})
	t.Cleanup(func() {
		if err := h.bus.Close(); err != nil {
			t.Error(err)
		}
		h.drain(t)
	})
	return h
}

func (h *harness) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failSafe)
	defer cancel()
	if err := h.bus.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) emit(t *testing.T, opts bus.EmitOptions, msgs ...bus.Message) {
	t.Helper()
	if err := h.bus.Emit(context.Background(), msgs, opts); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) subscribe(t *testing.T, event, id string, handler bus.Handler) {
	t.Helper()
	if err := h.bus.Subscribe(bus.Subscriber{ID: id, Event: event, Handler: handler, Source: "src/subscribers/" + id + ".ts:1"}); err != nil {
		t.Fatal(err)
	}
}

func msg(name string, data string) bus.Message {
	return bus.Message{Name: name, Data: json.RawMessage(data)}
}

// recorder is a handler that keeps what it receives.
type recorder struct {
	mu   sync.Mutex
	msgs []bus.Message
}

func (r *recorder) handle(_ context.Context, m bus.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) got() []bus.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bus.Message(nil), r.msgs...)
}

func (r *recorder) names() []string {
	var out []string
	for _, m := range r.got() {
		out = append(out, m.Name)
	}
	return out
}
