package local_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
)

func TestEmitOutcomes(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		handlers map[string]error // subscriber id → what it returns
		delay    time.Duration
	}{
		{"success and failure", map[string]error{"a": nil, "b": boom}, 0},
		{"all succeed", map[string]error{"a": nil, "b": nil, "c": nil}, 0},
		{"delayed", map[string]error{"a": boom}, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for id, ret := range tc.handlers {
				ret := ret
				if err := h.bus.Subscribe(bus.Subscriber{ID: id, Event: "e", Source: id + ".ts:1", Handler: func(context.Context, bus.Message) error { return ret }}); err != nil {
					t.Fatal(err)
				}
			}
			got := make(chan bus.Outcome, len(tc.handlers))
			if err := h.bus.Emit(context.Background(), []bus.Message{{Name: "e"}}, bus.EmitOptions{Delay: tc.delay, Outcome: func(o bus.Outcome) { got <- o }}); err != nil {
				t.Fatal(err)
			}
			if tc.delay > 0 {
				h.clock.Advance(tc.delay)
			}
			var ids []string
			for range tc.handlers {
				select {
				case o := <-got:
					ids = append(ids, o.SubscriberID)
					want := tc.handlers[o.SubscriberID]
					if (want == nil) != (o.Err == nil) || (want != nil && !errors.Is(o.Err, want)) || o.Source != o.SubscriberID+".ts:1" || o.Event != "e" {
						t.Errorf("%+v, want err %v", o, want)
					}
				case <-time.After(failSafe):
					t.Fatalf("outcomes so far: %v", ids)
				}
			}
			sort.Strings(ids)
			if len(ids) != len(tc.handlers) {
				t.Fatalf("%v", ids)
			}
		})
	}
}
