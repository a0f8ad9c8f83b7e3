package local_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

func TestDeliveryAndWildcard(t *testing.T) {
	h := newHarness(t)
	created, updated, star := &recorder{}, &recorder{}, &recorder{}
	h.subscribe(t, "product.created", "on-created", created.handle)
	h.subscribe(t, "product.updated", "on-updated", updated.handle)
	h.subscribe(t, bus.Wildcard, "audit", star.handle)

	h.emit(t, bus.EmitOptions{}, msg("product.created", `{"id":"p1"}`), msg("product.updated", `{"id":"p1"}`), msg("order.placed", `{}`))
	h.drain(t)

	if got := strings.Join(created.names(), ","); got != "product.created" {
		t.Errorf("created subscriber got %s", got)
	}
	if got := strings.Join(updated.names(), ","); got != "product.updated" {
		t.Errorf("updated subscriber got %s", got)
	}
	if got := strings.Join(star.names(), ","); got != "product.created,product.updated,order.placed" {
		t.Errorf("* subscriber got %s", got)
	}
	if got := string(created.got()[0].Data); got != `{"id":"p1"}` {
		t.Errorf("data = %s", got)
	}
}

func TestTimestamps(t *testing.T) {
	h := newHarness(t)
	r := &recorder{}
	h.subscribe(t, "x", "r", r.handle)
	preset := t0().Add(-time.Hour)

	h.emit(t, bus.EmitOptions{}, msg("x", `1`))
	h.emit(t, bus.EmitOptions{Delay: 5 * time.Second}, msg("x", `2`))
	h.emit(t, bus.EmitOptions{}, bus.Message{Name: "x", Data: []byte(`3`), Metadata: map[string]any{bus.MetaCreatedAt: preset, bus.MetaSource: "product"}})
	h.clock.Advance(5 * time.Second)
	h.drain(t)

	tests := []struct {
		data               string
		created, published time.Time
	}{
		{"1", t0(), t0()},
		{"3", preset, t0()}, // an emitter's created_at is kept
		{"2", t0(), t0().Add(5 * time.Second)},
	}
	got := r.got()
	if len(got) != len(tests) {
		t.Fatalf("got %d messages", len(got))
	}
	for i, tt := range tests {
		m := got[i]
		c, okc := m.CreatedAt()
		p, okp := m.PublishedAt()
		if string(m.Data) != tt.data || !okc || !okp || !c.Equal(tt.created) || !p.Equal(tt.published) {
			t.Errorf("message %d = %s created %v published %v; want %s, %v, %v", i, m.Data, c, p, tt.data, tt.created, tt.published)
		}
	}
	if got[1].Metadata[bus.MetaSource] != "product" {
		t.Errorf("metadata not kept: %v", got[1].Metadata)
	}
}

func TestEmitDoesNotMutateCallerMessage(t *testing.T) {
	h := newHarness(t)
	h.subscribe(t, "x", "r", (&recorder{}).handle)
	meta := map[string]any{"k": "v"}
	h.emit(t, bus.EmitOptions{}, bus.Message{Name: "x", Metadata: meta})
	h.drain(t)
	if len(meta) != 1 {
		t.Fatalf("Emit changed the caller's metadata: %v", meta)
	}
}

func TestEmitReturnsBeforeHandlersFinish(t *testing.T) {
	h := newHarness(t)
	started, release := make(chan struct{}), make(chan struct{})
	h.subscribe(t, "x", "slow", func(context.Context, bus.Message) error {
		close(started)
		<-release
		return nil
	})
	emitted := make(chan error, 1)
	go func() { emitted <- h.bus.Emit(context.Background(), []bus.Message{msg("x", `1`)}, bus.EmitOptions{}) }()
	select {
	case err := <-emitted:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(failSafe):
		t.Fatal("Emit waited for the handler")
	}
	<-started
	if info := h.bus.Subscribers("x"); info[0].Pending != 1 {
		t.Errorf("Pending = %d, want 1 while the handler runs", info[0].Pending)
	}
	close(release)
	h.drain(t)
	if info := h.bus.Subscribers("x"); info[0].Pending != 0 || info[0].Delivered != 1 {
		t.Errorf("after drain: %+v", info[0])
	}
}

// A slow subscriber delays nobody else.
func TestSlowSubscriberDoesNotBlockOthers(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	// A handler that has started its work says so, and runs on while the others start.
	h.subscribe(t, "x", "slow", func(ctx context.Context, _ bus.Message) error { bus.Started(ctx); <-release; return nil })
	fast := make(chan string, 10)
	h.subscribe(t, "x", "fast", func(_ context.Context, m bus.Message) error { fast <- string(m.Data); return nil })
	h.emit(t, bus.EmitOptions{}, msg("x", `1`), msg("x", `2`))
	for _, want := range []string{"1", "2"} {
		select {
		case got := <-fast:
			if got != want {
				t.Fatalf("fast got %s, want %s", got, want)
			}
		case <-time.After(failSafe):
			t.Fatal("the fast subscriber waited for the slow one")
		}
	}
	close(release)
}

func TestPerSubscriberOrder(t *testing.T) {
	h := newHarness(t)
	subs := []*recorder{{}, {}, {}}
	for i, r := range subs {
		h.subscribe(t, "x", fmt.Sprint("s", i), r.handle)
	}
	const n = 200
	for i := 0; i < n; i += 4 {
		var batch []bus.Message
		for j := i; j < i+4; j++ {
			batch = append(batch, msg("x", fmt.Sprint(j)))
		}
		h.emit(t, bus.EmitOptions{}, batch...)
	}
	h.drain(t)
	for k, r := range subs {
		got := r.got()
		if len(got) != n {
			t.Fatalf("subscriber %d got %d messages", k, len(got))
		}
		for i, m := range got {
			if string(m.Data) != fmt.Sprint(i) {
				t.Fatalf("subscriber %d: message %d has data %s: out of order", k, i, m.Data)
			}
		}
	}
}

func TestEachHandlerGetsItsOwnCopy(t *testing.T) {
	h := newHarness(t)
	var seen testutil.List[string]
	for _, id := range []string{"a", "b", "c"} {
		h.subscribe(t, "x", id, func(_ context.Context, m bus.Message) error {
			seen.Add(fmt.Sprintf("%s %v", m.Data, m.Metadata["touched"]))
			// Concurrent writes to a shared map would also be caught by -race.
			m.Metadata["touched"] = true
			m.Data[0] = 'X'
			return nil
		})
	}
	h.emit(t, bus.EmitOptions{}, bus.Message{Name: "x", Data: []byte(`"d"`), Metadata: map[string]any{"k": "v"}})
	h.drain(t)
	if got := seen.All(); len(got) != 3 || got[0] != `"d" <nil>` || got[1] != got[0] || got[2] != got[0] {
		t.Fatalf("each handler should see the message as emitted, untouched by the others: %q", got)
	}
}

func TestProcessingLogLine(t *testing.T) {
	tests := []struct {
		name     string
		opts     bus.EmitOptions
		subs     []string
		wantLine string // "" means no line at all
	}{
		{"logged", bus.EmitOptions{}, []string{"a", "b"}, "Processing product.created which has 2 subscribers"},
		{"counts star subscribers", bus.EmitOptions{}, []string{"a", "*"}, "Processing product.created which has 2 subscribers"},
		{"no subscribers", bus.EmitOptions{}, nil, "Processing product.created which has 0 subscribers"},
		{"internal", bus.EmitOptions{Internal: true}, []string{"a"}, ""},
		{"internal delayed", bus.EmitOptions{Internal: true, Delay: time.Second}, []string{"a"}, ""},
		{"delayed logged on dispatch", bus.EmitOptions{Delay: time.Second}, []string{"a"}, "Processing product.created which has 1 subscribers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for i, ev := range tt.subs {
				if ev != bus.Wildcard {
					ev = "product.created"
				}
				h.subscribe(t, ev, fmt.Sprint("s", i), (&recorder{}).handle)
			}
			h.emit(t, tt.opts, msg("product.created", `{}`))
			if tt.opts.Delay > 0 && strings.Contains(h.logs.String(), "Processing") {
				t.Fatal("a delayed event was logged before its dispatch")
			}
			h.clock.Advance(tt.opts.Delay)
			h.drain(t)
			logs := h.logs.String()
			if tt.wantLine == "" {
				if strings.Contains(logs, "Processing") {
					t.Fatalf("unexpected log: %s", logs)
				}
				return
			}
			if strings.Count(logs, tt.wantLine) != 1 {
				t.Fatalf("log %q does not contain %q once", logs, tt.wantLine)
			}
		})
	}
}

func TestFailuresAreIsolatedAndReported(t *testing.T) {
	boom := errors.New("boom")
	h := newHarness(t)
	before, after := &recorder{}, &recorder{}
	h.subscribe(t, "order.placed", "before", before.handle)
	h.subscribe(t, "order.placed", "fails", func(context.Context, bus.Message) error { return boom })
	h.subscribe(t, bus.Wildcard, "panics", func(context.Context, bus.Message) error { panic("kaboom") })
	h.subscribe(t, "order.placed", "after", after.handle)

	h.emit(t, bus.EmitOptions{}, msg("order.placed", `1`), msg("order.placed", `2`))
	h.drain(t)

	if len(before.got()) != 2 || len(after.got()) != 2 {
		t.Fatalf("healthy subscribers got %d and %d messages, want 2 each", len(before.got()), len(after.got()))
	}
	errs := h.errs.All()
	if len(errs) != 4 {
		t.Fatalf("sink got %d errors, want 4: %v", len(errs), errs)
	}
	byID := map[string]*bus.HandlerError{}
	for _, e := range errs {
		byID[e.SubscriberID] = e
	}
	if e := byID["fails"]; e == nil || !errors.Is(e, boom) || e.Event != "order.placed" || e.Source != "src/subscribers/fails.ts:1" {
		t.Errorf("error of 'fails' = %+v", e)
	}
	var pe *bus.PanicError
	if e := byID["panics"]; e == nil || !errors.As(e, &pe) || pe.Value != "kaboom" || e.Event != "order.placed" || len(pe.Stack) == 0 {
		t.Errorf("error of 'panics' = %+v", e)
	}
	if logs := h.logs.String(); strings.Count(logs, "An error occurred while processing order.placed") != 4 {
		t.Errorf("failures not logged: %s", logs)
	}
	for _, info := range h.bus.Subscribers("") {
		wantFailed := map[string]int{"fails": 2, "panics": 2}[info.ID]
		if info.Failed != wantFailed || info.Delivered != 2-wantFailed {
			t.Errorf("%s: %+v", info.ID, info)
		}
	}
}

func TestEmitRejects(t *testing.T) {
	h := newHarness(t)
	r := &recorder{}
	h.subscribe(t, "x", "r", r.handle)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		msgs []bus.Message
		want error
	}{
		{"message without a name fails the whole call", context.Background(), []bus.Message{msg("x", `1`), {}}, bus.ErrInvalidMessage},
		{"cancelled context", cancelled, []bus.Message{msg("x", `1`)}, context.Canceled},
	}
	for _, tt := range tests {
		if err := h.bus.Emit(tt.ctx, tt.msgs, bus.EmitOptions{}); !errors.Is(err, tt.want) {
			t.Errorf("%s: Emit = %v, want %v", tt.name, err, tt.want)
		}
	}
	h.drain(t)
	if n := len(r.got()); n != 0 {
		t.Fatalf("%d messages delivered from rejected emits", n)
	}
}

// TestHandlersStartInEmitOrder: handlers start in one order, as @medusajs/event-bus-local's
// EventEmitter calls them: message after message in emit order (single emits, arrays, released
// groups alike), and for each message the subscribers of its name in registration order, then
// the "*" ones. One subscriber of two events gets them in emit order, even while its earlier
// calls still run.
func TestHandlersStartInEmitOrder(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	var starts []string
	release := make(chan struct{})
	record := func(id string) bus.Handler {
		return func(ctx context.Context, m bus.Message) error {
			mu.Lock()
			starts = append(starts, id+" "+m.Name+" "+string(m.Data))
			mu.Unlock()
			bus.Started(ctx)
			<-release // still running when the next ones start
			return nil
		}
	}
	h.subscribe(t, "a", "one", record("one"))
	h.subscribe(t, "b", "one", record("one"))
	h.subscribe(t, "*", "star", record("star"))
	h.subscribe(t, "b", "two", record("two"))
	var want []string
	expect := func(name, data string) {
		switch name {
		case "a":
			want = append(want, "one a "+data)
		case "b":
			want = append(want, "one b "+data, "two b "+data)
		}
		want = append(want, "star "+name+" "+data)
	}
	n := 0
	next := func(name string) bus.Message {
		n++
		expect(name, fmt.Sprint(n))
		return msg(name, fmt.Sprint(n))
	}
	for i := 0; i < 20; i++ {
		h.emit(t, bus.EmitOptions{}, next("a"))
		h.emit(t, bus.EmitOptions{}, next("b"), next("a"), next("b"))
	}
	var group []bus.Message
	for i := 0; i < 50; i++ {
		name := []string{"a", "b"}[i%2]
		n++
		group = append(group, grouped(name, "g", fmt.Sprint(n)))
	}
	h.emit(t, bus.EmitOptions{}, group...)
	for _, m := range group {
		expect(m.Name, string(m.Data))
	}
	if err := h.bus.ReleaseGroupedEvents(context.Background(), "g"); err != nil {
		t.Fatal(err)
	}
	close(release)
	h.drain(t)
	if got := strings.Join(starts, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("handlers started in this order:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
