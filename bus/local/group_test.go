package local_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
)

func grouped(name, group, data string) bus.Message {
	m := msg(name, data)
	m.Metadata = map[string]any{bus.MetaEventGroupID: group}
	return m
}

func TestGroupedEvents(t *testing.T) {
	type step struct {
		release string   // group to release, or
		clear   string   // group to clear,
		names   []string // only these events
	}
	tests := []struct {
		name  string
		steps []step
		want  string // data delivered, in order
	}{
		{"held until released", nil, ""},
		{"release", []step{{release: "g1"}}, "1,2,3"},
		{"release twice delivers once", []step{{release: "g1"}, {release: "g1"}}, "1,2,3"},
		{"release unknown group", []step{{release: "nope"}}, ""},
		{"clear", []step{{clear: "g1"}, {release: "g1"}}, ""},
		{"clear only named events", []step{{clear: "g1", names: []string{"order.placed"}}, {release: "g1"}}, "1,3"},
		{"clear named events that are not there", []step{{clear: "g1", names: []string{"nope"}}, {release: "g1"}}, "1,2,3"},
		{"clear every named event", []step{{clear: "g1", names: []string{"order.placed", "product.created"}}, {release: "g1"}}, ""},
		{"other group untouched", []step{{clear: "g2"}, {release: "g1"}}, "1,2,3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := &recorder{}
			h.subscribe(t, bus.Wildcard, "all", r.handle)
			h.emit(t, bus.EmitOptions{},
				grouped("product.created", "g1", "1"),
				grouped("order.placed", "g1", "2"),
				msg("ungrouped", "0"),
				grouped("product.created", "g1", "3"),
				grouped("product.created", "g2", "9"))
			h.drain(t)
			if got := r.names(); len(got) != 1 || got[0] != "ungrouped" {
				t.Fatalf("before any release got %v, want only the ungrouped event", got)
			}
			for _, s := range tt.steps {
				var err error
				if s.release != "" {
					err = h.bus.ReleaseGroupedEvents(context.Background(), s.release)
				} else {
					err = h.bus.ClearGroupedEvents(context.Background(), s.clear, s.names...)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			h.drain(t)
			var data []string
			for _, m := range r.got()[1:] {
				data = append(data, string(m.Data))
				if m.GroupID() != "g1" {
					t.Errorf("released message lost its eventGroupId: %v", m.Metadata)
				}
			}
			if got := strings.Join(data, ","); got != tt.want {
				t.Fatalf("released %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReleaseKeepsEmitOptionsAndCopies(t *testing.T) {
	h := newHarness(t)
	r := &recorder{}
	h.subscribe(t, "x", "r", r.handle)
	meta := map[string]any{bus.MetaEventGroupID: "g", "nested": map[string]any{"k": "v"}}
	if err := h.bus.Emit(context.Background(), []bus.Message{{Name: "x", Data: []byte(`1`), Metadata: meta}},
		bus.EmitOptions{Internal: true, Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	meta["nested"].(map[string]any)["k"] = "changed by the emitter after Emit"

	h.clock.Advance(time.Hour) // held messages do not start their delay until released
	if err := h.bus.ReleaseGroupedEvents(context.Background(), "g"); err != nil {
		t.Fatal(err)
	}
	// Nothing yet: the delay runs from the release. No drain here: it would wait for the delay.
	if n := len(r.got()); n != 0 {
		t.Fatalf("delivered %d before the delay", n)
	}
	h.clock.Advance(time.Minute)
	h.drain(t)
	got := r.got()
	if len(got) != 1 || got[0].Metadata["nested"].(map[string]any)["k"] != "v" {
		t.Fatalf("got %+v, want one message with the metadata as emitted", got)
	}
	if p, _ := got[0].PublishedAt(); !p.Equal(t0().Add(time.Hour + time.Minute)) {
		t.Errorf("published_at = %v", p)
	}
	if strings.Contains(h.logs.String(), "Processing") {
		t.Error("an internal event was logged on release")
	}
}
