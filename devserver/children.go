package devserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/host"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/project"
)

// child is one running `medusa-ls start`.
type child struct {
	cmd    *exec.Cmd
	pid    int
	conn   *ipc.Conn
	msgs   chan ipc.Envelope
	exited chan struct{}
	err    error // exit status, valid after exited is closed

	mu       sync.Mutex
	tail     []string // last lines of output, for "it died at boot" reports
	problems []diag.Diagnostic
	pending  map[int64]chan ipc.Envelope // command calls waiting for their answer
}

func (c *child) alive() bool {
	if c == nil {
		return false
	}
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

func (c *child) lastOutput() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

// spawn starts a child on the shared listener.
func (s *Supervisor) spawn() (*child, error) {
	t, err := newTransport()
	if err != nil {
		return nil, err
	}
	args := []string{"start", s.root,
		"--timeout", s.opts.TaskTimeout.String(),
		"--request-timeout", s.opts.RequestTimeout.String(),
		"--host", s.opts.Host,
	}
	if s.listener != nil {
		args = append(args, "--port", fmt.Sprint(listenerPort(s.listener)))
	}
	cmd := exec.Command(s.opts.Exe, args...)
	cmd.Dir = s.root
	base := dotenv.Environ(os.Environ())
	for k, v := range s.opts.Env {
		base[k] = v
	}
	cmd.Env = append(dotenv.Lines(base), EnvChild+"=1")
	out, outW, err := os.Pipe()
	if err != nil {
		t.close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, outW
	t.attach(cmd, s.lfile)
	if err := cmd.Start(); err != nil {
		t.close()
		out.Close()
		outW.Close()
		return nil, fmt.Errorf("starting the dev server child (%s): %w", s.opts.Exe, err)
	}
	outW.Close()
	t.afterStart()
	c := &child{cmd: cmd, pid: cmd.Process.Pid, msgs: make(chan ipc.Envelope, 16), exited: make(chan struct{}), pending: map[int64]chan ipc.Envelope{}}
	go s.pipeOutput(c, out)
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	nc, err := t.parentConn()
	if err != nil {
		_ = kill(c.pid)
		return nil, err
	}
	c.conn = ipc.NewConn(nc)
	go s.readChild(c)
	return c, nil
}

func listenerPort(l net.Listener) int {
	if a, ok := l.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// pipeOutput copies the child's output to the terminal and to listeners, line by line.
func (s *Supervisor) pipeOutput(c *child, r io.ReadCloser) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		c.mu.Lock()
		c.tail = append(c.tail, line)
		if len(c.tail) > 20 {
			c.tail = c.tail[len(c.tail)-20:]
		}
		c.mu.Unlock()
		fmt.Fprintln(s.opts.Output, line)
		s.emit(Event{Log: line})
	}
}

// readChild delivers the child's messages; runtime errors go straight to listeners.
func (s *Supervisor) readChild(c *child) {
	defer close(c.msgs)
	for {
		m, err := c.conn.Receive()
		var de *ipc.DecodeError
		if errors.As(err, &de) {
			s.logf("%s %v", s.prefix, err)
			continue
		}
		if err != nil {
			return
		}
		if m.Type == ipc.TypeCommandDone {
			c.mu.Lock()
			ch := c.pending[m.ID]
			delete(c.pending, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		if m.Type == ipc.TypeRuntimeError {
			s.emit(Event{Runtime: &RuntimeError{Method: m.Method, Path: m.Path, Status: m.Status, What: m.What, Problems: m.Errors}})
			continue
		}
		select {
		case c.msgs <- m:
		case <-c.exited:
			return
		}
	}
}

// resultOf unpacks a result or ready message.
func resultOf(m ipc.Envelope) host.Result { return m.Result() }

// launch starts a child and waits until it serves.
func (s *Supervisor) launch(ctx context.Context) (*child, host.Result, error) {
	c, err := s.spawn()
	if err != nil {
		return nil, host.Result{}, err
	}
	timer := time.NewTimer(s.opts.ReadyTimeout)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				<-c.exited
				return nil, host.Result{}, fmt.Errorf("the dev server exited while starting (%v)%s", c.err, indentTail(c.lastOutput()))
			}
			if m.Type == ipc.TypeReady {
				r := resultOf(m)
				c.problems = r.Problems
				return c, r, nil
			}
		case <-timer.C:
			_ = kill(c.pid)
			<-c.exited
			return nil, host.Result{}, fmt.Errorf("the dev server did not start within %s%s", s.opts.ReadyTimeout, indentTail(c.lastOutput()))
		case <-ctx.Done():
			s.retire(c)
			return nil, host.Result{}, ctx.Err()
		}
	}
}

func indentTail(s string) string {
	if s == "" {
		return ""
	}
	return ":\n  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// request sends m and waits for the child's answer with the same id. It returns an error when
// the child dies or does not answer in time; the caller restarts it.
func (s *Supervisor) request(c *child, m ipc.Envelope, want string) (ipc.Envelope, error) {
	if err := c.conn.Send(m); err != nil {
		return ipc.Envelope{}, fmt.Errorf("the dev server is not reachable: %w", err)
	}
	timer := time.NewTimer(s.opts.ReloadTimeout)
	defer timer.Stop()
	for {
		select {
		case r, ok := <-c.msgs:
			if !ok {
				<-c.exited
				return ipc.Envelope{}, fmt.Errorf("the dev server exited (%v)", c.err)
			}
			if r.Type == want && r.ID == m.ID {
				return r, nil
			}
		case <-timer.C:
			s.logf("%s the dev server did not answer within %s; killing it", s.prefix, s.opts.ReloadTimeout)
			_ = kill(c.pid)
			<-c.exited
			return ipc.Envelope{}, fmt.Errorf("the dev server did not answer within %s", s.opts.ReloadTimeout)
		}
	}
}

// retire stops a child gracefully: it finishes in-flight requests, then exits; one that does not
// is terminated, then killed, with everything it started.
func (s *Supervisor) retire(c *child) {
	if c == nil {
		return
	}
	s.stopAccepting(c)
	s.awaitExit(c)
}

// stopAccepting asks c to stop taking requests and waits until it says it has (or exited), so
// that every later request reaches its successor.
func (s *Supervisor) stopAccepting(c *child) {
	if err := c.conn.Send(ipc.Envelope{Type: ipc.TypeShutdown}); err != nil {
		_ = kill(c.pid)
		return
	}
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				return
			}
			if m.Type == ipc.TypeDraining {
				return
			}
		case <-c.exited:
			return
		case <-timer.C:
			_ = kill(c.pid)
			return
		}
	}
}

// awaitExit waits for a draining child to exit, terminating and then killing it if it hangs.
func (s *Supervisor) awaitExit(c *child) {
	select {
	case <-c.exited:
		return
	case <-time.After(10 * time.Second):
	}
	_ = terminate(c.pid)
	select {
	case <-c.exited:
		return
	case <-time.After(3 * time.Second):
	}
	_ = kill(c.pid)
	<-c.exited
}

// loop is the supervisor's single goroutine that owns the child.
func (s *Supervisor) loop(ctx context.Context) error {
	s.start(ctx)
	crashes := 0
	var lastCrash time.Time
	for {
		var exited <-chan struct{}
		if s.child != nil {
			exited = s.child.exited
		}
		select {
		case <-ctx.Done():
			old := s.child
			s.setChild(nil)
			s.retire(old)
			s.setState(StateStopped, "")
			return nil
		case <-exited:
			c := s.child
			s.setChild(nil)
			if time.Since(lastCrash) > 30*time.Second {
				crashes = 0
			}
			crashes++
			lastCrash = time.Now()
			if crashes > 3 {
				s.logf("%s the dev server keeps exiting (%v); waiting for a change to try again", s.prefix, c.err)
				s.setState(StateError, fmt.Sprintf("the dev server exited: %v", c.err))
				continue
			}
			s.restart(ctx, fmt.Sprintf("the dev server exited unexpectedly (%v)", c.err), true)
		case cmd := <-s.cmds:
			cmd.reply <- s.run(ctx, cmd.name)
		case <-s.kick:
			s.drain(ctx)
		}
	}
}

func (s *Supervisor) run(ctx context.Context, name string) error {
	switch name {
	case "restart":
		s.restart(ctx, "restart requested", false)
	case "reload-all":
		if s.child == nil {
			return errors.New("the dev server is not running")
		}
		s.reload(ctx, nil, true)
	case "stop":
		old := s.child
		s.setChild(nil)
		s.retire(old)
		s.setState(StateStopped, "stopped on request")
		s.logf("%s dev server stopped", s.prefix)
	case "start":
		if s.child != nil {
			return nil
		}
		s.start(ctx)
	default:
		return fmt.Errorf("unknown command %q", name)
	}
	if s.child == nil && name != "stop" {
		return errors.New(s.Status().Message)
	}
	return nil
}

// start launches the first child (or one after a stop).
func (s *Supervisor) start(ctx context.Context) {
	s.setState(StateStarting, "")
	begin := time.Now()
	c, res, err := s.launch(ctx)
	if err != nil {
		s.logf("%s %v", s.prefix, err)
		s.setState(StateError, firstLine(err.Error()))
		return
	}
	s.setChild(c)
	s.setProblems(res.Problems)
	for _, line := range FormatLoad(s.root, res, s.URL(), ms(time.Since(begin))) {
		s.logf("%s", strings.Replace(line, PrefixHMR, s.prefix, 1))
	}
	s.emit(Event{Result: &res, Kind: "ready"})
	s.setState(StateReady, "")
}

// drain applies what is pending, batch after batch; changes that arrive during a reload form
// the next batch.
func (s *Supervisor) drain(ctx context.Context) {
	for {
		batch := s.takeBatch()
		if len(batch) == 0 {
			return
		}
		restart := ""
		for _, c := range batch {
			if rel := diag.RelPath(s.root, c.File); host.NeedsRestart(rel) {
				restart = rel + " changed"
				break
			}
		}
		if restart == "" && !s.hmr {
			restart = diag.RelPath(s.root, batch[0].File) + " changed"
			if len(batch) > 1 {
				restart = fmt.Sprintf("%d files changed", len(batch))
			}
		}
		if s.child == nil {
			if s.Status().State == StateStopped {
				continue // stopped on request: changes load when it starts
			}
			restart = "a change arrived while the dev server was down"
		}
		if restart != "" {
			s.restart(ctx, restart, s.child == nil)
			continue
		}
		s.reload(ctx, batch, false)
	}
}

// reload sends one batch to the child and reports the outcome.
func (s *Supervisor) reload(ctx context.Context, batch []host.Change, all bool) {
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	s.setState(StateReloading, "")
	msg := ipc.Reload(id, s.root, batch)
	if all {
		msg = ipc.Envelope{Type: ipc.TypeReloadAll, ID: id}
	}
	reply, err := s.request(s.child, msg, ipc.TypeResult)
	if err != nil {
		c := s.child
		s.setChild(nil)
		s.retire(c)
		s.restart(ctx, err.Error(), true)
		return
	}
	res := resultOf(reply)
	s.setProblems(res.Problems)
	s.child.problems = res.Problems
	for _, line := range FormatReload(s.prefix, s.root, res) {
		s.logf("%s", line)
	}
	s.recordReload(res)
	s.emit(Event{Result: &res, Kind: "reload"})
	if res.Restart {
		s.restart(ctx, res.Note, false)
		return
	}
	s.setState(StateReady, "")
}

func (s *Supervisor) recordReload(res host.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	file := ""
	if len(res.Files) > 0 {
		file = diag.RelPath(s.root, res.Files[0])
	}
	s.status.LastReload = &LastReload{File: file, Ms: res.DurationMs, OK: res.Success}
}

// restart replaces the child. The new child starts beside the old one and takes over only once
// it serves; a restart that would break something that works now (a config error, a new load
// error) is refused and the old child keeps serving. A crashed child is simply replaced.
func (s *Supervisor) restart(ctx context.Context, reason string, crashed bool) {
	s.logf("%s %s: restarting dev server", s.prefix, reason)
	s.setState(StateRestarting, reason)
	begin := time.Now()
	prevHMR := s.hmr
	s.refresh()
	if s.hmr != prevHMR {
		if s.hmr {
			s.prefix = PrefixHMR
			s.logf("%s backend_hmr is now on (%s): changes reload in place", s.prefix, s.flagSrc)
		} else {
			s.prefix = PrefixWatcher
			s.logf("%s backend_hmr is now off (%s): every change restarts the dev server", s.prefix, s.flagSrc)
		}
	}
	old := s.child
	if !old.alive() {
		old = nil
	}
	c, res, err := s.launch(ctx)
	if err != nil {
		if old != nil {
			s.logf("%s restart failed: %v\n%s still serving the previous dev server", s.prefix, err, s.prefix)
			s.setState(StateReady, "")
			return
		}
		s.setChild(nil)
		s.logf("%s %v", s.prefix, err)
		s.setState(StateError, firstLine(err.Error()))
		return
	}
	if old != nil && !crashed {
		if broken := newErrors(old.problems, res.Problems); len(broken) > 0 {
			s.logf("%s the restarted dev server has errors; still serving the previous one:", s.prefix)
			for _, line := range formatProblems(s.root, broken, true) {
				s.logf("%s", line)
			}
			s.retire(c)
			res.Success = false
			res.Errors = broken
			s.setProblems(res.Problems)
			s.emit(Event{Result: &res, Kind: "restart"})
			s.setState(StateReady, "")
			return
		}
	}
	s.setChild(c)
	if old != nil {
		s.stopAccepting(old)
		go s.awaitExit(old)
	}
	s.setProblems(res.Problems)
	s.logf("%s restarted in %s", s.prefix, formatMs(ms(time.Since(begin))))
	for _, line := range formatProblems(s.root, res.Problems, false) {
		s.logf("%s", line)
	}
	s.emit(Event{Result: &res, Kind: "restart"})
	s.setState(StateReady, "")
}

// refresh re-reads the environment, .env and medusa-config, which may have changed.
func (s *Supervisor) refresh() {
	base := dotenv.Environ(os.Environ())
	for k, v := range s.opts.Env {
		base[k] = v
	}
	env, _ := project.Environment(s.root, base)
	cfg, _ := project.LoadConfig(s.root, env, s.opts.TaskTimeout)
	s.env = env
	if cfg != nil {
		s.cfg = cfg
	}
	if s.opts.HMR == nil {
		s.hmr, s.flagSrc = project.HMREnabled(env, s.cfg)
	}
	s.mu.Lock()
	s.status.HMR = s.hmr
	s.mu.Unlock()
}

// newErrors returns the errors in next that prev did not have.
func newErrors(prev, next []diag.Diagnostic) []diag.Diagnostic {
	had := map[string]bool{}
	for _, d := range prev {
		had[d.File+"\x00"+d.Message] = true
	}
	var out []diag.Diagnostic
	for _, d := range next {
		if d.Severity == diag.Error && !had[d.File+"\x00"+d.Message] {
			out = append(out, d)
		}
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// setChild records the serving child, for the loop and for Call.
func (s *Supervisor) setChild(c *child) {
	s.child = c
	s.current.Store(c)
}
