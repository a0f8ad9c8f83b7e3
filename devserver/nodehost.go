package devserver

import (
	"os/exec"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/project"
)

// nodeHost is what the node runtime sees of its Supervisor (node.Supervisor): a narrow view,
// so that the runtime reaches no supervisor state but through it.
type nodeHost struct{ s *Supervisor }

var _ node.Supervisor = nodeHost{}

func (h nodeHost) Logf(format string, args ...any) { h.s.logf(format, args...) }
func (h nodeHost) Prefix() string                  { return h.s.prefix }

func (h nodeHost) StartChild(cmd *exec.Cmd, t *child.Transport, addr, label string) (*child.Process, error) {
	return h.s.startChild(cmd, t, addr, label)
}

func (h nodeHost) Retire(c *child.Process) { h.s.retire(c) }

func (h nodeHost) Await(c *child.Process, m ipc.Envelope, answers func(ipc.Envelope) bool) (ipc.Envelope, error) {
	return h.s.await(c, m, answers)
}

func (h nodeHost) Current() *child.Process         { return h.s.current.Load() }
func (h nodeHost) Env() map[string]string          { return h.s.env }
func (h nodeHost) BaseEnv() map[string]string      { return h.s.baseEnv() }
func (h nodeHost) Config() *project.Config         { return h.s.cfg }
func (h nodeHost) HMR() bool                       { return h.s.hmr }
func (h nodeHost) LaunchReason(err error) string   { return h.s.launchReason(err) }
func (h nodeHost) RuntimeError(e ipc.RuntimeError) { h.s.emit(Event{Runtime: &e}) }

func (h nodeHost) BatchSince() time.Time {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.batchSince
}

// SetProcesses records the runtime's processes in the status and tells the listeners.
func (h nodeHost) SetProcesses(ps []node.Process) {
	s := h.s
	s.mu.Lock()
	s.status.Processes = ps
	snap := s.status
	s.mu.Unlock()
	s.emit(Event{Status: &snap})
}
