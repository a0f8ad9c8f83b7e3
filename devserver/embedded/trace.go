package embedded

import (
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
)

// tracer times the stages of one reload for Result.Trace. A nil tracer does nothing, so the
// reload path calls it unconditionally.
type tracer struct {
	trace *ipc.Trace
	last  time.Time
}

func newTracer(on bool, began time.Time) *tracer {
	if !on {
		return nil
	}
	return &tracer{trace: &ipc.Trace{BeganNs: began.UnixNano()}, last: began}
}

// hop ends the current stage, naming it.
func (t *tracer) hop(name string) {
	if t == nil {
		return
	}
	now := time.Now()
	t.trace.Hops = append(t.trace.Hops, ipc.Hop{Name: name, Ms: report.Ms(now.Sub(t.last))})
	t.last = now
}

// swapped records that the new generation went live now.
func (t *tracer) swapped() {
	if t != nil {
		t.trace.SwappedNs = time.Now().UnixNano()
	}
}

func (t *tracer) result() *ipc.Trace {
	if t == nil {
		return nil
	}
	return t.trace
}
