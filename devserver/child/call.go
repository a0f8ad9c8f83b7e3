package child

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
)

// ErrNoAnswer is returned (wrapped) by Await when the process did not answer in
// time; it has been killed.
var ErrNoAnswer = errors.New("the dev server did not answer")

// Await sends m and waits for the first message on p.Msgs that answers it. A process that
// exits is an error; one that does not answer within timeout is killed, and the error wraps
// ErrNoAnswer. The caller restarts it. sent, when not nil, runs once m is sent, before the
// wait.
func (p *Process) Await(m ipc.Envelope, answers func(ipc.Envelope) bool, timeout time.Duration, sent func()) (ipc.Envelope, error) {
	if err := p.Conn.Send(m); err != nil {
		return ipc.Envelope{}, fmt.Errorf("the dev server is not reachable: %w", err)
	}
	if sent != nil {
		sent()
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case r, ok := <-p.Msgs:
			if !ok {
				<-p.Exited
				return ipc.Envelope{}, fmt.Errorf("the dev server exited (%v)", p.Err)
			}
			if answers(r) {
				return r, nil
			}
		case <-timer.C:
			_ = Kill(p.PID)
			<-p.Exited
			return ipc.Envelope{}, fmt.Errorf("%w within %s", ErrNoAnswer, timeout)
		}
	}
}

// Call runs a command in p (emit an event, run a job) and waits for its answer, the
// command-result with the same id.
func (p *Process) Call(ctx context.Context, name ipc.Command, args any) (json.RawMessage, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	id := p.nextID.Add(1)
	reply := make(chan ipc.Envelope, 1)
	p.mu.Lock()
	p.pending[id] = reply
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
	}()
	if err := p.Conn.Send(ipc.Envelope{Type: ipc.TypeCommand, ID: id, Name: name, Args: raw}); err != nil {
		return nil, fmt.Errorf("the dev server is not reachable: %w", err)
	}
	select {
	case m := <-reply:
		if m.Error != "" {
			return nil, errors.New(m.Error)
		}
		return m.Data, nil
	case <-p.Exited:
		return nil, errors.New("the dev server exited")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
