package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
)

// One dev server per project: when a `medusa-ls develop` (or another editor's dev server) already
// serves the project, the session attaches to it through its control socket (status, diagnostics,
// commands) instead of starting a second one, which would serve on another port and run every
// scheduled job twice; when that one exits, the session starts its own on the same port.

// devServer is what a session drives: its own supervisor, or one another process runs.
type devServer interface {
	Call(ctx context.Context, name ipc.Command, args any) (json.RawMessage, error)
	Restart(ctx context.Context) error
	ReloadAll(ctx context.Context) error
	Enqueue(files ...string)
}

// remoteServer is a dev server that another process runs, driven through its control socket.
type remoteServer struct {
	sess *session
	pid  int
}

func (r *remoteServer) Call(ctx context.Context, name ipc.Command, args any) (json.RawMessage, error) {
	return devserver.Control(ctx, r.sess.root, string(name), args)
}

func (r *remoteServer) Restart(ctx context.Context) error { return r.do(ctx, devserver.ControlRestart) }
func (r *remoteServer) ReloadAll(ctx context.Context) error {
	return r.do(ctx, devserver.ControlReloadAll)
}
func (r *remoteServer) Stop(ctx context.Context) error  { return r.do(ctx, devserver.ControlStop) }
func (r *remoteServer) Start(ctx context.Context) error { return r.do(ctx, devserver.ControlStart) }

func (r *remoteServer) do(ctx context.Context, command string) error {
	_, err := devserver.Control(ctx, r.sess.root, command, nil)
	return err
}

// Enqueue passes the editor's saves on (the other process also watches the files; a change seen
// twice reloads once). It does not wait for the answer.
func (r *remoteServer) Enqueue(files ...string) {
	sess := r.sess
	real := make([]string, len(files)) // that process may name the project by another path
	for i, f := range files {
		real[i] = f
		if sess.realRoot != sess.root && project.Within(sess.root, f) {
			real[i] = sess.realRoot + strings.TrimPrefix(f, sess.root)
		}
	}
	files = real
	r.sess.s.goBackground(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := devserver.Control(ctx, r.sess.root, devserver.ControlEnqueue, files); err != nil {
			r.sess.s.log.Debug("lsp: enqueue in the attached dev server", "err", err)
		}
	})
}

// subscribe attaches to the dev server another process runs for the project, or returns nil.
func (sess *session) subscribe(ctx context.Context) *devserver.Subscription {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	sub, err := devserver.Subscribe(ctx, sess.root)
	if err != nil {
		return nil
	}
	// Never this session's own: a session subscribes only while it runs no supervisor, and a
	// supervisor closes its socket when it is told to stop. (Another editor's server in this
	// process, as in tests, is another process's as far as the project is concerned.)
	return sub
}

// follow mirrors the attached dev server until it hangs up or ctx ends, and returns the
// address it last served on.
func (sess *session) follow(ctx context.Context, sub *devserver.Subscription) string {
	snap := sub.Snapshot
	remote := &remoteServer{sess: sess, pid: snap.PID}
	sess.mu.Lock()
	sess.remote = remote
	prev := sess.status.State
	sess.status = snap.Status
	sess.load = sess.editorDiagnostics(snap.Problems)
	sess.runtime = map[string][]diag.Diagnostic{}
	sess.mu.Unlock()
	sess.s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf(
		"medusa-ls: %s is already served by medusa-ls (pid %d, `medusa-ls develop` or another editor) on %s; this editor uses that dev server (one per project) and starts its own when it exits",
		sess.root, snap.PID, snap.Status.URL))
	sess.progressFor(prev, snap.Status.State)
	sess.publish()
	sess.sendStatus()

	stop := context.AfterFunc(ctx, func() { sub.Close() })
	defer stop()
	for e := range sub.Events() {
		sess.onEvent(e)
	}
	sub.Close()
	sess.mu.Lock()
	addr := sess.status.URL
	if addr == "" {
		addr = snap.Status.URL
	}
	sess.remote = nil
	sess.mu.Unlock()
	if ctx.Err() == nil {
		sess.s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("medusa-ls: the dev server of pid %d for %s has gone; this editor serves the project now", snap.PID, sess.root))
		sess.mu.Lock()
		sess.status.State, sess.status.Message = devserver.StateStarting, fmt.Sprintf("taking over from pid %d", snap.PID)
		sess.mu.Unlock()
		sess.sendStatus()
	}
	return addr
}

// takeOverMaxWait bounds how long a session waits for the port of a dev server that exited to
// be released (its children finish the requests they accepted first); then it takes any port.
const takeOverMaxWait = time.Minute

// waitTakeOver waits until the port of the dev server that was followed is free, or another
// process serves the project again (then it returns that one's subscription). fallback says
// whether the port may not be freed in time, and another one must do.
func (sess *session) waitTakeOver(ctx context.Context, host string, port int) (sub *devserver.Subscription, fallback bool) {
	deadline := time.Now().Add(takeOverMaxWait)
	delay := 10 * time.Millisecond
	for {
		if sub := sess.subscribe(ctx); sub != nil {
			return sub, false
		}
		if ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port))); err == nil {
			ln.Close()
			return nil, false
		}
		if time.Now().After(deadline) {
			return nil, true
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// hostOf is the host of an http://host:port address, or def.
func hostOf(addr, def string) string {
	if u, err := url.Parse(addr); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return def
}

// portOf is the port of an http://host:port address, or 0.
func portOf(addr string) int {
	u, err := url.Parse(addr)
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}
