package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/host"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Commands the server runs (workspace/executeCommand). medusa.openUrl is the client's own.
const (
	CmdRestart   = "medusa.restart"
	CmdReloadAll = "medusa.reloadAll"
	CmdStop      = "medusa.stop"
	CmdStart     = "medusa.start"
	CmdOpenURL   = "medusa.openUrl"
	CmdEmitEvent = "medusa.emitEvent"
	CmdRunJob    = "medusa.runJob"
)

var serverCommands = []string{CmdRestart, CmdReloadAll, CmdStop, CmdStart, CmdEmitEvent, CmdRunJob}

func (s *Server) didOpen(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	// The editor may have saved while the client was still starting (no didSave was sent);
	// the content hash makes this a no-op when nothing changed.
	return s.fileChanged(string(p.TextDocument.URI), false)
}

func (s *Server) didSave(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	return s.fileChanged(string(p.TextDocument.URI), true)
}

// fileChanged queues a reload of the file (when reload is set) and updates the static checks.
// It never blocks: the reload runs in the supervisor.
func (s *Server) fileChanged(u string, reload bool) error {
	sess, paths := s.locate(uriPath(u))
	if sess == nil {
		return nil // outside every project
	}
	for _, p := range paths {
		s.clientURIs.Store(p, u) // diagnostics go where the editor opened it
	}
	sess.changed(paths, reload)
	return nil
}

// changed queues a reload of the files (when reload is set) and updates their static checks.
func (sess *session) changed(paths []string, reload bool) {
	if isLink(paths[0]) {
		sess.scanLinks() // a link was added or replaced
	}
	if reload {
		sess.enqueue(paths...)
	}
	for _, p := range paths {
		sess.relint(p)
	}
}

func (s *Server) didChangeWatchedFiles(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decode(params, &p); err != nil {
		return err
	}
	for _, c := range p.Changes {
		if sess, paths := s.locate(uriPath(string(c.URI))); sess != nil {
			sess.changed(paths, true)
		}
	}
	return nil
}

func (s *Server) didChangeConfiguration(ctx context.Context, params json.RawMessage) error {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := decode(params, &p); err != nil {
		return err
	}
	raw := p.Settings
	var wrapped struct {
		Medusa json.RawMessage `json:"medusa"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.Medusa) > 0 {
		raw = wrapped.Medusa
	}
	s.mu.Lock()
	old := s.settings
	s.mu.Unlock()
	next, err := parseSettings(raw, old)
	if err != nil {
		s.showMessage(protocol.MessageTypeError, "medusa-ls: "+err.Error())
		return err
	}
	s.mu.Lock()
	s.settings = next
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	restart := needsRestart(old, next)
	for _, sess := range sessions {
		sess := sess
		running := sess.active()
		switch {
		case running && restart && sess.attached() != nil:
			// Not ours to restart with other settings; they apply when this editor serves.
			s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("medusa-ls: the new settings apply when this editor runs the dev server of %s; now it uses pid %d's", sess.root, sess.attached().pid))
		case running && restart:
			s.goBackground(func() {
				sess.stop()
				sess.start(next)
			})
		case !running && next.AutoStart && !old.AutoStart:
			sess.start(next)
		}
	}
	return nil
}

func (s *Server) didChangeWorkspaceFolders(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidChangeWorkspaceFoldersParams
	if err := decode(params, &p); err != nil {
		return err
	}
	var added []string
	for _, f := range p.Event.Added {
		added = append(added, uriPath(f.URI))
	}
	for _, root := range discoverRoots(added) {
		s.mu.Lock()
		_, exists := s.sessions[root]
		if !exists {
			s.roots = append(s.roots, root)
		}
		settings := s.settings
		s.mu.Unlock()
		if !exists {
			sess := s.newSession(root)
			sess.lintAll()
			if settings.AutoStart {
				sess.start(settings)
			}
		}
	}
	for _, f := range p.Event.Removed {
		dir := uriPath(f.URI)
		s.mu.Lock()
		var gone []*session
		for root, sess := range s.sessions {
			if root == dir || strings.HasPrefix(root, dir+string(filepath.Separator)) {
				gone = append(gone, sess)
				delete(s.sessions, root)
			}
		}
		s.roots = slices.DeleteFunc(s.roots, func(r string) bool {
			return r == dir || strings.HasPrefix(r, dir+string(filepath.Separator))
		})
		s.mu.Unlock()
		for _, sess := range gone {
			s.goBackground(sess.close)
		}
	}
	return nil
}

// registerWatchers asks the client to report file changes made outside the editor. If it
// refuses, the supervisors watch with fsnotify instead.
func (s *Server) registerWatchers(roots []string) {
	var watchers []protocol.FileSystemWatcher
	for _, r := range roots {
		base := filepath.ToSlash(r)
		watchers = append(watchers,
			protocol.FileSystemWatcher{GlobPattern: base + "/**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs,json}"},
			protocol.FileSystemWatcher{GlobPattern: base + "/.env*"},
		)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.client.RegisterCapability(ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID: "medusa-ls-watched-files", Method: "workspace/didChangeWatchedFiles",
		RegisterOptions: protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: watchers},
	}}})
	if err == nil {
		return
	}
	s.log.Info("lsp: the client did not accept file watching; watching with fsnotify", "err", err)
	s.mu.Lock()
	s.caps.dynamicWatch = false
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	for _, sess := range sessions {
		if sup := sess.supervisor(); sup != nil {
			_ = sup.Watch()
		}
	}
}

func (s *Server) executeCommand(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.ExecuteCommandParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	settings := s.settings
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	if root := rootArgument(p.Arguments); root != "" {
		if sess := s.sessionFor(root); sess != nil {
			sessions = []*session{sess}
		}
	}
	if len(sessions) == 0 && p.Command != CmdOpenURL {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "there is no Medusa project (medusa-config.*) in this workspace")
	}
	switch p.Command {
	case CmdEmitEvent, CmdRunJob:
		return s.childCommand(ctx, p, sessions)
	}
	var errs []string
	for _, sess := range sessions {
		var err error
		srv, remote := sess.server(), sess.attached()
		switch p.Command {
		case CmdRestart:
			if srv == nil {
				sess.start(settings)
			} else {
				err = srv.Restart(ctx)
			}
		case CmdReloadAll:
			if srv == nil {
				err = fmt.Errorf("the dev server of %s is not running", sess.root)
			} else {
				err = srv.ReloadAll(ctx)
			}
		case CmdStop:
			if remote != nil { // stops its child; the other process keeps the port
				err = remote.Stop(ctx)
			} else {
				sess.stop()
			}
		case CmdStart:
			if remote != nil {
				err = remote.Start(ctx)
			} else {
				sess.start(settings)
			}
		case CmdOpenURL:
			// A client-side command; editors without it send it here. Say where to go.
			if len(p.Arguments) > 0 {
				s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("medusa-ls: %v", p.Arguments[0]))
			}
			return nil, nil
		default:
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("unknown command %q (medusa-ls runs %s)", p.Command, strings.Join(serverCommands, ", ")))
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, strings.Join(errs, "; "))
	}
	return nil, nil
}

// rootArgument reads an optional {"root": "/path"} first argument.
func rootArgument(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if m, ok := args[0].(map[string]any); ok {
		if r, ok := m["root"].(string); ok {
			return r
		}
	}
	return ""
}

// childCommand runs medusa.emitEvent [name, data?] or medusa.runJob [name] in the dev server.
func (s *Server) childCommand(ctx context.Context, p protocol.ExecuteCommandParams, sessions []*session) (any, error) {
	var name string
	if len(p.Arguments) > 0 {
		name, _ = p.Arguments[0].(string)
	}
	if strings.TrimSpace(name) == "" {
		what := "an event name"
		if p.Command == CmdRunJob {
			what = "a job name"
		}
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s needs %s as its first argument", p.Command, what))
	}
	// The project that has the job or subscriber; with one project, that one.
	sess := sessions[0]
	if len(sessions) > 1 {
		for _, candidate := range sessions {
			if candidate.hasResource(p.Command, name) {
				sess = candidate
				break
			}
		}
	}
	sup := sess.server()
	if sup == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the dev server is not running (medusa.start)")
	}
	var (
		data json.RawMessage
		err  error
	)
	if p.Command == CmdEmitEvent {
		args := host.EmitArgs{Name: name}
		if len(p.Arguments) > 1 && p.Arguments[1] != nil {
			if args.Data, err = json.Marshal(p.Arguments[1]); err != nil {
				return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the event data is not JSON: "+err.Error())
			}
		}
		data, err = sup.Call(ctx, host.CmdEmitEvent, args)
	} else {
		data, err = sup.Call(ctx, host.CmdRunJob, host.RunJobArgs{Name: name})
	}
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out, nil
}

func (sess *session) hasResource(command, name string) bool {
	found := false
	walkResources(sess.root, func(_ string, kind string, src []byte) {
		switch {
		case command == CmdRunJob && kind == "job" && jobOf(src).name == name:
			found = true
		case command == CmdEmitEvent && kind == "subscriber":
			for _, e := range subscriberOf(src).events {
				if e == name {
					found = true
				}
			}
		}
	})
	return found
}

func (s *Server) codeLens(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	out := []protocol.CodeLens{}
	sess, paths := s.locate(uriPath(string(p.TextDocument.URI)))
	if sess == nil {
		return out, nil
	}
	path := paths[0]
	src, err := os.ReadFile(path)
	if err != nil {
		return out, nil
	}
	switch kindOf(sess.root, path) {
	case "route":
		out = append(out, sess.routeLenses(path, src)...)
	case "subscriber":
		v := subscriberOf(src)
		if len(v.events) > 0 {
			out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: "on " + strings.Join(v.events, ", ")}})
			for _, e := range v.events {
				title := "Emit test event"
				if len(v.events) > 1 {
					title = "Emit " + e
				}
				out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: title, Command: CmdEmitEvent, Arguments: []any{e, map[string]any{}}}})
			}
		}
	case "job":
		v := jobOf(src)
		if v.name != "" {
			out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: sess.nextRun(ctx, v.name)}})
			out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: "Run now", Command: CmdRunJob, Arguments: []any{v.name}}})
		}
	}
	return out, nil
}

func (sess *session) routeLenses(path string, src []byte) []protocol.CodeLens {
	var out []protocol.CodeLens
	for _, r := range routeSymbols(path, diag.RelPath(sess.root, path), src) {
		method, route, _ := strings.Cut(r.Name, " ")
		cmd := protocol.Command{Title: r.Name}
		if base := sess.url(); base != "" {
			url := base + route
			cmd.Title = method + " " + url
			if method == "GET" || method == "HEAD" {
				cmd.Command, cmd.Arguments = CmdOpenURL, []any{url}
			}
		}
		out = append(out, protocol.CodeLens{Range: lineRange(r.Line), Command: &cmd})
	}
	return out
}

// nextRun asks the dev server when a job runs next.
func (sess *session) nextRun(ctx context.Context, name string) string {
	sup := sess.server()
	if sup == nil {
		return "not scheduled (dev server stopped)"
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	data, err := sup.Call(cctx, host.CmdJobs, nil)
	if err != nil {
		return "not scheduled"
	}
	var jobs []host.JobInfo
	_ = json.Unmarshal(data, &jobs)
	for _, j := range jobs {
		if j.Name == name && !j.Next.IsZero() {
			next := j.Next.Local()
			if next.Format("2006-01-02") == time.Now().Format("2006-01-02") {
				return "next run " + next.Format("15:04:05")
			}
			return "next run " + next.Format("Jan 2 15:04:05")
		}
		if j.Name == name && j.Schedule != "" {
			return "runs " + j.Schedule
		}
	}
	return "not scheduled"
}

func (sess *session) url() string {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.status.State == devserver.StateStopped {
		return ""
	}
	return sess.status.URL
}

func lineRange(line int) protocol.Range {
	l := uint32(max(line, 1) - 1)
	return protocol.Range{Start: protocol.Position{Line: l}, End: protocol.Position{Line: l}}
}

// routeSymbols lists a route file's handlers, found statically.
func routeSymbols(file, rel string, src []byte) []reloaders.Resource {
	path, ok, err := reloaders.RoutePath(rel)
	if !ok || err != nil {
		return nil
	}
	var out []reloaders.Resource
	for _, m := range exportDeclRe.FindAllSubmatchIndex(src, -1) {
		name := string(src[m[2]:m[3]])
		for _, method := range reloaders.HTTPMethods {
			if name == method {
				out = append(out, reloaders.Resource{Kind: "route", Name: method + " " + path, File: file, Line: 1 + strings.Count(string(src[:m[2]]), "\n")})
			}
		}
	}
	return out
}

func (s *Server) workspaceSymbol(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.WorkspaceSymbolParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	query := strings.ToLower(p.Query)
	s.mu.Lock()
	roots := append([]string(nil), s.roots...)
	s.mu.Unlock()
	out := []protocol.SymbolInformation{}
	add := func(name string, kind protocol.SymbolKind, path, container string, line int) {
		if query != "" && !strings.Contains(strings.ToLower(name), query) {
			return
		}
		out = append(out, protocol.SymbolInformation{Name: name, Kind: kind, ContainerName: container,
			Location: protocol.Location{URI: s.documentURI(path), Range: lineRange(line)}})
	}
	for _, root := range roots {
		walkResources(root, func(path, kind string, src []byte) {
			if ctx.Err() != nil {
				return
			}
			rel := diag.RelPath(root, path)
			switch kind {
			case "route":
				for _, r := range routeSymbols(path, rel, src) {
					add(r.Name, protocol.SymbolKindFunction, path, rel, r.Line)
				}
			case "subscriber":
				v := subscriberOf(src)
				for _, e := range v.events {
					add("subscriber "+e, protocol.SymbolKindEvent, path, rel, v.line)
				}
			case "job":
				if v := jobOf(src); v.name != "" {
					add("job "+v.name, protocol.SymbolKindFunction, path, v.schedule+" · "+rel, v.line)
				}
			case "workflow":
				for _, w := range named(src, createWorkflowRe) {
					add("workflow "+w.name, protocol.SymbolKindClass, path, rel, w.line)
				}
				for _, st := range named(src, createStepRe) {
					add("step "+st.name, protocol.SymbolKindMethod, path, rel, st.line)
				}
			}
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
