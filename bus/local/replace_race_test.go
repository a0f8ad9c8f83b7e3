package local_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/bus/local"
)

// TestReplaceIsExactlyOnce hammers Emit (direct, delayed on the wall clock, and grouped then
// released) from several goroutines while another reloads the subscribers over and over, as a
// developer saving a subscriber file would. Every message must reach each role (the "e"
// subscriber and the "*" subscriber) exactly once, whichever generation handles it.
func TestReplaceIsExactlyOnce(t *testing.T) {
	const (
		emitters = 4
		perEmit  = 300
		total    = emitters * perEmit
	)
	b := local.New(local.Options{})
	defer b.Close()

	var direct, star [total]atomic.Int32
	var gensSeen sync.Map
	handler := func(counts *[total]atomic.Int32, gen int) bus.Handler {
		return func(_ context.Context, m bus.Message) error {
			i, err := strconv.Atoi(string(m.Data))
			if err != nil {
				return err
			}
			counts[i].Add(1)
			gensSeen.Store(gen, true)
			return nil
		}
	}
	subs := func(gen int) []bus.Subscriber {
		return []bus.Subscriber{
			{ID: "on-e", Event: "e", Handler: handler(&direct, gen)},
			{ID: "audit", Event: bus.Wildcard, Handler: handler(&star, gen)},
		}
	}
	if err := b.Replace(nil, subs(0)); err != nil {
		t.Fatal(err)
	}

	var emitting sync.WaitGroup
	for w := range emitters {
		emitting.Add(1)
		go func() {
			defer emitting.Done()
			ctx := context.Background()
			for j := range perEmit {
				i := w*perEmit + j
				m := bus.Message{Name: "e", Data: []byte(strconv.Itoa(i))}
				var err error
				switch j % 3 {
				case 0:
					err = b.Emit(ctx, []bus.Message{m}, bus.EmitOptions{Internal: true})
				case 1:
					err = b.Emit(ctx, []bus.Message{m}, bus.EmitOptions{Internal: true, Delay: 1})
				case 2:
					group := fmt.Sprint("g-", i)
					m.Metadata = map[string]any{bus.MetaEventGroupID: group}
					if err = b.Emit(ctx, []bus.Message{m}, bus.EmitOptions{Internal: true}); err == nil {
						err = b.ReleaseGroupedEvents(ctx, group)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}

	done := make(chan struct{})
	go func() { emitting.Wait(); close(done) }()
	reloads := 0
	for gen := 1; ; gen++ {
		old := []bus.SubscriptionKey{{Event: "e", ID: "on-e"}, {Event: bus.Wildcard, ID: "audit"}}
		if err := b.Replace(old, subs(gen)); err != nil {
			t.Fatal(err)
		}
		reloads++
		b.Subscribers("")
		select {
		case <-done:
		default:
			continue
		}
		break
	}

	ctx, cancel := context.WithTimeout(context.Background(), failSafe)
	defer cancel()
	if err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i := range total {
		if d, s := direct[i].Load(), star[i].Load(); d != 1 || s != 1 {
			if wrong++; wrong <= 10 {
				t.Errorf("message %d handled %d times by the e subscriber and %d times by *, want 1 and 1", i, d, s)
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d messages were not handled exactly once", wrong, total)
	}
	gens := 0
	gensSeen.Range(func(any, any) bool { gens++; return true })
	t.Logf("%d messages, %d reloads, %d generations handled messages", total, reloads, gens)
}
