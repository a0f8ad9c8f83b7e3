package devserver

import "testing"

// The supervisor never waits for a subscriber: one that lags subscriberBuffer events behind is
// dropped (its channel closed, so it subscribes again), and the others keep every event.
func TestSubscribersDropOnlyTheOneThatLags(t *testing.T) {
	var b subscribers
	slow, cancelSlow := b.add()
	fast, cancelFast := b.add()
	defer cancelSlow()
	defer cancelFast()
	got := 0
	for i := range subscriberBuffer + 10 {
		b.send(Event{Log: "line"})
		select { // the fast one keeps up
		case <-fast:
			got++
		default:
			t.Fatalf("event %d did not reach the subscriber that keeps up", i)
		}
	}
	if got != subscriberBuffer+10 {
		t.Fatalf("fast subscriber got %d events", got)
	}
	n := 0
	for range slow { // closed after the buffer
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("slow subscriber got %d events before it was dropped, want %d", n, subscriberBuffer)
	}
	cancelSlow() // after the drop: no panic, no double close
	cancelFast()
	b.send(Event{Log: "after"})
	if _, ok := <-fast; ok {
		t.Fatal("a cancelled subscriber still receives")
	}
}
