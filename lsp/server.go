// Package lsp is medusa-ls's language server: the editor's saves drive the project's dev server
// (a devserver.Supervisor per project), and what fails comes back as diagnostics on the right
// line. Built on go.lsp.dev/protocol v0.12.0 and jsonrpc2 v0.10.0, with our own handler chain
// around their defects in those versions: numeric $/cancelRequest ids ignored, replies with a
// cancelled context dropped, head-of-line blocking in AsyncHandler, nil diagnostics sent as
// null, plain errors sent with code 0, and shutdown with {} params refused.
//
// Where a save goes: didSave → Server.didModifyFiles (text_synchronization.go) → session.changed
// → session.enqueue → Supervisor.Enqueue → the child reloads → Supervisor event →
// session.onEvent → session.publish (diagnostics.go) / session.sendStatus (status.go).
package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/medusa-ls/medusa-ls/project"
)

// Options configure the server.
type Options struct {
	Exe    string       // medusa-ls binary for the dev server children; default: this one
	Logger *slog.Logger // the server's own log (stderr)
	Output io.Writer    // where the dev servers' terminal lines go (stderr); never stdout
	// TaskTimeout and friends pass through to the supervisors (tests shorten them).
	TaskTimeout    time.Duration
	RequestTimeout time.Duration
}

type lifecycle int

const (
	stateNew lifecycle = iota
	stateInitialized
	stateShutdown
)

// Server is one editor connection.
type Server struct {
	opts Options
	log  *slog.Logger
	conn jsonrpc2.Conn

	mu         sync.Mutex
	state      lifecycle
	settings   Settings
	caps       clientCaps
	roots      []string
	sessions   map[string]*session
	inflight   map[string]context.CancelFunc // request id → cancel
	published  map[uri.URI]string            // what we last published per document
	clientURIs sync.Map                      // path → the URI string the client used for it
	usedPorts  map[int]string
	exitCode   int
	done       chan struct{}
	doneOnce   sync.Once
	background sync.WaitGroup
}

type clientCaps struct {
	dynamicWatch     bool
	workDoneProgress bool
	relatedInfo      bool
}

// Serve runs a language server on r/w until the client exits or the stream ends. It returns the
// process exit code the LSP specification asks for (0 after shutdown, 1 otherwise).
func Serve(ctx context.Context, r io.Reader, w io.Writer, closer io.Closer, opts Options) int {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if opts.Output == nil {
		opts.Output = os.Stderr
	}
	if opts.Exe == "" {
		opts.Exe, _ = os.Executable()
	}
	s := &Server{
		opts: opts, log: opts.Logger, settings: DefaultSettings(),
		sessions: map[string]*session{}, inflight: map[string]context.CancelFunc{},
		published: map[uri.URI]string{}, usedPorts: map[int]string{}, exitCode: 1, done: make(chan struct{}),
	}
	st := newStream(r, w, closer, opts.Logger)
	s.conn = jsonrpc2.NewConn(st)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.conn.Go(ctx, s.handle)
	select {
	case <-s.conn.Done():
		// The editor went away (stdin closed): stop everything we started.
	case <-s.done:
	case <-ctx.Done():
	}
	s.stopAll()
	_ = s.conn.Close()
	s.background.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exitCode
}

// handle is the whole handler chain: lifecycle checks, an allowlist of methods, cancellation,
// and a recover so that no request can take the process down. Notifications are handled in
// order on the read loop and must not block; requests that may take time run in their own
// goroutine and reply when done.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	method := req.Method()
	call, isCall := req.(*jsonrpc2.Call)
	respond := func(result any, err error) {
		// A reply written with a cancelled context is dropped by jsonrpc2; always detach.
		if rerr := reply(context.WithoutCancel(ctx), result, err); rerr != nil {
			s.log.Debug("lsp: reply failed", "method", method, "err", rerr)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("lsp: internal error", "method", method, "panic", p, "stack", string(debug.Stack()))
			if isCall {
				respond(nil, jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("internal error in %s: %v", method, p)))
			}
		}
	}()

	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case method == "exit":
		s.exit()
		return nil
	case method == "$/cancelRequest":
		s.cancelRequest(req.Params())
		return nil
	case state == stateNew && method != "initialize":
		if isCall {
			respond(nil, jsonrpc2.NewError(jsonrpc2.Code(-32002), "the server is not initialized yet"))
		}
		return nil
	case state == stateShutdown:
		if isCall {
			respond(nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down"))
		}
		return nil
	}

	if n, ok := notifications[method]; ok {
		if !isCall {
			if err := n(s, ctx, req.Params()); err != nil {
				s.log.Warn("lsp: "+method, "err", err)
			}
			return nil
		}
	}
	h, ok := requests[method]
	if !ok {
		if isCall {
			respond(nil, jsonrpc2.NewError(jsonrpc2.MethodNotFound, fmt.Sprintf("method not supported by medusa-ls: %s", method)))
		}
		return nil
	}
	if !isCall {
		return nil
	}
	if method == "initialize" || method == "shutdown" {
		respond(h(s, ctx, req.Params()))
		return nil
	}
	id := fmt.Sprint(call.ID())
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	s.inflight[id] = cancel
	s.mu.Unlock()
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
			cancel()
		}()
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("lsp: internal error", "method", method, "panic", p, "stack", string(debug.Stack()))
				respond(nil, jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("internal error in %s: %v", method, p)))
			}
		}()
		res, err := h(s, rctx, req.Params())
		if rctx.Err() != nil {
			res, err = nil, jsonrpc2.NewError(jsonrpc2.Code(-32800), "request cancelled")
		}
		respond(res, err)
	}()
	return nil
}

type requestFunc func(s *Server, ctx context.Context, params json.RawMessage) (any, error)
type notificationFunc func(s *Server, ctx context.Context, params json.RawMessage) error

// The allowlist: anything else is MethodNotFound (calls) or ignored (notifications).
var (
	requests      map[string]requestFunc
	notifications map[string]notificationFunc
)

func init() {
	requests = map[string]requestFunc{
		"initialize":               (*Server).initialize,
		"shutdown":                 (*Server).shutdown,
		"workspace/executeCommand": (*Server).executeCommand,
		"textDocument/codeLens":    (*Server).codeLens,
		"workspace/symbol":         (*Server).workspaceSymbol,
	}
	notifications = map[string]notificationFunc{
		"initialized":                      (*Server).initialized,
		"textDocument/didOpen":             (*Server).didOpen,
		"textDocument/didSave":             (*Server).didSave,
		"textDocument/didClose":            func(*Server, context.Context, json.RawMessage) error { return nil },
		"textDocument/didChange":           func(*Server, context.Context, json.RawMessage) error { return nil },
		"workspace/didChangeWatchedFiles":  (*Server).didChangeWatchedFiles,
		"workspace/didChangeConfiguration": (*Server).didChangeConfiguration,
		"workspace/didChangeWorkspaceFolders": func(s *Server, ctx context.Context, p json.RawMessage) error {
			return s.didChangeWorkspaceFolders(ctx, p)
		},
		"$/setTrace":                     func(*Server, context.Context, json.RawMessage) error { return nil },
		"window/workDoneProgress/cancel": func(*Server, context.Context, json.RawMessage) error { return nil },
	}
}

// cancelRequest accepts numeric and string ids: protocol v0.12.0 only handles int32 and so
// ignores what VS Code sends (a JSON number decodes as float64).
func (s *Server) cancelRequest(params json.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(params, &p) != nil {
		return
	}
	var id string
	var n json.Number
	if err := json.Unmarshal(p.ID, &n); err == nil {
		id = fmt.Sprint(jsonrpc2.NewNumberID(int32(mustInt(n))))
	} else {
		var str string
		if json.Unmarshal(p.ID, &str) != nil {
			return
		}
		id = fmt.Sprint(jsonrpc2.NewStringID(str))
	}
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func mustInt(n json.Number) int64 {
	i, err := n.Int64()
	if err != nil {
		f, _ := n.Float64()
		return int64(f)
	}
	return i
}

func decode(params json.RawMessage, v any) error {
	if len(params) == 0 {
		return nil
	}
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, "invalid params: "+err.Error())
	}
	return nil
}

func (s *Server) goBackground(f func()) {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		f()
	}()
}

// sessionFor returns the session whose project contains path (the deepest one), or nil.
func (s *Server) sessionFor(path string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *session
	for root, sess := range s.sessions {
		if project.Within(root, path) {
			if best == nil || len(root) > len(best.root) {
				best = sess
			}
		}
	}
	return best
}

// documentURI is the URI to publish for path: the exact string the client used for that
// document (clients differ in how they escape "[id]" or a drive letter, and match diagnostics to
// documents by string), else the canonical file URI.
func (s *Server) documentURI(path string) protocol.DocumentURI {
	if u, ok := s.clientURIs.Load(path); ok {
		return protocol.DocumentURI(u.(string))
	}
	return uri.File(path)
}

// uriPath turns a file:// URI into a path; anything else is "".
func uriPath(u string) string {
	if !strings.HasPrefix(u, "file://") {
		return ""
	}
	p := uri.URI(u).Filename()
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
