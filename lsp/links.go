package lsp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Paths and symbolic links (the rule is project/links.go): a session names files under its root
// as the workspace named it, which the dev server does too. A file the editor names another way
// is translated: through the root's real path, or as the target of a link to a file in the
// project. Diagnostics still go to the URI the editor used for the document.

// locate returns the session for path and the names of path in it: the path under the
// session's root, and the links in the project whose target it is. It returns nil when path is
// in no project.
func (s *Server) locate(path string) (*session, []string) {
	if path == "" {
		return nil, nil
	}
	if sess := s.sessionFor(path); sess != nil {
		return sess, append([]string{path}, sess.linksTo(path)...)
	}
	s.mu.Lock()
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	real := project.RealRoot(path) // the path itself may be reached through links
	for _, sess := range sessions {
		if sess.realRoot != sess.root && project.Within(sess.realRoot, real) {
			rel, _ := filepath.Rel(sess.realRoot, real)
			p := filepath.Join(sess.root, rel)
			if best := s.sessionFor(p); best != nil {
				return best, append([]string{p}, best.linksTo(real)...)
			}
		}
		if ls := sess.linksTo(real); len(ls) > 0 {
			return sess, ls
		}
	}
	return nil, nil
}

// linksTo returns the links in the project whose target is path (a real path).
func (sess *session) linksTo(path string) []string {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return append([]string(nil), sess.links[path]...)
}

// outsideTargets lists the targets of the project's links to files that leave it, sorted.
func (sess *session) outsideTargets() []string {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	var out []string
	for target := range sess.links {
		if !project.Within(sess.realRoot, target) {
			out = append(out, target)
		}
	}
	slices.Sort(out)
	return out
}

// scanLinks records the project's links to files, by target, and warns once about each link to
// a directory, which nothing enters.
func (sess *session) scanLinks() {
	byTarget := map[string][]string{}
	var dirs []project.Link
	for _, l := range project.Links(sess.root) {
		if l.Dir {
			dirs = append(dirs, l)
			continue
		}
		byTarget[l.Target] = append(byTarget[l.Target], l.Path)
	}
	sess.mu.Lock()
	sess.links = byTarget
	var fresh []project.Link
	for _, l := range dirs {
		if !sess.warned[l.Path] {
			sess.warned[l.Path] = true
			fresh = append(fresh, l)
		}
	}
	sess.mu.Unlock()
	for _, l := range fresh {
		sess.s.showMessage(protocol.MessageTypeWarning, "medusa-ls: "+l.Warning(sess.root))
	}
}

// isLink says whether path is a symbolic link.
func isLink(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&os.ModeSymlink != 0
}

// editorPath names a file the dev server reported (under the project's real path) under the
// root as the workspace named it.
func (sess *session) editorPath(p string) string {
	if sess.realRoot == sess.root || !project.Within(sess.realRoot, p) {
		return p
	}
	return sess.root + strings.TrimPrefix(p, sess.realRoot)
}

// editorDiagnostics renames the files of ds with editorPath, in a copy.
func (sess *session) editorDiagnostics(ds []diag.Diagnostic) []diag.Diagnostic {
	if sess.realRoot == sess.root || ds == nil {
		return ds
	}
	out := make([]diag.Diagnostic, len(ds))
	for i, d := range ds {
		d.File = sess.editorPath(d.File)
		if len(d.Related) > 0 {
			rel := make([]diag.Related, len(d.Related))
			for j, r := range d.Related {
				r.File = sess.editorPath(r.File)
				rel[j] = r
			}
			d.Related = rel
		}
		out[i] = d
	}
	return out
}

// editorEvent renames the files of what the dev server reported with editorPath.
func (sess *session) editorEvent(e devserver.Event) devserver.Event {
	if sess.realRoot == sess.root {
		return e
	}
	if e.Result != nil {
		res := *e.Result
		res.Problems = sess.editorDiagnostics(res.Problems)
		res.Errors = sess.editorDiagnostics(res.Errors)
		files := make([]string, len(res.Files))
		for i, f := range res.Files {
			files[i] = sess.editorPath(f)
		}
		res.Files = files
		reloaded := make([]reloaders.Resource, len(res.Reloaded))
		for i, r := range res.Reloaded {
			r.File = sess.editorPath(r.File)
			reloaded[i] = r
		}
		res.Reloaded = reloaded
		e.Result = &res
	}
	if e.Runtime != nil {
		rt := *e.Runtime
		rt.Problems = sess.editorDiagnostics(rt.Problems)
		e.Runtime = &rt
	}
	return e
}
