package node

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
)

// typeNodeEvent is the helper's report of its event bus's queue (devserver/node/js/node-helper.js
// installEventHooks): events a process queued in Redis, and events a worker took and handled.
const typeNodeEvent = "medusa-ls:event"

// unconsumedAfter is how long a queued event may wait for a worker before it is a warning.
const unconsumedAfter = 5 * time.Second

// eventReport is one typeNodeEvent message's data.
type eventReport struct {
	Phase    string                  `json:"phase"` // queued, active, done, failed
	Events   []queuedRef             `json:"events"`
	ID       string                  `json:"id"`
	Name     string                  `json:"name"`
	Outcomes []ipc.SubscriberOutcome `json:"outcomes"`
	Error    string                  `json:"error"`
}

type queuedRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// eventOutcome is how a worker handled one queued event.
type eventOutcome struct {
	process  string
	outcomes []ipc.SubscriberOutcome
	err      string
	at       time.Time
}

type queuedEvent struct {
	name  string
	by    string // the process that queued it
	at    time.Time
	taken string // the worker that took it, once one has
}

// eventTracker follows the events of the topology's queue from the processes' reports: which
// worker took and handled each, and which wait with no worker taking them (warned about once
// per event name every unconsumedAfter·6).
type eventTracker struct {
	r      *Runtime
	mu     sync.Mutex
	queued map[string]*queuedEvent
	done   map[string]eventOutcome // handled lately, for emit's callers that ask after the fact
	wait   map[string][]chan eventOutcome
	warned map[string]time.Time // event name → last warning
	ticker bool
	closed chan struct{} // closed when the runtime stops: the watch ends
	once   sync.Once
}

// close ends the watch, if one runs; the runtime stopped.
func (t *eventTracker) close() { t.once.Do(func() { close(t.closed) }) }

func newEventTracker(r *Runtime) *eventTracker {
	return &eventTracker{r: r, queued: map[string]*queuedEvent{}, done: map[string]eventOutcome{},
		wait: map[string][]chan eventOutcome{}, warned: map[string]time.Time{}, closed: make(chan struct{})}
}

// maxTracked bounds the events followed at once; the oldest are dropped beyond it.
const maxTracked = 100_000

func (t *eventTracker) observe(c *child.Process, raw json.RawMessage) {
	var rep eventReport
	if json.Unmarshal(raw, &rep) != nil {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	switch rep.Phase {
	case "queued":
		for _, e := range rep.Events {
			if _, handled := t.done[e.ID]; handled {
				continue // a fast worker reported it first
			}
			t.queued[e.ID] = &queuedEvent{name: e.Name, by: c.Name, at: now}
		}
		if len(t.queued) > maxTracked {
			t.dropOldest(len(t.queued) - maxTracked)
		}
		if !t.ticker && len(t.queued) > 0 {
			t.ticker = true
			go t.watch()
		}
	case "active":
		if q := t.queued[rep.ID]; q != nil {
			q.taken = c.Name
		}
	case "done", "failed":
		delete(t.queued, rep.ID)
		o := eventOutcome{process: c.Name, outcomes: rep.Outcomes, err: rep.Error, at: now}
		for _, ch := range t.wait[rep.ID] {
			ch <- o
		}
		delete(t.wait, rep.ID)
		t.done[rep.ID] = o
		for id, d := range t.done {
			if now.Sub(d.at) > time.Minute {
				delete(t.done, id)
			}
		}
	}
}

func (t *eventTracker) dropOldest(n int) {
	ids := make([]string, 0, len(t.queued))
	for id := range t.queued {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return t.queued[ids[i]].at.Before(t.queued[ids[j]].at) })
	for _, id := range ids[:n] {
		delete(t.queued, id)
	}
}

// watch warns about events that wait with no worker taking them, while any are queued.
func (t *eventTracker) watch() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-t.closed:
			return
		case <-tick.C:
		}
		now := time.Now()
		t.mu.Lock()
		if len(t.queued) == 0 {
			t.ticker = false
			t.mu.Unlock()
			return
		}
		waiting := map[string]int{}
		for _, q := range t.queued {
			if q.taken == "" && now.Sub(q.at) >= unconsumedAfter {
				waiting[q.name]++
			}
		}
		var names []string
		for name := range waiting {
			if now.Sub(t.warned[name]) >= 6*unconsumedAfter {
				t.warned[name] = now
				names = append(names, name)
			}
		}
		t.mu.Unlock()
		sort.Strings(names)
		for _, name := range names {
			t.warn(name, waiting[name])
		}
	}
}

func (t *eventTracker) warn(name string, n int) {
	what := fmt.Sprintf("event %s", name)
	if n > 1 {
		what = fmt.Sprintf("%d %s events", n, name)
	}
	t.r.sup.Logf("%s warn: %s queued in Redis %s ago or more not taken by any worker: %s", t.r.sup.Prefix(), what, unconsumedAfter, t.r.idleReason())
}

// idleReason says why queued events may wait: no worker runs, or what the workers are doing.
func (r *Runtime) idleReason() string {
	set := r.workersOf(r.sup.Current())
	if set == nil {
		return "no worker is running"
	}
	if len(set.readyWorkers()) == 0 {
		return "no worker is ready (" + set.summary() + ")"
	}
	return "the workers (" + set.summary() + ") are busy with earlier events (Medusa's event bus worker takes one at a time unless workerOptions.concurrency says otherwise) or cannot reach Redis"
}

// await returns how a worker handled the queued event id, waiting until ctx ends.
func (t *eventTracker) await(ctx context.Context, id string) (eventOutcome, error) {
	t.mu.Lock()
	if o, ok := t.done[id]; ok {
		t.mu.Unlock()
		return o, nil
	}
	ch := make(chan eventOutcome, 1)
	t.wait[id] = append(t.wait[id], ch)
	t.mu.Unlock()
	select {
	case o := <-ch:
		return o, nil
	case <-ctx.Done():
		t.mu.Lock()
		list := t.wait[id]
		for i, c := range list {
			if c == ch {
				t.wait[id] = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(t.wait[id]) == 0 {
			delete(t.wait, id)
		}
		t.mu.Unlock()
		return eventOutcome{}, ctx.Err()
	}
}

// emitHandledWithin is how long emit waits for a worker to handle the event it queued.
const emitHandledWithin = 25 * time.Second

// emitInTopology emits through the server's event bus (which queues the event in Redis) and
// waits for the worker that takes it, reporting each subscriber's outcome and the worker.
func (r *Runtime) emitInTopology(ctx context.Context, server *child.Process, args any) (json.RawMessage, error) {
	if !server.HasHelper() {
		return nil, fmt.Errorf("%s needs the medusa-ls helper in Node, which did not load (see the output)", ipc.CmdEmitEvent)
	}
	raw, err := server.Call(ctx, ipc.CmdEmitEvent, args)
	if err != nil {
		return nil, err
	}
	var res struct {
		ipc.EmitResult
		Jobs []string `json:"jobs"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("the helper's emit answer: %w", err)
	}
	out := res.EmitResult
	if len(res.Jobs) == 0 {
		return json.Marshal(out) // no subscriber: Medusa's Redis bus queues nothing
	}
	wctx, cancel := context.WithTimeout(ctx, emitHandledWithin)
	defer cancel()
	out.Outcomes = []ipc.SubscriberOutcome{}
	for _, id := range res.Jobs {
		o, err := r.events.await(wctx, id)
		if err != nil {
			return nil, fmt.Errorf("emitted %s (queued in Redis as job %s), but no worker handled it within %s: %s", out.Name, id, emitHandledWithin, r.idleReason())
		}
		if o.err != "" && len(o.outcomes) == 0 {
			out.Outcomes = append(out.Outcomes, ipc.SubscriberOutcome{ID: "(event bus)", Process: o.process, Error: o.err})
			continue
		}
		for _, so := range o.outcomes {
			so.Process = o.process
			out.Outcomes = append(out.Outcomes, so)
		}
	}
	sort.SliceStable(out.Outcomes, func(i, j int) bool { return strings.Compare(out.Outcomes[i].ID, out.Outcomes[j].ID) < 0 })
	// The subscribers that ran are the worker's: ids Medusa generates ("*-<ulid>" for an
	// anonymous wildcard subscriber) differ from one process to the next.
	out.Subscribers = out.Subscribers[:0]
	for _, o := range out.Outcomes {
		out.Subscribers = append(out.Subscribers, o.ID)
	}
	return json.Marshal(out)
}
