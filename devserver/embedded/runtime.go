package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/dotenv"
)

// Runtime runs `medusa-ls start` children: the project in the embedded runtime, on the
// listening socket the supervisor passes them, driven by our extended IPC messages.
type Runtime struct {
	sup   Supervisor
	opts  RuntimeOptions
	ln    net.Listener // the user's port (Serve)
	lfile *os.File     // a descriptor of it, passed to every child
	trace bool         // MEDUSA_LS_TRACE=1: log where each reload's time goes (README, Performance)
	down  downServer   // answers while no child does
}

// RuntimeOptions configure the children a Runtime starts.
type RuntimeOptions struct {
	Root           string
	Exe            string // the medusa-ls binary
	Host           string
	TaskTimeout    time.Duration
	RequestTimeout time.Duration
	ReadyTimeout   time.Duration // longest wait for a new child to load
}

// Supervisor is what the runtime needs from the supervisor that owns it (devserver.Supervisor).
type Supervisor interface {
	Logf(format string, args ...any)
	Prefix() string // starts the runtime's log lines: "[HMR]" or "[Watcher]"
	// StartChild starts cmd with t attached, its output going to the terminal and listeners.
	StartChild(cmd *exec.Cmd, t *child.Transport, addr, label string) (*child.Process, error)
	// Retire stops c gracefully (Runtime.StopAccepting, then its exit).
	Retire(c *child.Process)
	// Await sends m to c and waits for its answer (child.Process.Await, ReloadTimeout).
	Await(c *child.Process, m ipc.Envelope, answers func(ipc.Envelope) bool) (ipc.Envelope, error)
	BaseEnv() map[string]string // a child's environment, before the runtime's own variables
	BatchSince() time.Time      // when the first change of the batch in hand was seen (trace)
	// RuntimeError reports a handler, subscriber or job that failed after loading.
	RuntimeError(e ipc.RuntimeError)
}

// NewRuntime returns a runtime that starts nothing until Launch.
func NewRuntime(opts RuntimeOptions, sup Supervisor) *Runtime {
	return &Runtime{sup: sup, opts: opts, trace: os.Getenv("MEDUSA_LS_TRACE") == "1"}
}

// Serve keeps a descriptor of the listener to hand to children: they accept on it themselves.
func (r *Runtime) Serve(ln net.Listener) (func(), error) {
	f, err := child.ListenerFile(ln)
	if err != nil {
		return nil, err
	}
	r.ln, r.lfile = ln, f
	return func() {
		if f != nil {
			f.Close()
		}
	}, nil
}

// Name is devserver.RuntimeEmbedded.
func (r *Runtime) Name() string { return "embedded" }

// Describe says what runs the project, for the log.
func (r *Runtime) Describe() string {
	return "embedded (esbuild + goja; no Node, no database)"
}

// NodeEnv is the NODE_ENV the project runs with, given its environment (.env applied): the
// child's own (project.Environment makes it development when unset).
func (r *Runtime) NodeEnv(env map[string]string) string { return env["NODE_ENV"] }

// spawn starts a child on the shared listener.
func (r *Runtime) spawn() (*child.Process, error) {
	t, err := child.NewTransport()
	if err != nil {
		return nil, err
	}
	args := []string{"start", r.opts.Root, "--runtime", "embedded",
		"--timeout", r.opts.TaskTimeout.String(),
		"--request-timeout", r.opts.RequestTimeout.String(),
		"--host", r.opts.Host,
	}
	if r.ln != nil {
		args = append(args, "--port", fmt.Sprint(listenerPort(r.ln)))
	}
	cmd := exec.Command(r.opts.Exe, args...)
	cmd.Dir = r.opts.Root
	cmd.Env = append(dotenv.Lines(r.sup.BaseEnv()), child.EnvChild+"=1")
	t.Attach(cmd, r.lfile)
	c, err := r.sup.StartChild(cmd, t, "", "")
	if r.ln != nil {
		child.KeepNonblocking(r.ln) // starting it made the shared socket blocking
	}
	if err != nil {
		return nil, fmt.Errorf("starting the dev server child (%s): %w", r.opts.Exe, err)
	}
	go r.read(c)
	return c, nil
}

func listenerPort(l net.Listener) int {
	if a, ok := l.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// read delivers the child's messages; runtime errors go straight to listeners.
func (r *Runtime) read(c *child.Process) {
	c.Receive(func(m ipc.Envelope) bool {
		if m.Type != ipc.TypeRuntimeError {
			return false
		}
		r.sup.RuntimeError(ipc.RuntimeError{Method: m.Method, Path: m.Path, Status: m.Status, What: m.What, Problems: m.Errors})
		return true
	}, func(err error) { r.sup.Logf("%s %v", r.sup.Prefix(), err) })
}

// resultOf unpacks a result or ready message.
func resultOf(m ipc.Envelope) ipc.Result { return m.Result() }

// Launch starts a child and waits until it serves.
func (r *Runtime) Launch(ctx context.Context) (*child.Process, ipc.Result, error) {
	c, err := r.spawn()
	if err != nil {
		return nil, ipc.Result{}, err
	}
	timer := time.NewTimer(r.opts.ReadyTimeout)
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
			return nil, ipc.Result{}, fmt.Errorf("the dev server did not start within %s%s", r.opts.ReadyTimeout, child.IndentTail(c.LastOutput()))
		case <-ctx.Done():
			r.sup.Retire(c)
			return nil, ipc.Result{}, ctx.Err()
		}
	}
}

// StopAccepting asks c to stop taking requests and waits until it says it has (or exited), so
// that every later request reaches its successor.
func (r *Runtime) StopAccepting(c *child.Process) {
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

// Reload sends one batch and returns the child's result. An error means the child is gone or
// did not answer; the supervisor restarts it.
func (r *Runtime) Reload(ctx context.Context, c *child.Process, id int64, batch []ipc.Change, all bool) (ipc.Result, error) {
	msg := ipc.Reload(id, r.opts.Root, batch)
	if all {
		msg = ipc.Envelope{Type: ipc.TypeReloadAll, ID: id}
	}
	sent := time.Now()
	reply, err := r.sup.Await(c, msg, func(m ipc.Envelope) bool { return m.Type == ipc.TypeResult && m.ID == msg.ID })
	if err != nil {
		return ipc.Result{}, err
	}
	res := resultOf(reply)
	if r.trace && res.Trace != nil {
		r.logTrace(r.sup.BatchSince(), sent, time.Now(), batch, res.Trace)
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

func (r *Runtime) logTrace(enqueued, sent, replied time.Time, batch []ipc.Change, t *ipc.Trace) {
	l := traceLine{EnqueuedNs: enqueued.UnixNano(), SentNs: sent.UnixNano(), BeganNs: t.BeganNs, SwappedNs: t.SwappedNs, RepliedNs: replied.UnixNano(), Hops: t.Hops}
	for _, c := range batch {
		l.Files = append(l.Files, c.File)
	}
	b, _ := json.Marshal(l)
	r.sup.Logf("%s %s%s", r.sup.Prefix(), TracePrefix, b)
}

// Activate has nothing to do: children share the listening socket.
func (r *Runtime) Activate(*child.Process) {}

// Call runs a command in the child over IPC.
func (r *Runtime) Call(ctx context.Context, c *child.Process, name ipc.Command, args any) (json.RawMessage, error) {
	return c.Call(ctx, name, args)
}
