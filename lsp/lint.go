package lsp

import (
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Static convention checks (reloaders.Lint*), over the project at start and per file on change.

// lintAll runs the static convention checks over the whole project.
func (sess *session) lintAll() {
	sess.scanLinks()
	byFile := map[string][]diag.Diagnostic{}
	for _, d := range reloaders.LintProject(sess.root) {
		byFile[d.File] = append(byFile[d.File], d)
	}
	routes := map[string]string{}
	mw := ""
	for _, f := range scan.Project(sess.root) {
		switch f.Kind {
		case scan.Middlewares:
			mw = f.Path
		case scan.Route:
			routes[f.Path], _, _ = scan.RoutePath(f.Rel)
		}
	}
	sess.mu.Lock()
	sess.lint, sess.routes, sess.mwFile = byFile, routes, mw
	sess.mu.Unlock()
	sess.publish()
}

// relint updates the static checks after a change to path: the file itself, and the
// middleware matchers when the set of routes changed. It reads only what changed.
func (sess *session) relint(path string) {
	rel := diag.RelPath(sess.root, path)
	kind := scan.KindOf(rel)
	routePath, _, _ := scan.RoutePath(rel)
	isRoute, isMW := kind == scan.Route, kind == scan.Middlewares
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
	if kind == scan.Subscriber || kind == scan.Job {
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
