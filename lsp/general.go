package lsp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/version"
)

// The server's lifecycle: initialize (capabilities, settings, the workspace's Medusa projects),
// initialized (a session per project), shutdown and exit.

func (s *Server) initialize(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.InitializeParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var raw struct {
		InitializationOptions json.RawMessage `json:"initializationOptions"`
	}
	_ = json.Unmarshal(params, &raw)
	settings, err := parseSettings(raw.InitializationOptions, DefaultSettings())
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "initializationOptions: "+err.Error())
	}
	caps := clientCaps{}
	if w := p.Capabilities.Workspace; w != nil && w.DidChangeWatchedFiles != nil {
		caps.dynamicWatch = w.DidChangeWatchedFiles.DynamicRegistration
	}
	if w := p.Capabilities.Window; w != nil {
		caps.workDoneProgress = w.WorkDoneProgress
	}
	if td := p.Capabilities.TextDocument; td != nil && td.PublishDiagnostics != nil {
		caps.relatedInfo = td.PublishDiagnostics.RelatedInformation
	}
	var folders []string
	for _, f := range p.WorkspaceFolders {
		if dir := uriPath(f.URI); dir != "" {
			folders = append(folders, dir)
		}
	}
	if len(folders) == 0 && p.RootURI != "" {
		folders = append(folders, uriPath(string(p.RootURI)))
	}
	if len(folders) == 0 && p.RootPath != "" {
		folders = append(folders, p.RootPath)
	}
	if len(folders) == 0 {
		if wd, err := os.Getwd(); err == nil {
			folders = append(folders, wd)
		}
	}
	roots := discoverRoots(folders)
	s.mu.Lock()
	s.state = stateInitialized
	s.settings, s.caps, s.roots = settings, caps, roots
	s.mu.Unlock()

	return protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindNone,
				Save:      &protocol.SaveOptions{IncludeText: false},
			},
			CodeLensProvider:        &protocol.CodeLensOptions{},
			ExecuteCommandProvider:  &protocol.ExecuteCommandOptions{Commands: serverCommands},
			WorkspaceSymbolProvider: true,
		},
		ServerInfo: &protocol.ServerInfo{Name: "medusa-ls", Version: version.Version},
	}, nil
}

// discoverRoots finds Medusa projects in the workspace folders, or one level below them.
func discoverRoots(folders []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range folders {
		for _, r := range project.Discover(f) {
			if abs, err := filepath.Abs(r); err == nil && !seen[abs] {
				seen[abs] = true
				out = append(out, abs)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s *Server) initialized(ctx context.Context, _ json.RawMessage) error {
	s.mu.Lock()
	roots := append([]string(nil), s.roots...)
	settings := s.settings
	s.mu.Unlock()
	if len(roots) == 0 {
		s.logMessage(protocol.MessageTypeInfo, "medusa-ls: no Medusa project (medusa-config.*) in this workspace; nothing to serve")
		return nil
	}
	for _, root := range roots {
		sess := s.newSession(root)
		sess.lintAll()
		if settings.AutoStart {
			sess.start(settings)
		} else {
			sess.sendStatus()
		}
	}
	if s.caps.dynamicWatch {
		s.goBackground(func() { s.registerWatchers(roots) })
	}
	return nil
}

func (s *Server) shutdown(ctx context.Context, _ json.RawMessage) (any, error) {
	s.mu.Lock()
	s.state = stateShutdown
	s.mu.Unlock()
	s.stopAll()
	return nil, nil
}

func (s *Server) exit() {
	s.mu.Lock()
	if s.state == stateShutdown {
		s.exitCode = 0
	}
	s.mu.Unlock()
	s.doneOnce.Do(func() { close(s.done) })
}

// stopAll stops every dev server; nothing we started may outlive the editor connection.
func (s *Server) stopAll() {
	s.mu.Lock()
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, sess := range sessions {
		wg.Add(1)
		go func(sess *session) {
			defer wg.Done()
			sess.stop()
		}(sess)
	}
	wg.Wait()
}
