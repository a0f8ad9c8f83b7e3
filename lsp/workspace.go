package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/project"
)

// Workspace: settings (workspace/didChangeConfiguration), workspace folders added and removed
// (a session per Medusa project in them), and the client's file watching.

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
			if project.Within(dir, root) {
				gone = append(gone, sess)
				delete(s.sessions, root)
			}
		}
		s.roots = slices.DeleteFunc(s.roots, func(r string) bool {
			return project.Within(dir, r)
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
		if sess := s.sessionFor(r); sess != nil {
			// The targets of links to files that leave the project (links.go).
			for _, target := range sess.outsideTargets() {
				watchers = append(watchers, protocol.FileSystemWatcher{GlobPattern: filepath.ToSlash(target)})
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.call(ctx, protocol.MethodClientRegisterCapability, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID: "medusa-ls-watched-files", Method: "workspace/didChangeWatchedFiles",
		RegisterOptions: protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: watchers},
	}}}, nil)
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
