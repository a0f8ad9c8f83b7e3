package jsvm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// ErrTimeout is returned by Invoke when the JavaScript did not settle in time.
var ErrTimeout = errors.New("did not finish in time")

// Invoke runs fn on the loop with the arguments args builds, waits for its result (awaiting a
// returned promise), and returns its error. It is for Go code that runs JavaScript on behalf of
// something outside a request: a bus subscriber, a scheduled job. timeout bounds the wait from
// the moment the function starts on the loop (a promise that never settles); runaway
// synchronous code is interrupted by the loop's own limit and comes back as a
// *goja.InterruptedError.
func (rt *Runtime) Invoke(ctx context.Context, label string, timeout time.Duration, fn goja.Value, args func(vm *goja.Runtime) []goja.Value) error {
	return rt.InvokeQueued(ctx, label, timeout, fn, args, nil)
}

// InvokeQueued is Invoke that calls queued, when it is not nil, as soon as the call is queued
// on the loop (before it runs). The loop runs its queue first in, first out, so callers that
// queue one call after another's queued has fired get their functions called in that order.
func (rt *Runtime) InvokeQueued(ctx context.Context, label string, timeout time.Duration, fn goja.Value, args func(vm *goja.Runtime) []goja.Value, queued func()) error {
	done := make(chan error, 1)
	var once sync.Once
	finish := func(err error) { once.Do(func() { done <- err }) }
	owner := NewOwner(label)
	owner.OnInterrupt = func(ie *goja.InterruptedError) { finish(ie) }
	begun := make(chan struct{})
	posted := rt.Post(owner, label, func(vm *goja.Runtime) {
		close(begun)
		call, ok := goja.AssertFunction(fn)
		if !ok {
			finish(fmt.Errorf("%s: not a function", label))
			return
		}
		rt.CallAsync(call, goja.Undefined(), args(vm), func(_ goja.Value, err error) { finish(err) })
	})
	if !posted {
		return ErrLoopClosed
	}
	if queued != nil {
		queued()
	}
	// The timeout runs from the moment the call starts: time spent waiting behind other work
	// on the loop is not the function's.
	select {
	case <-begun:
	case <-ctx.Done():
		return ctx.Err()
	case <-rt.loop.stopped:
		return ErrLoopClosed
	}
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-expire:
		return fmt.Errorf("%s %w (%s)", label, ErrTimeout, timeout)
	}
}
