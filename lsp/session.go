package lsp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
)

// session is one project's dev server as the editor sees it.
type session struct {
	s        *Server
	root     string // as the workspace named it
	realRoot string // with symbolic links resolved

	// statusMu orders medusa/status notifications: each is snapshotted and sent under it, so
	// that two sent at once reach the client in the order of their snapshots (a "starting"
	// never arrives after the "ready" that followed it).
	statusMu   sync.Mutex
	sentStatus []byte // the last medusa/status sent, as sent; guarded by statusMu

	// logMu orders window/logMessage lines. While a reload runs, its lines are held and sent
	// after the reload's diagnostics and status: an editor waits for the diagnostics, not for
	// the terminal's report of them.
	logMu   sync.Mutex
	holding *time.Timer // set while lines are held; it releases them if the reload runs long
	held    []logLine

	mu       sync.Mutex
	sup      *devserver.Supervisor // its own dev server
	remote   *remoteServer         // or the one another process runs, attached to
	cancel   context.CancelFunc
	done     chan struct{}
	settings Settings
	status   devserver.Status
	load     []diag.Diagnostic            // load problems reported by the dev server
	runtime  map[string][]diag.Diagnostic // errors thrown after loading, per file
	lint     map[string][]diag.Diagnostic // static convention checks, per file
	routes   map[string]string            // route file → URL path, for the middleware checks
	mwFile   string                       // the middlewares file, when there is one
	pubs     map[string]string            // file → hash of what was published
	prog     progress
	closed   bool                // the project left the workspace: nothing more is published
	links    map[string][]string // target (real path) → the project's links to that file
	warned   map[string]bool     // linked directories already warned about
}

func (s *Server) newSession(root string) *session {
	sess := &session{s: s, root: root, realRoot: project.RealRoot(root), runtime: map[string][]diag.Diagnostic{}, lint: map[string][]diag.Diagnostic{},
		pubs: map[string]string{}, routes: map[string]string{}, warned: map[string]bool{}}
	sess.status = devserver.Status{State: devserver.StateStopped, Runtime: "embedded"}
	sess.prog.s = s
	s.mu.Lock()
	s.sessions[root] = sess
	s.mu.Unlock()
	return sess
}

// start serves the project: through the dev server another process already runs for it, else
// with a supervisor of its own (see attach.go).
func (sess *session) start(settings Settings) {
	sess.mu.Lock()
	if sess.cancel != nil {
		sess.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	sess.cancel, sess.done, sess.settings = cancel, done, settings
	sess.mu.Unlock()
	port := settings.Port
	if port != 0 {
		port += sess.index()
	}
	// Decided before start returns, so that commands sent next reach the right dev server.
	sub := sess.subscribe(ctx)
	var sup *devserver.Supervisor
	if sub != nil {
		sess.mu.Lock()
		sess.remote = &remoteServer{sess: sess, pid: sub.Snapshot.PID}
		sess.mu.Unlock()
	} else {
		if sup = sess.newSupervisor(settings, port, true); sup == nil {
			sess.mu.Lock()
			sess.cancel, sess.done = nil, nil
			sess.mu.Unlock()
			cancel()
			close(done)
			return
		}
	}
	sess.s.goBackground(func() {
		defer close(done)
		defer func() {
			sess.mu.Lock()
			if sess.done == done { // ended on its own (a failure): start may run again
				sess.cancel, sess.done = nil, nil
			}
			sess.mu.Unlock()
			cancel()
		}()
		sess.serve(ctx, settings, sub, sup, port)
	})
}

// newSupervisor creates the session's own supervisor, or says why it cannot.
func (sess *session) newSupervisor(settings Settings, port int, fallback bool) *devserver.Supervisor {
	s := sess.s
	sup, err := devserver.New(devserver.Options{
		Root: sess.root, Host: settings.Host, Port: port, HMR: settings.HMR, Env: settings.Env,
		Exe: s.opts.Exe, Watch: !s.caps.dynamicWatch, PortFallback: fallback, Output: s.opts.Output,
		TaskTimeout: s.opts.TaskTimeout, RequestTimeout: s.opts.RequestTimeout,
		Runtime: settings.Runtime, Workers: settings.Workers, OnEvent: sess.onEvent,
	})
	if err != nil {
		s.logMessage(protocol.MessageTypeError, "medusa-ls: "+err.Error())
		s.showMessage(protocol.MessageTypeError, "medusa-ls could not start the dev server: "+err.Error())
		return nil
	}
	sess.mu.Lock()
	sess.sup = sup
	sess.status.Runtime = sup.Status().Runtime
	sess.mu.Unlock()
	return sup
}

// serve follows the attached dev server (sub) or runs the session's own (sup) until ctx ends.
// When the attached one exits, the session takes over on its port; when its own cannot have
// that port because another process took over first, it attaches to that one.
func (sess *session) serve(ctx context.Context, settings Settings, sub *devserver.Subscription, sup *devserver.Supervisor, port int) {
	s := sess.s
	fallback, host := true, settings.Host
	for ctx.Err() == nil {
		if sub != nil {
			addr := sess.follow(ctx, sub)
			if ctx.Err() != nil {
				return
			}
			port, host = portOf(addr), hostOf(addr, settings.Host)
			if sub, fallback = sess.waitTakeOver(ctx, host, port); sub != nil {
				continue
			}
			if sup = sess.newSupervisor(settings, port, fallback); sup == nil {
				return
			}
		}
		err := sup.Run(ctx)
		sess.mu.Lock()
		if sess.sup == sup {
			sess.sup = nil
		}
		sess.mu.Unlock()
		if err == nil || ctx.Err() != nil {
			return
		}
		if !fallback && errors.Is(err, syscall.EADDRINUSE) {
			// Another process took the port over first (another editor): use its dev server
			// once it answers, or take the port when it is free again.
			if sub, fallback = sess.waitTakeOver(ctx, host, port); sub != nil {
				continue
			}
			if sup = sess.newSupervisor(settings, port, fallback); sup == nil {
				return
			}
			continue
		}
		s.logMessage(protocol.MessageTypeError, "medusa-ls: "+err.Error())
		s.showMessage(protocol.MessageTypeError, "medusa-ls: the dev server stopped: "+err.Error())
		sess.mu.Lock()
		sess.status.State, sess.status.Message, sess.status.URL = devserver.StateError, err.Error(), ""
		sess.mu.Unlock()
		sess.sendStatus()
		return
	}
}

// index is the project's position among the workspace's projects, for port offsets.
func (sess *session) index() int {
	s := sess.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.roots {
		if r == sess.root {
			return i
		}
	}
	return 0
}

// stop stops the supervisor and its child, and waits for them.
func (sess *session) stop() {
	sess.mu.Lock()
	cancel, done := sess.cancel, sess.done
	sess.cancel = nil
	sess.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		sess.s.log.Error("lsp: the dev server did not stop in time", "root", sess.root)
	}
	sess.mu.Lock()
	sess.sup, sess.remote = nil, nil
	sess.status.State, sess.status.URL = devserver.StateStopped, ""
	sess.mu.Unlock()
	sess.prog.end("stopped")
	sess.sendStatus()
}

// close ends the session of a project that left the workspace: its dev server stops, and every
// diagnostic it published is cleared (an empty list per file), since no later event will.
func (sess *session) close() {
	sess.stop()
	sess.mu.Lock()
	sess.closed = true
	sess.load, sess.runtime, sess.lint = nil, map[string][]diag.Diagnostic{}, map[string][]diag.Diagnostic{}
	sess.mu.Unlock()
	sess.publish()
}

// server is the dev server the session drives: its own, the one it is attached to, or nil.
func (sess *session) server() devServer {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	switch {
	case sess.sup != nil:
		return sess.sup
	case sess.remote != nil:
		return sess.remote
	}
	return nil
}

// supervisor is the session's own dev server, or nil.
func (sess *session) supervisor() *devserver.Supervisor {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.sup
}

// attached is the dev server of another process the session follows, or nil.
func (sess *session) attached() *remoteServer {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.remote
}

// active says whether the session serves the project (its own dev server, attached to
// another's, or about to take over).
func (sess *session) active() bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.cancel != nil
}

func (sess *session) enqueue(files ...string) {
	if srv := sess.server(); srv != nil {
		srv.Enqueue(files...)
	}
}

// onEvent turns what the supervisor reports into notifications.
func (sess *session) onEvent(e devserver.Event) {
	e = sess.editorEvent(e)
	switch {
	case e.Log != "":
		t := protocol.MessageTypeLog
		switch {
		case strings.HasPrefix(e.Log, "error:") || strings.Contains(e.Log, " failed"):
			t = protocol.MessageTypeError
		case strings.HasPrefix(e.Log, "warn:"):
			t = protocol.MessageTypeWarning
		case strings.HasPrefix(e.Log, report.PrefixHMR) || strings.HasPrefix(e.Log, report.PrefixWatcher):
			t = protocol.MessageTypeInfo
		}
		sess.log(logLine{t, e.Log})
	case e.Result != nil:
		if e.Status != nil { // the state the result left, sent with it
			sess.setStatus(*e.Status)
		}
		sess.onResult(e.Kind, *e.Result)
		sess.releaseLogs()
	case e.Status != nil:
		sess.setStatus(*e.Status)
		sess.sendStatus()
		if e.Status.State == devserver.StateReloading {
			sess.holdLogs()
		} else {
			sess.releaseLogs()
		}
	case e.Runtime != nil:
		sess.onRuntime(*e.Runtime)
	}
}

type logLine struct {
	typ protocol.MessageType
	msg string
}

// Lines are held for at most maxLogHold and maxHeldLogs: a long reload (Medusa reloading a
// module, say) shows its lines as they come.
const (
	maxLogHold  = 50 * time.Millisecond
	maxHeldLogs = 256
)

// log sends a line as window/logMessage, or holds it while a reload runs.
func (sess *session) log(l logLine) {
	sess.logMu.Lock()
	defer sess.logMu.Unlock()
	if sess.holding != nil && len(sess.held) < maxHeldLogs {
		sess.held = append(sess.held, l)
		return
	}
	sess.sendHeldLocked()
	sess.s.logMessage(l.typ, l.msg)
}

func (sess *session) holdLogs() {
	sess.logMu.Lock()
	defer sess.logMu.Unlock()
	if sess.holding == nil {
		sess.holding = time.AfterFunc(maxLogHold, sess.releaseLogs)
	}
}

// releaseLogs sends the lines held since holdLogs, in order, before any line logged after it.
func (sess *session) releaseLogs() {
	sess.logMu.Lock()
	defer sess.logMu.Unlock()
	sess.sendHeldLocked()
}

func (sess *session) sendHeldLocked() {
	if sess.holding != nil {
		sess.holding.Stop()
		sess.holding = nil
	}
	for _, l := range sess.held {
		sess.s.logMessage(l.typ, l.msg)
	}
	sess.held = nil
}

// setStatus records the supervisor's status and moves the progress report along with it.
func (sess *session) setStatus(st devserver.Status) {
	sess.mu.Lock()
	prev := sess.status.State
	sess.status = st
	sess.mu.Unlock()
	sess.progressFor(prev, st.State)
}

func (sess *session) onResult(kind devserver.ResultKind, res ipc.Result) {
	sess.mu.Lock()
	sess.load = res.Problems
	if sess.sup != nil {
		sess.status.LastReload = sess.sup.Status().LastReload
	}
	applied := res.Applied || kind == devserver.ResultReady || (kind == devserver.ResultRestart && res.Success)
	switch {
	case (kind == devserver.ResultReady || kind == devserver.ResultRestart) && applied:
		// A new process: errors thrown by the old one's handlers are history.
		sess.runtime = map[string][]diag.Diagnostic{}
	case res.Success && res.Applied:
		for _, f := range res.Files {
			delete(sess.runtime, f)
		}
		for _, r := range res.Reloaded {
			delete(sess.runtime, r.File)
		}
	}
	sess.mu.Unlock()
	sess.publish()
	sess.sendStatus()
}

func (sess *session) contains(path string) bool {
	return project.Within(sess.root, path)
}
