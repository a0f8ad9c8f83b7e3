package clocktest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/schedule/clocktest"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clocktest.New(start)
	var fired []string
	at := func(name string) func() {
		return func() { fired = append(fired, name+"@"+c.Now().Sub(start).String()) }
	}
	c.AfterFunc(2*time.Second, at("b"))
	c.AfterFunc(time.Second, at("a"))
	c.AfterFunc(2*time.Second, at("b2")) // same deadline: creation order
	stop := c.AfterFunc(time.Second, at("stopped"))
	c.AfterFunc(1500*time.Millisecond, func() {
		at("chain")()
		c.AfterFunc(time.Second, at("chained")) // armed by a callback, due within the same Advance
	})
	if !stop() || stop() {
		t.Fatal("stop should report true once, then false")
	}
	if c.Pending() != 4 {
		t.Fatalf("Pending = %d", c.Pending())
	}
	if next, ok := c.NextDeadline(); !ok || !next.Equal(start.Add(time.Second)) {
		t.Fatalf("NextDeadline = %v %v", next, ok)
	}

	c.Advance(3 * time.Second)
	want := "a@1s,chain@1.5s,b@2s,b2@2s,chained@2.5s"
	if got := strings.Join(fired, ","); got != want {
		t.Fatalf("fired %s, want %s", got, want)
	}
	if !c.Now().Equal(start.Add(3*time.Second)) || c.Pending() != 0 {
		t.Fatalf("now %v, pending %d", c.Now(), c.Pending())
	}

	fired = nil
	c.AfterFunc(time.Second, at("late"))
	c.Jump(time.Hour)
	if len(fired) != 0 {
		t.Fatal("Jump fired a timer")
	}
	c.Advance(0)
	if got := strings.Join(fired, ","); got != "late@1h0m3s" {
		t.Fatalf("after Jump fired %s", got)
	}
}
