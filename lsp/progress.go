package lsp

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
)

// Work-done progress for reloads, restarts and starts, when the client supports it.

func (sess *session) progressFor(prev, next devserver.State) {
	switch next {
	case devserver.StateReloading:
		// Most reloads take a few milliseconds; a progress item would only flicker.
		sess.prog.begin("Medusa: reloading", 150*time.Millisecond)
	case devserver.StateRestarting:
		sess.prog.begin("Medusa: restarting the dev server", 0)
	case devserver.StateStarting:
		sess.prog.begin("Medusa: starting the dev server", 0)
	default:
		if prev != next {
			sess.prog.end(string(next))
		}
	}
}

// progress reports long operations with work-done progress, when the client supports it: the
// token is created first, and begin is sent only once the client acknowledged it.
type progress struct {
	s   *Server
	mu  sync.Mutex
	op  *progressOp
	seq int
}

type progressOp struct {
	done    chan struct{}
	message string
}

func (p *progress) begin(title string, delay time.Duration) {
	if !p.s.caps.workDoneProgress {
		return
	}
	p.mu.Lock()
	if p.op != nil {
		p.mu.Unlock()
		return
	}
	p.seq++
	op := &progressOp{done: make(chan struct{})}
	p.op = op
	token := protocol.NewProgressToken(fmt.Sprintf("medusa-ls-%d-%d", os.Getpid(), p.seq))
	p.mu.Unlock()
	p.s.goBackground(func() {
		if delay > 0 {
			select {
			case <-op.done:
				return
			case <-time.After(delay):
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.s.call(ctx, protocol.MethodWorkDoneProgressCreate, &protocol.WorkDoneProgressCreateParams{Token: *token}, nil); err != nil {
			return
		}
		_ = p.s.notify(protocol.MethodProgress, &protocol.ProgressParams{Token: *token, Value: &protocol.WorkDoneProgressBegin{Kind: protocol.WorkDoneProgressKindBegin, Title: title}})
		select {
		case <-op.done:
		case <-time.After(10 * time.Minute):
		}
		_ = p.s.notify(protocol.MethodProgress, &protocol.ProgressParams{Token: *token, Value: &protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: op.message}})
	})
}

func (p *progress) end(message string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.op != nil {
		p.op.message = message
		close(p.op.done)
		p.op = nil
	}
}
