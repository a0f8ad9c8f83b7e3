package jsvm

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Owner is the async context of JavaScript work: a request, a module's top level, a job run.
// Timers inherit the owner of the task that created them, so that an interrupt or an error
// can be reported against the right request or file, and so that the timers a retired module
// created can be cleared with it.
type Owner struct {
	Label string // "GET /store/hello", "src/jobs/sync.ts"

	mu        sync.Mutex
	timers    map[*timer]struct{}
	cancelled bool
	// OnInterrupt, when set, is called on the loop when a task of this owner was interrupted.
	OnInterrupt func(err *goja.InterruptedError)
}

// NewOwner returns an owner with the given label.
func NewOwner(label string) *Owner { return &Owner{Label: label} }

// PendingTimers reports how many timers of this owner have not fired or been cleared.
func (o *Owner) PendingTimers() int {
	if o == nil {
		return 0
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.timers)
}

// Cancel stops every pending timer of the owner and refuses new ones: what a retired module or
// a finished request leaves behind must not run later on stale code.
func (o *Owner) Cancel() {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.cancelled = true
	ts := o.timers
	o.timers = nil
	o.mu.Unlock()
	for t := range ts {
		t.cancelled = true
	}
}

func (o *Owner) addTimer(t *timer) bool {
	if o == nil {
		return true
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cancelled {
		return false
	}
	if o.timers == nil {
		o.timers = make(map[*timer]struct{})
	}
	o.timers[t] = struct{}{}
	return true
}

func (o *Owner) removeTimer(t *timer) {
	if o == nil {
		return
	}
	o.mu.Lock()
	delete(o.timers, t)
	o.mu.Unlock()
}

// TimeoutError is the value a runaway task is interrupted with. One goroutine runs all
// JavaScript, as in Node, so while the task held it everything else queued waited.
type TimeoutError struct {
	Limit   time.Duration
	Label   string        // what ran: "GET /store/x", a subscriber, a job, a file
	Held    time.Duration // how long it had held the loop when it was interrupted
	Waiting int           // requests, events and jobs queued behind it meanwhile
}

func (e *TimeoutError) Error() string {
	who := e.Label
	if who == "" {
		who = "code"
	}
	if e.Held <= 0 {
		return fmt.Sprintf("%s ran for more than %s and was interrupted (an infinite loop?)", who, e.Limit)
	}
	msg := fmt.Sprintf("%s held the JavaScript thread for %s and was interrupted at the %s limit (an infinite loop?)", who, e.Held.Round(time.Millisecond), e.Limit)
	if e.Waiting > 0 {
		msg += fmt.Sprintf("; %d other request(s), event(s) or job(s) waited for it", e.Waiting)
	}
	return msg
}

// ErrLoopClosed is returned for work posted after the loop stopped.
var ErrLoopClosed = errors.New("jsvm: runtime is closed")

type task struct {
	fn    func()
	owner *Owner
	label string
}

type timer struct {
	id        int64
	when      time.Time
	interval  time.Duration
	fn        goja.Callable
	args      []goja.Value
	owner     *Owner
	cancelled bool
	index     int
	repeat    bool
}

type timerHeap []*timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when.Before(h[j].when) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any)        { t := x.(*timer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// loop runs tasks and timers on one goroutine, the only one that touches the VM.
type loop struct {
	vm      *goja.Runtime
	timeout time.Duration

	mu      sync.Mutex
	queue   []task
	pending atomic.Int64 // tasks posted that have not started yet
	wake    chan struct{}
	closed  bool
	stopped chan struct{}

	// Watchdog state, guarded by wdMu: the running task's deadline and owner.
	wdMu     sync.Mutex
	running  bool
	started  time.Time // when the running task (or module) got its time budget
	deadline time.Time
	current  *Owner
	curLabel string
	wdTimer  *time.Timer

	// Loop-goroutine-only state.
	timers   timerHeap
	byID     map[int64]*timer
	nextID   int64
	clock    *time.Timer
	inTask   bool
	taskOwn  *Owner
	onPanic  func(any)
	interrup func(owner *Owner, err *goja.InterruptedError)
}

func newLoop(vm *goja.Runtime, timeout time.Duration) *loop {
	l := &loop{
		vm:      vm,
		timeout: timeout,
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
		byID:    make(map[int64]*timer),
	}
	l.wdTimer = time.AfterFunc(time.Hour, l.watchdog)
	l.wdTimer.Stop()
	return l
}

// post queues fn to run on the loop; it never blocks.
func (l *loop) post(owner *Owner, label string, fn func()) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, task{fn: fn, owner: owner, label: label})
	l.pending.Add(1)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return true
}

// run is the loop goroutine's body; it returns when ctx is done or close was called.
func (l *loop) run(ctx context.Context) {
	defer close(l.stopped)
	for {
		l.mu.Lock()
		q := l.queue
		l.queue = nil
		closed := l.closed
		l.mu.Unlock()
		if closed {
			return
		}
		for i := range q {
			l.pending.Add(-1)
			l.runTask(q[i])
			q[i] = task{}
		}
		l.fireDueTimers()
		if len(q) > 0 {
			continue
		}
		var due <-chan time.Time
		if len(l.timers) > 0 {
			d := time.Until(l.timers[0].when)
			if d <= 0 {
				continue
			}
			if l.clock == nil {
				l.clock = time.NewTimer(d)
			} else {
				l.clock.Reset(d)
			}
			due = l.clock.C
		}
		select {
		case <-ctx.Done():
			l.close()
			return
		case <-l.wake:
		case <-due:
		}
		if due != nil && !l.clock.Stop() {
			select {
			case <-l.clock.C:
			default:
			}
		}
	}
}

func (l *loop) close() {
	l.mu.Lock()
	l.closed = true
	l.pending.Add(-int64(len(l.queue)))
	l.queue = nil
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// runTask runs one task under the watchdog. Promise jobs queued by the task run before it
// returns (goja drains them when the outermost call returns), so they share its deadline.
func (l *loop) runTask(t task) {
	l.begin(t.owner, t.label)
	defer l.end()
	defer func() {
		if r := recover(); r != nil {
			if ie, ok := r.(*goja.InterruptedError); ok {
				l.interrupted(t.owner, ie)
				return
			}
			if l.onPanic != nil {
				l.onPanic(r)
				return
			}
			panic(r)
		}
	}()
	t.fn()
}

func (l *loop) begin(owner *Owner, label string) {
	l.inTask = true
	l.taskOwn = owner
	l.wdMu.Lock()
	l.running = true
	l.current = owner
	l.curLabel = label
	if l.timeout > 0 {
		l.started = time.Now()
		l.deadline = l.started.Add(l.timeout)
		l.wdTimer.Reset(l.timeout)
	}
	l.wdMu.Unlock()
}

func (l *loop) end() {
	l.wdMu.Lock()
	l.running = false
	l.current = nil
	l.wdTimer.Stop()
	l.vm.ClearInterrupt()
	l.wdMu.Unlock()
	l.inTask = false
	l.taskOwn = nil
}

// resetDeadline gives the running task a fresh time budget; module evaluation calls it per
// module so that a large initial load is not mistaken for a runaway one.
func (l *loop) resetDeadline() {
	if l.timeout <= 0 {
		return
	}
	l.wdMu.Lock()
	l.started = time.Now()
	l.deadline = l.started.Add(l.timeout)
	l.wdTimer.Reset(l.timeout)
	l.wdMu.Unlock()
}

// watchdog interrupts the running task once it is past its deadline. It re-checks the
// deadline under the lock, so a late timer never interrupts the task that came after.
func (l *loop) watchdog() {
	l.wdMu.Lock()
	defer l.wdMu.Unlock()
	if !l.running {
		return
	}
	if remaining := time.Until(l.deadline); remaining > 0 {
		l.wdTimer.Reset(remaining)
		return
	}
	label := l.curLabel
	if l.current != nil && l.current.Label != "" {
		label = l.current.Label
	}
	l.vm.Interrupt(&TimeoutError{Limit: l.timeout, Label: label, Held: time.Since(l.started), Waiting: int(l.pending.Load())})
}

func (l *loop) interrupted(owner *Owner, ie *goja.InterruptedError) {
	if owner != nil && owner.OnInterrupt != nil {
		owner.OnInterrupt(ie)
	}
	if l.interrup != nil {
		l.interrup(owner, ie)
	}
}

// addTimer schedules fn; it must be called on the loop.
func (l *loop) addTimer(fn goja.Callable, delay time.Duration, repeat bool, args []goja.Value) (*timer, bool) {
	if delay < 0 {
		delay = 0
	}
	l.nextID++
	t := &timer{id: l.nextID, when: time.Now().Add(delay), interval: delay, fn: fn, args: args, owner: l.taskOwn, repeat: repeat}
	if !t.owner.addTimer(t) {
		return nil, false
	}
	l.byID[t.id] = t
	heap.Push(&l.timers, t)
	return t, true
}

func (l *loop) clearTimer(id int64) {
	t, ok := l.byID[id]
	if !ok {
		return
	}
	t.cancelled = true
	delete(l.byID, id)
	if t.index >= 0 {
		heap.Remove(&l.timers, t.index)
	}
	t.owner.removeTimer(t)
}

func (l *loop) fireDueTimers() {
	now := time.Now()
	for len(l.timers) > 0 && !l.timers[0].when.After(now) {
		t := heap.Pop(&l.timers).(*timer)
		if t.cancelled {
			delete(l.byID, t.id)
			t.owner.removeTimer(t)
			continue
		}
		if t.repeat {
			t.when = now.Add(max(t.interval, time.Millisecond))
			heap.Push(&l.timers, t)
		} else {
			delete(l.byID, t.id)
			t.owner.removeTimer(t)
		}
		tt := t
		l.runTask(task{owner: tt.owner, label: "timer", fn: func() {
			if _, err := tt.fn(goja.Undefined(), tt.args...); err != nil {
				l.reportUncaught(tt.owner, err)
			}
		}})
	}
}

// reportUncaught routes an error nobody caught (a throwing timer callback) to the runtime.
func (l *loop) reportUncaught(owner *Owner, err error) {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		l.interrupted(owner, ie)
		return
	}
	if l.onPanic != nil {
		l.onPanic(uncaught{owner: owner, err: err})
	}
}

type uncaught struct {
	owner *Owner
	err   error
}
