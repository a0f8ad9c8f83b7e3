package lsp

import (
	"os"
	"path/filepath"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/project"
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
