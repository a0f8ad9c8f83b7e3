// Package testutil holds the small helpers that several packages' tests share.
package testutil

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer that goroutines may write to while a test reads it, or waits for
// what it should contain.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written Signal
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.b.Write(p)
	b.mu.Unlock()
	b.written.Notify()
	return n, err
}

// Wait waits until cond, given everything written so far, reports "" (see Signal.Wait).
func (b *Buffer) Wait(t testing.TB, limit time.Duration, cond func(string) string) {
	t.Helper()
	b.written.Wait(t, limit, func() string { return cond(b.String()) })
}

// WaitFor is Wait that returns cond's last report instead of failing: "" once cond holds.
func (b *Buffer) WaitFor(limit time.Duration, cond func(string) string) string {
	return b.written.WaitFor(limit, func() string { return cond(b.String()) })
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// List collects values reported from other goroutines (error sinks, callbacks).
type List[T any] struct {
	mu    sync.Mutex
	items []T
	added Signal
}

// Add appends v; its method value fits callbacks such as OnError.
func (l *List[T]) Add(v T) {
	l.mu.Lock()
	l.items = append(l.items, v)
	l.mu.Unlock()
	l.added.Notify()
}

// Wait waits until cond, given what was added so far, reports "" (see Signal.Wait).
func (l *List[T]) Wait(t testing.TB, limit time.Duration, cond func([]T) string) {
	t.Helper()
	l.added.Wait(t, limit, func() string { return cond(l.All()) })
}

// All returns a copy of what was added so far.
func (l *List[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.items...)
}

// Repeat returns an endless stream of one byte, cheap to read even under -race: a test's
// oversized input (take n bytes of it with io.LimitReader).
func Repeat(b byte) io.Reader { return repeatByte(b) }

type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = byte(r)
	for n := 1; n < len(p); n *= 2 { // copies, not a store per byte (slow under -race)
		copy(p[n:], p[:n])
	}
	return len(p), nil
}

// Goroutines returns the stacks of the goroutines whose stack names fn, as runtime.Stack
// prints it ("local.(*Bus)"): in a synctest bubble, after synctest.Wait, the ones left over.
func Goroutines(fn string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			out = append(out, g)
		}
	}
	return out
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Signal wakes the goroutines waiting for something that other goroutines record: events from a
// callback, notifications from a server. The zero value is ready to use.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// Notify wakes every waiter: what they wait for may have happened.
func (s *Signal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// changed returns a channel that the next Notify closes.
func (s *Signal) changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Wait re-checks cond after every Notify until it reports "", and fails t with cond's last
// report once limit has passed (limit is a correctness bound, not a speed assertion). Whoever
// changes what cond looks at must call Notify after the change.
func (s *Signal) Wait(t testing.TB, limit time.Duration, cond func() string) {
	t.Helper()
	if last := s.WaitFor(limit, cond); last != "" {
		t.Fatalf("after %s: %s", limit, last)
	}
}

// WaitFor is Wait that returns cond's last report instead of failing: "" once cond holds.
func (s *Signal) WaitFor(limit time.Duration, cond func() string) string {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		changed := s.changed() // before the check: a change after it wakes us
		last := cond()
		if last == "" {
			return ""
		}
		select {
		case <-changed:
		case <-timer.C:
			return cond()
		}
	}
}

// Eventually re-checks cond (every 5 ms) until it reports "" and fails t with cond's last
// report once limit has passed. It is for what has no event to wait on: an HTTP answer, a line
// in a process's output. Where something records what happened, wait on a Signal instead.
func Eventually(t testing.TB, limit time.Duration, cond func() string) {
	t.Helper()
	if last := Poll(limit, cond); last != "" {
		t.Fatalf("after %s: %s", limit, last)
	}
}

// Poll is Eventually that returns cond's last report instead of failing: "" once cond holds.
func Poll(limit time.Duration, cond func() string) string {
	deadline := time.Now().Add(limit)
	for {
		last := cond()
		if last == "" || time.Now().After(deadline) {
			return last
		}
		time.Sleep(5 * time.Millisecond)
	}
}
