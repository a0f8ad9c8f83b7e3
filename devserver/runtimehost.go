package devserver

import (
	"errors"
	"os/exec"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/embedded"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/project"
)

// runtimeHost is what a runtime sees of its Supervisor (node.Supervisor, embedded.Supervisor):
// a narrow view, so that a runtime reaches no supervisor state but through it.
type runtimeHost struct{ s *Supervisor }

var (
	_ node.Supervisor     = runtimeHost{}
	_ embedded.Supervisor = runtimeHost{}
)

func (h runtimeHost) Logf(format string, args ...any) { h.s.logf(format, args...) }
func (h runtimeHost) Prefix() string                  { return h.s.prefix }

func (h runtimeHost) StartChild(cmd *exec.Cmd, t *child.Transport, addr, label string) (*child.Process, error) {
	return h.s.startChild(cmd, t, addr, label)
}

func (h runtimeHost) Retire(c *child.Process) { h.s.retire(c) }

func (h runtimeHost) Await(c *child.Process, m ipc.Envelope, answers func(ipc.Envelope) bool) (ipc.Envelope, error) {
	return h.s.await(c, m, answers)
}

func (h runtimeHost) Current() *child.Process         { return h.s.current.Load() }
func (h runtimeHost) Env() map[string]string          { return h.s.env }
func (h runtimeHost) BaseEnv() map[string]string      { return h.s.baseEnv() }
func (h runtimeHost) Config() *project.Config         { return h.s.cfg }
func (h runtimeHost) HMR() bool                       { return h.s.hmr }
func (h runtimeHost) LaunchReason(err error) string   { return h.s.launchReason(err) }
func (h runtimeHost) RuntimeError(e ipc.RuntimeError) { h.s.emit(Event{Runtime: &e}) }

func (h runtimeHost) BatchSince() time.Time {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.batchSince
}

// SetProcesses records the runtime's processes in the status and tells the listeners.
func (h runtimeHost) SetProcesses(ps []node.Process) {
	s := h.s
	s.mu.Lock()
	s.status.Processes = ps
	snap := s.status
	s.mu.Unlock()
	s.emit(Event{Status: &snap})
}

// await sends m to c and waits for the message that answers it (child.Process.Await), and
// says in the log when c had to be killed for not answering within ReloadTimeout.
func (s *Supervisor) await(c *child.Process, m ipc.Envelope, answers func(ipc.Envelope) bool) (ipc.Envelope, error) {
	r, err := c.Await(m, answers, s.opts.ReloadTimeout, s.announceReloading)
	if errors.Is(err, child.ErrNoAnswer) {
		s.logf("%s %v; killed it", s.prefix, err)
	}
	return r, err
}
