package local_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/bus"
)

func TestDuplicateSubscriber(t *testing.T) {
	h := newHarness(t)
	h.subscribe(t, "product.created", "notify", (&recorder{}).handle)
	h.subscribe(t, "product.updated", "notify", (&recorder{}).handle) // same id, other event: fine

	err := h.bus.Subscribe(bus.Subscriber{ID: "notify", Event: "product.created", Handler: (&recorder{}).handle, Source: "src/subscribers/b.ts:4"})
	var dup *bus.DuplicateSubscriberError
	if !errors.As(err, &dup) || !errors.Is(err, bus.ErrDuplicateSubscriber) {
		t.Fatalf("Subscribe = %v, want *DuplicateSubscriberError", err)
	}
	if !strings.Contains(err.Error(), "Subscriber with id notify already exists") ||
		dup.Source != "src/subscribers/b.ts:4" || dup.ExistingSource != "src/subscribers/notify.ts:1" {
		t.Fatalf("error = %v (%+v)", err, dup)
	}
	if n := len(h.bus.Subscribers("product.created")); n != 1 {
		t.Fatalf("%d subscriptions, want 1", n)
	}
}

func TestInvalidSubscriber(t *testing.T) {
	h := newHarness(t)
	handle := (&recorder{}).handle
	for _, s := range []bus.Subscriber{
		{ID: "a", Handler: handle},
		{Event: "x", Handler: handle},
		{ID: "a", Event: "x"},
	} {
		if err := h.bus.Subscribe(s); !errors.Is(err, bus.ErrInvalidSubscriber) {
			t.Errorf("Subscribe(%+v) = %v, want ErrInvalidSubscriber", s, err)
		}
	}
}

func TestUnsubscribe(t *testing.T) {
	h := newHarness(t)
	r := &recorder{}
	h.subscribe(t, "x", "r", r.handle)
	h.subscribe(t, "y", "r", r.handle)
	if err := h.bus.Unsubscribe("x", "r"); err != nil {
		t.Fatal(err)
	}
	if err := h.bus.Unsubscribe("x", "r"); !errors.Is(err, bus.ErrNotFound) {
		t.Fatalf("second Unsubscribe = %v, want ErrNotFound", err)
	}
	h.emit(t, bus.EmitOptions{}, msg("x", `1`), msg("y", `2`))
	h.drain(t)
	if got := strings.Join(r.names(), ","); got != "y" {
		t.Fatalf("got %s, want only y", got)
	}
}

// Deliveries dispatched before an unsubscribe still run on the handler they were given to.
func TestUnsubscribeKeepsQueuedDeliveries(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	r := &recorder{}
	h.subscribe(t, "x", "r", func(ctx context.Context, m bus.Message) error {
		<-release
		return r.handle(ctx, m)
	})
	h.emit(t, bus.EmitOptions{}, msg("x", `1`), msg("x", `2`))
	if err := h.bus.Unsubscribe("x", "r"); err != nil {
		t.Fatal(err)
	}
	h.emit(t, bus.EmitOptions{}, msg("x", `3`))
	close(release)
	h.drain(t)
	if n := len(r.got()); n != 2 {
		t.Fatalf("got %d messages, want the 2 dispatched before Unsubscribe", n)
	}
}

func TestReplaceValidation(t *testing.T) {
	sub := func(event, id string) bus.Subscriber {
		return bus.Subscriber{ID: id, Event: event, Handler: (&recorder{}).handle, Source: "new.ts"}
	}
	key := func(event, id string) bus.SubscriptionKey { return bus.SubscriptionKey{Event: event, ID: id} }
	tests := []struct {
		name    string
		remove  []bus.SubscriptionKey
		add     []bus.Subscriber
		wantErr error
		want    string // event/id of the subscriptions after, in order
	}{
		{"reload in place", []bus.SubscriptionKey{key("x", "a")}, []bus.Subscriber{sub("x", "a")}, nil, "x/b,x/a,y/a"},
		{"missing removals are ignored", []bus.SubscriptionKey{key("x", "zz"), key("q", "a")}, nil, nil, "x/a,x/b,y/a"},
		{"rename", []bus.SubscriptionKey{key("x", "a"), key("y", "a")}, []bus.Subscriber{sub("x", "c"), sub("y", "c")}, nil, "x/b,x/c,y/c"},
		{"change events", []bus.SubscriptionKey{key("y", "a")}, []bus.Subscriber{sub("z", "a")}, nil, "x/a,x/b,z/a"},
		{"conflict with a kept subscription", []bus.SubscriptionKey{key("x", "a")}, []bus.Subscriber{sub("x", "a"), sub("x", "b")}, bus.ErrDuplicateSubscriber, "x/a,x/b,y/a"},
		{"added twice", nil, []bus.Subscriber{sub("z", "n"), sub("z", "n")}, bus.ErrDuplicateSubscriber, "x/a,x/b,y/a"},
		{"invalid", []bus.SubscriptionKey{key("x", "a")}, []bus.Subscriber{{ID: "a", Event: "x"}}, bus.ErrInvalidSubscriber, "x/a,x/b,y/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.subscribe(t, "x", "a", (&recorder{}).handle)
			h.subscribe(t, "x", "b", (&recorder{}).handle)
			h.subscribe(t, "y", "a", (&recorder{}).handle)
			if err := h.bus.Replace(tt.remove, tt.add); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Replace = %v, want %v", err, tt.wantErr)
			}
			var got []string
			for _, info := range h.bus.Subscribers("") {
				got = append(got, info.Event+"/"+info.ID)
			}
			if strings.Join(got, ",") != tt.want {
				t.Fatalf("subscriptions = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestSubscribersInfo(t *testing.T) {
	h := newHarness(t)
	h.subscribe(t, "b.event", "one", (&recorder{}).handle)
	h.subscribe(t, bus.Wildcard, "star", (&recorder{}).handle)
	h.subscribe(t, "a.event", "two", (&recorder{}).handle)
	h.emit(t, bus.EmitOptions{}, msg("a.event", `1`))
	h.drain(t)

	want := []bus.SubscriberInfo{
		{Event: "*", ID: "star", Source: "src/subscribers/star.ts:1", Delivered: 1},
		{Event: "a.event", ID: "two", Source: "src/subscribers/two.ts:1", Delivered: 1},
		{Event: "b.event", ID: "one", Source: "src/subscribers/one.ts:1"},
	}
	got := h.bus.Subscribers("")
	if len(got) != len(want) {
		t.Fatalf("Subscribers = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := h.bus.Subscribers("*"); len(got) != 1 || got[0].ID != "star" {
		t.Errorf(`Subscribers("*") = %+v`, got)
	}
	if got := h.bus.Subscribers("nope"); len(got) != 0 {
		t.Errorf(`Subscribers("nope") = %+v`, got)
	}
}
