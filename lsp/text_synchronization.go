package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
)

// Text synchronization. Every way the editor says a file changed goes through didModifyFiles,
// with its cause; the server asks for no didChange (it reloads what is on disk, on save).

// modificationSource is why the editor reports a file (gopls: FileModificationSource).
type modificationSource int

const (
	// fromDidOpen: a document was opened. Its static checks run again; nothing reloads (the
	// dev server has the file's content already, or hears of a save through didSave or its
	// watcher).
	fromDidOpen modificationSource = iota
	// fromDidSave: the editor saved the document; the dev server reloads it.
	fromDidSave
	// fromDidChangeWatchedFiles: the client's file watcher saw it change on disk (a tool, a
	// checkout); the dev server reloads it.
	fromDidChangeWatchedFiles
)

func (m modificationSource) String() string {
	switch m {
	case fromDidOpen:
		return "didOpen"
	case fromDidSave:
		return "didSave"
	case fromDidChangeWatchedFiles:
		return "didChangeWatchedFiles"
	}
	return "unknown"
}

// reloads says whether the dev server reloads a file reported this way.
func (m modificationSource) reloads() bool { return m != fromDidOpen }

// names says whether the URI is how the editor names an open document, which its diagnostics
// must be published under (a watcher's event names a file, not a document).
func (m modificationSource) names() bool { return m != fromDidChangeWatchedFiles }

func (s *Server) didOpen(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	s.didModifyFiles([]protocol.DocumentURI{p.TextDocument.URI}, fromDidOpen)
	return nil
}

func (s *Server) didSave(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	s.didModifyFiles([]protocol.DocumentURI{p.TextDocument.URI}, fromDidSave)
	return nil
}

func (s *Server) didChangeWatchedFiles(ctx context.Context, params json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decode(params, &p); err != nil {
		return err
	}
	uris := make([]protocol.DocumentURI, 0, len(p.Changes))
	for _, c := range p.Changes {
		uris = append(uris, c.URI)
	}
	s.didModifyFiles(uris, fromDidChangeWatchedFiles)
	return nil
}

// didModifyFiles is the one entry point for changed files: it finds each file's project and
// its names there (links.go), queues a reload when the cause asks for one, and runs the file's
// static checks again. It never blocks: reloads run in the dev server.
func (s *Server) didModifyFiles(uris []protocol.DocumentURI, cause modificationSource) {
	for _, u := range uris {
		sess, paths := s.locate(uriPath(string(u)))
		if sess == nil {
			continue // outside every project
		}
		if cause.names() {
			for _, p := range paths {
				s.clientURIs.Store(p, string(u)) // diagnostics go where the editor opened it
			}
		}
		sess.changed(paths, cause.reloads())
	}
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
