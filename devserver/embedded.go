package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/dotenv"
)

// embeddedRuntime runs `medusa-ls start` children: the project in the embedded runtime, on the
// listening socket the supervisor passes them, driven by our extended IPC messages.
type embeddedRuntime struct {
	s     *Supervisor
	lfile *os.File // the listening socket, passed to every child
	trace bool     // MEDUSA_LS_TRACE=1: log where each reload's time goes (README, Performance)
}

// serve keeps a descriptor of the listener to hand to children: they accept on it themselves.
func (r *embeddedRuntime) Serve(ln net.Listener) (func(), error) {
	f, err := child.ListenerFile(ln)
	if err != nil {
		return nil, err
	}
	r.lfile = f
	return func() {
		if f != nil {
			f.Close()
		}
	}, nil
}

func (r *embeddedRuntime) Name() string { return RuntimeEmbedded }

func (r *embeddedRuntime) Describe() string {
	return "embedded (esbuild + goja; no Node, no database)"
}

// spawn starts a child on the shared listener.
func (r *embeddedRuntime) spawn() (*child.Process, error) {
	s := r.s
	t, err := child.NewTransport()
	if err != nil {
		return nil, err
	}
	args := []string{"start", s.root, "--runtime", RuntimeEmbedded,
		"--timeout", s.opts.TaskTimeout.String(),
		"--request-timeout", s.opts.RequestTimeout.String(),
		"--host", s.opts.Host,
	}
	if s.listener != nil {
		args = append(args, "--port", fmt.Sprint(listenerPort(s.listener)))
	}
	cmd := exec.Command(s.opts.Exe, args...)
	cmd.Dir = s.root
	cmd.Env = append(dotenv.Lines(s.baseEnv()), child.EnvChild+"=1")
	t.Attach(cmd, r.lfile)
	c, err := s.startChild(cmd, t, "", "")
	if s.listener != nil {
		child.KeepNonblocking(s.listener) // starting it made the shared socket blocking
	}
	if err != nil {
		return nil, fmt.Errorf("starting the dev server child (%s): %w", s.opts.Exe, err)
	}
	go s.readChild(c)
	return c, nil
}

func listenerPort(l net.Listener) int {
	if a, ok := l.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// readChild delivers the child's messages; runtime errors go straight to listeners.
func (s *Supervisor) readChild(c *child.Process) {
	c.Receive(func(m ipc.Envelope) bool {
		if m.Type != ipc.TypeRuntimeError {
			return false
		}
		s.emit(Event{Runtime: &ipc.RuntimeError{Method: m.Method, Path: m.Path, Status: m.Status, What: m.What, Problems: m.Errors}})
		return true
	}, func(err error) { s.logf("%s %v", s.prefix, err) })
}

// resultOf unpacks a result or ready message.
func resultOf(m ipc.Envelope) ipc.Result { return m.Result() }

// launch starts a child and waits until it serves.
func (r *embeddedRuntime) Launch(ctx context.Context) (*child.Process, ipc.Result, error) {
	s := r.s
	c, err := r.spawn()
	if err != nil {
		return nil, ipc.Result{}, err
	}
	timer := time.NewTimer(s.opts.ReadyTimeout)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.Msgs:
			if !ok {
				<-c.Exited
				return nil, ipc.Result{}, fmt.Errorf("the dev server exited while starting (%v)%s", c.Err, child.IndentTail(c.LastOutput()))
			}
			if m.Type == ipc.TypeReady {
				r := resultOf(m)
				c.Problems = r.Problems
				return c, r, nil
			}
		case <-timer.C:
			_ = child.Kill(c.PID)
			<-c.Exited
			return nil, ipc.Result{}, fmt.Errorf("the dev server did not start within %s%s", s.opts.ReadyTimeout, child.IndentTail(c.LastOutput()))
		case <-ctx.Done():
			s.retire(c)
			return nil, ipc.Result{}, ctx.Err()
		}
	}
}

// await sends m to c and waits for the message that answers it (child.Process.Await), and
// says in the log when c had to be killed for not answering within ReloadTimeout.
func (s *Supervisor) await(c *child.Process, m ipc.Envelope, answers func(ipc.Envelope) bool) (ipc.Envelope, error) {
	r, err := c.Await(m, answers, s.opts.ReloadTimeout)
	if errors.Is(err, child.ErrNoAnswer) {
		s.logf("%s %v; killed it", s.prefix, err)
	}
	return r, err
}

// stopAccepting asks c to stop taking requests and waits until it says it has (or exited), so
// that every later request reaches its successor.
func (r *embeddedRuntime) StopAccepting(c *child.Process) {
	if err := c.Conn.Send(ipc.Envelope{Type: ipc.TypeShutdown}); err != nil {
		_ = child.Kill(c.PID)
		return
	}
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.Msgs:
			if !ok {
				return
			}
			if m.Type == ipc.TypeDraining {
				return
			}
		case <-c.Exited:
			return
		case <-timer.C:
			_ = child.Kill(c.PID)
			return
		}
	}
}

// reload sends one batch and returns the child's result. An error means the child is gone or
// did not answer; the supervisor restarts it.
func (r *embeddedRuntime) Reload(ctx context.Context, c *child.Process, id int64, batch []ipc.Change, all bool) (ipc.Result, error) {
	msg := ipc.Reload(id, r.s.root, batch)
	if all {
		msg = ipc.Envelope{Type: ipc.TypeReloadAll, ID: id}
	}
	sent := time.Now()
	reply, err := r.s.await(c, msg, func(m ipc.Envelope) bool { return m.Type == ipc.TypeResult && m.ID == msg.ID })
	if err != nil {
		return ipc.Result{}, err
	}
	res := resultOf(reply)
	if r.trace && res.Trace != nil {
		r.s.mu.Lock()
		since := r.s.batchSince
		r.s.mu.Unlock()
		r.logTrace(since, sent, time.Now(), batch, res.Trace)
	}
	return res, nil
}

// traceLine is what MEDUSA_LS_TRACE=1 logs for each reload of the embedded runtime, after
// "trace: embedded reload ": times in Unix nanoseconds, the child's stages in milliseconds.
// The bench's -hops mode reads it.
type traceLine struct {
	Files      []string  `json:"files"`
	EnqueuedNs int64     `json:"enqueuedNs"` // the supervisor was told of the first file
	SentNs     int64     `json:"sentNs"`     // the batch was read, hashed and sent to the child
	BeganNs    int64     `json:"beganNs"`    // the child began the reload
	SwappedNs  int64     `json:"swappedNs"`  // its new generation went live (0: none did)
	RepliedNs  int64     `json:"repliedNs"`  // the supervisor had the result
	Hops       []ipc.Hop `json:"hops"`       // the child's stages
}

// TracePrefix starts the line MEDUSA_LS_TRACE=1 logs for each embedded reload.
const TracePrefix = "trace: embedded reload "

func (r *embeddedRuntime) logTrace(enqueued, sent, replied time.Time, batch []ipc.Change, t *ipc.Trace) {
	l := traceLine{EnqueuedNs: enqueued.UnixNano(), SentNs: sent.UnixNano(), BeganNs: t.BeganNs, SwappedNs: t.SwappedNs, RepliedNs: replied.UnixNano(), Hops: t.Hops}
	for _, c := range batch {
		l.Files = append(l.Files, c.File)
	}
	b, _ := json.Marshal(l)
	r.s.logf("%s %s%s", r.s.prefix, TracePrefix, b)
}

// activate has nothing to do: children share the listening socket.
func (r *embeddedRuntime) Activate(*child.Process) {}

// call runs a command in the child over IPC.
func (r *embeddedRuntime) Call(ctx context.Context, c *child.Process, name ipc.Command, args any) (json.RawMessage, error) {
	return c.Call(ctx, name, args)
}
