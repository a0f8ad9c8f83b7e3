package lsp

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/host"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// session is one project's dev server as the editor sees it.
type session struct {
	s    *Server
	root string

	mu       sync.Mutex
	sup      *devserver.Supervisor
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
}

func (s *Server) newSession(root string) *session {
	sess := &session{s: s, root: root, runtime: map[string][]diag.Diagnostic{}, lint: map[string][]diag.Diagnostic{},
		pubs: map[string]string{}, routes: map[string]string{}}
	sess.status = devserver.Status{State: devserver.StateStopped, Runtime: "embedded"}
	sess.prog.s = s
	s.mu.Lock()
	s.sessions[root] = sess
	s.mu.Unlock()
	return sess
}

// start runs a supervisor for the project.
func (sess *session) start(settings Settings) {
	s := sess.s
	sess.mu.Lock()
	if sess.sup != nil {
		sess.mu.Unlock()
		return
	}
	port := settings.Port
	if port != 0 {
		port += sess.index()
	}
	sup, err := devserver.New(devserver.Options{
		Root: sess.root, Host: settings.Host, Port: port, HMR: settings.HMR, Env: settings.Env,
		Exe: s.opts.Exe, Watch: !s.caps.dynamicWatch, PortFallback: true, Output: s.opts.Output,
		TaskTimeout: s.opts.TaskTimeout, RequestTimeout: s.opts.RequestTimeout,
		Runtime: settings.Runtime, OnEvent: sess.onEvent,
	})
	if err != nil {
		sess.mu.Unlock()
		s.logMessage(protocol.MessageTypeError, "medusa-ls: "+err.Error())
		s.showMessage(protocol.MessageTypeError, "medusa-ls could not start the dev server: "+err.Error())
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	sess.sup, sess.cancel, sess.done, sess.settings = sup, cancel, done, settings
	sess.status.Runtime = sup.Status().Runtime
	sess.mu.Unlock()
	s.goBackground(func() {
		defer close(done)
		if err := sup.Run(ctx); err != nil {
			s.logMessage(protocol.MessageTypeError, "medusa-ls: "+err.Error())
			s.showMessage(protocol.MessageTypeError, "medusa-ls: the dev server stopped: "+err.Error())
			sess.mu.Lock()
			sess.status.State, sess.status.Message, sess.status.URL = devserver.StateError, err.Error(), ""
			sess.mu.Unlock()
			sess.sendStatus()
		}
		sess.mu.Lock()
		if sess.sup == sup {
			sess.sup = nil
		}
		sess.mu.Unlock()
	})
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
	sess.sup = nil
	sess.status.State, sess.status.URL = devserver.StateStopped, ""
	sess.mu.Unlock()
	sess.prog.end("stopped")
	sess.sendStatus()
}

func (sess *session) supervisor() *devserver.Supervisor {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.sup
}

func (sess *session) enqueue(files ...string) {
	if sup := sess.supervisor(); sup != nil {
		sup.Enqueue(files...)
	}
}

// onEvent turns what the supervisor reports into notifications.
func (sess *session) onEvent(e devserver.Event) {
	s := sess.s
	switch {
	case e.Log != "":
		t := protocol.MessageTypeLog
		switch {
		case strings.HasPrefix(e.Log, "error:") || strings.Contains(e.Log, " failed"):
			t = protocol.MessageTypeError
		case strings.HasPrefix(e.Log, "warn:"):
			t = protocol.MessageTypeWarning
		case strings.HasPrefix(e.Log, devserver.PrefixHMR) || strings.HasPrefix(e.Log, devserver.PrefixWatcher):
			t = protocol.MessageTypeInfo
		}
		s.logMessage(t, e.Log)
	case e.Status != nil:
		sess.mu.Lock()
		prev := sess.status.State
		sess.status = *e.Status
		sess.mu.Unlock()
		sess.progressFor(prev, e.Status.State)
		sess.sendStatus()
	case e.Result != nil:
		sess.onResult(e.Kind, *e.Result)
	case e.Runtime != nil:
		sess.onRuntime(*e.Runtime)
	}
}

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

func (sess *session) onResult(kind string, res host.Result) {
	sess.mu.Lock()
	sess.load = res.Problems
	// The supervisor reports the result just before it says it is ready again; the status sent
	// with the new error count must not still say "reloading".
	if kind == "reload" && sess.status.State == devserver.StateReloading {
		sess.status.State = devserver.StateReady
		defer sess.prog.end("ready")
	}
	if sess.sup != nil {
		sess.status.LastReload = sess.sup.Status().LastReload
	}
	applied := res.Applied || kind == "ready" || (kind == "restart" && res.Success)
	switch {
	case (kind == "ready" || kind == "restart") && applied:
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

func (sess *session) onRuntime(e devserver.RuntimeError) {
	sess.mu.Lock()
	for _, p := range e.Problems {
		if p.File == "" || !sess.contains(p.File) {
			continue
		}
		list := sess.runtime[p.File]
		dup := false
		for _, q := range list {
			if q.Line == p.Line && q.Message == p.Message {
				dup = true
				break
			}
		}
		if !dup && len(list) < 20 {
			sess.runtime[p.File] = append(list, p)
		}
	}
	sess.mu.Unlock()
	sess.publish()
	sess.sendStatus()
}

func (sess *session) contains(path string) bool {
	return path == sess.root || strings.HasPrefix(path, sess.root+string(filepath.Separator))
}

// lintAll runs the static convention checks over the whole project.
func (sess *session) lintAll() {
	byFile := map[string][]diag.Diagnostic{}
	for _, d := range reloaders.LintProject(sess.root) {
		byFile[d.File] = append(byFile[d.File], d)
	}
	routes := map[string]string{}
	mw := ""
	api := filepath.Join(sess.root, filepath.FromSlash(reloaders.APIDir))
	_ = filepath.WalkDir(api, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel := diag.RelPath(sess.root, p)
		if reloaders.IsMiddlewaresFile(rel) {
			mw = p
		} else if path, ok, _ := reloaders.RoutePath(rel); ok {
			routes[p] = path
		}
		return nil
	})
	sess.mu.Lock()
	sess.lint, sess.routes, sess.mwFile = byFile, routes, mw
	sess.mu.Unlock()
	sess.publish()
}

// relint updates the static checks after a change to path: the file itself, and the
// middleware matchers when the set of routes changed. It reads only what changed.
func (sess *session) relint(path string) {
	rel := diag.RelPath(sess.root, path)
	routePath, isRoute, _ := reloaders.RoutePath(rel)
	isMW := reloaders.IsMiddlewaresFile(rel)
	src, err := os.ReadFile(path)
	exists := err == nil
	if filepath.Dir(path) == sess.root && slices.Contains(project.ConfigNames, filepath.Base(path)) {
		// medusa-config's module paths.
		ds := reloaders.LintConfig(sess.root)
		sess.mu.Lock()
		delete(sess.lint, path)
		for _, d := range ds {
			sess.lint[d.File] = append(sess.lint[d.File], d)
		}
		sess.mu.Unlock()
		sess.publish()
		return
	}
	if kind := kindOf(sess.root, path); kind == "subscriber" || kind == "job" {
		sess.mu.Lock()
		if exists {
			sess.lint[path] = reloaders.LintFile(sess.root, path, src)
		} else {
			delete(sess.lint, path)
		}
		sess.mu.Unlock()
		sess.publish()
		return
	}
	if !isRoute && !isMW {
		return
	}
	sess.mu.Lock()
	routesChanged := false
	switch {
	case isRoute && exists:
		sess.lint[path] = reloaders.LintRoute(path, rel, src)
		if sess.routes[path] != routePath {
			sess.routes[path], routesChanged = routePath, true
		}
	case isRoute:
		delete(sess.lint, path)
		if _, ok := sess.routes[path]; ok {
			delete(sess.routes, path)
			routesChanged = true
		}
	case isMW && exists:
		sess.mwFile = path
	case isMW:
		delete(sess.lint, path)
		sess.mwFile = ""
	}
	if sess.mwFile != "" && (isMW || routesChanged) {
		if mwSrc, err := os.ReadFile(sess.mwFile); err == nil {
			paths := make([]string, 0, len(sess.routes))
			for _, p := range sess.routes {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			sess.lint[sess.mwFile] = reloaders.LintMiddlewares(sess.mwFile, mwSrc, paths)
		}
	}
	sess.mu.Unlock()
	sess.publish()
}

// problems merges load problems, runtime errors and lint results per file, one diagnostic per
// cause (reloaders.Merge).
func (sess *session) problems() map[string][]diag.Diagnostic {
	var loaded, lint []diag.Diagnostic
	loaded = append(loaded, sess.load...)
	for _, ds := range sess.runtime {
		loaded = append(loaded, ds...)
	}
	for _, ds := range sess.lint {
		lint = append(lint, ds...)
	}
	out := map[string][]diag.Diagnostic{}
	for _, d := range reloaders.Merge(loaded, lint) {
		if d.File != "" {
			out[d.File] = append(out[d.File], d)
		}
	}
	return out
}

func (sess *session) errorCount() int {
	n := 0
	for _, ds := range sess.problems() {
		for _, d := range ds {
			if d.Severity == diag.Error {
				n++
			}
		}
	}
	return n
}

// publish sends diagnostics for every file whose set changed, and an empty list for files that
// no longer have any (never null: editors keep stale diagnostics on null).
func (sess *session) publish() {
	sess.mu.Lock()
	current := sess.problems()
	var files []string
	for f := range current {
		files = append(files, f)
	}
	for f := range sess.pubs {
		if _, ok := current[f]; !ok {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	type pub struct {
		file  string
		diags []protocol.Diagnostic
	}
	var out []pub
	for _, f := range files {
		ds := toProtocol(current[f], sess.s.documentURI)
		b, _ := json.Marshal(ds)
		h := fmt.Sprintf("%x", sha256.Sum256(b))
		if sess.pubs[f] == h {
			continue
		}
		if len(ds) == 0 {
			delete(sess.pubs, f)
		} else {
			sess.pubs[f] = h
		}
		out = append(out, pub{f, ds})
	}
	sess.mu.Unlock()
	for _, p := range out {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := sess.s.client.PublishDiagnostics(ctx, &protocol.PublishDiagnosticsParams{URI: sess.s.documentURI(p.file), Diagnostics: p.diags})
		cancel()
		if err != nil {
			sess.s.log.Debug("lsp: publishDiagnostics", "err", err)
		}
	}
}

// toProtocol converts diagnostics to LSP's, always a non-nil slice.
func toProtocol(ds []diag.Diagnostic, uri func(string) protocol.DocumentURI) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(ds))
	lines := map[string][]string{}
	for _, d := range ds {
		pd := protocol.Diagnostic{
			Range:    rangeOf(d, lines),
			Severity: severity(d.Severity),
			Code:     d.Code,
			Source:   "medusa",
			Message:  d.Message,
		}
		for _, r := range d.Related {
			at := diag.Diagnostic{File: r.File, Line: r.Line, Column: r.Column}
			pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: uri(r.File), Range: rangeOf(at, lines)}, Message: r.Message})
		}
		out = append(out, pd)
	}
	return out
}

func severity(s diag.Severity) protocol.DiagnosticSeverity {
	switch s {
	case diag.Warning:
		return protocol.DiagnosticSeverityWarning
	case diag.Info:
		return protocol.DiagnosticSeverityInformation
	}
	return protocol.DiagnosticSeverityError
}

// rangeOf turns 1-based line and UTF-16 column positions into an LSP range. A problem with a
// line but no span covers the rest of that line from its column; one without a line sits at the
// top of the file.
func rangeOf(d diag.Diagnostic, cache map[string][]string) protocol.Range {
	if d.Line <= 0 {
		return protocol.Range{}
	}
	line := uint32(d.Line - 1)
	col := uint32(max(d.Column, 1) - 1)
	start := protocol.Position{Line: line, Character: col}
	if d.EndLine > 0 && (d.EndLine > d.Line || d.EndColumn > d.Column) {
		return protocol.Range{Start: start, End: protocol.Position{Line: uint32(d.EndLine - 1), Character: uint32(max(d.EndColumn, 1) - 1)}}
	}
	text := lineText(d.File, d.Line, cache)
	end := uint32(diag.UTF16Column(text, len(text)) - 1)
	if end <= col {
		end = col + 1
	}
	return protocol.Range{Start: start, End: protocol.Position{Line: line, Character: end}}
}

func lineText(file string, n int, cache map[string][]string) string {
	lines, ok := cache[file]
	if !ok {
		b, _ := os.ReadFile(file)
		lines = strings.Split(strings.TrimPrefix(string(b), "\uFEFF"), "\n") // editors do not show the mark
		cache[file] = lines
	}
	if n-1 < len(lines) {
		return strings.TrimRight(lines[n-1], "\r")
	}
	return ""
}

// statusParams is the medusa/status notification (docs/lsp-contract.md).
type statusParams struct {
	State      devserver.State       `json:"state"`
	URL        string                `json:"url"`
	Runtime    string                `json:"runtime"`
	HMR        bool                  `json:"hmr"`
	LastReload *devserver.LastReload `json:"lastReload,omitempty"`
	Errors     int                   `json:"errors"`
	Message    string                `json:"message,omitempty"`
	Root       string                `json:"root"`
	// Credentials: the embedded runtime's development publishable key and tokens.
	Credentials *framework.DevCredentials `json:"credentials,omitempty"`
}

func (sess *session) sendStatus() {
	sess.mu.Lock()
	st := sess.status
	p := statusParams{State: st.State, URL: st.URL, Runtime: st.Runtime, HMR: st.HMR, LastReload: st.LastReload,
		Errors: sess.errorCount(), Message: st.Message, Root: sess.root, Credentials: st.Credentials}
	sess.mu.Unlock()
	if p.Runtime == "" {
		p.Runtime = "embedded"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = sess.s.conn.Notify(ctx, "medusa/status", p)
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
		if err := p.s.client.WorkDoneProgressCreate(ctx, &protocol.WorkDoneProgressCreateParams{Token: *token}); err != nil {
			return
		}
		_ = p.s.client.Progress(ctx, &protocol.ProgressParams{Token: *token, Value: &protocol.WorkDoneProgressBegin{Kind: protocol.WorkDoneProgressKindBegin, Title: title}})
		select {
		case <-op.done:
		case <-time.After(10 * time.Minute):
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel2()
		_ = p.s.client.Progress(ctx2, &protocol.ProgressParams{Token: *token, Value: &protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: op.message}})
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
