package reloaders

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/nodemodules"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// Static checks of Medusa's conventions: they read the source and run nothing, so the editor can
// show them before the dev server has loaded anything. The runtime reports the same problems
// with the same messages when it finds them while loading.

var matcherRe = regexp.MustCompile("matcher[ \\t]*:[ \\t]*([\"'`])((?:\\\\.|[^\\\\])*?)([\"'`])")

// MsgNoHandler and friends are shared by the linter and the runtime so that the editor sees one
// problem, not two.
func MsgNoHandler(path string) string {
	return fmt.Sprintf("route file exports no handler (%s), so nothing is served at %s", strings.Join(scan.HTTPMethods, ", "), path)
}

// MsgNotAFunction is the warning for a method export that is not a function.
func MsgNotAFunction(method, path string) string {
	return fmt.Sprintf("%s is exported but is not a function, so %s %s is not served", method, method, path)
}

func lineOf(src []byte, offset int) int { return 1 + strings.Count(string(src[:offset]), "\n") }

// withoutBOM drops a byte-order mark, which editors do not show, so that a first line starting
// with one reads as the editor shows it and its columns do not count it.
func withoutBOM(src []byte) []byte { return bytes.TrimPrefix(src, []byte("\uFEFF")) }

// columnOf is the 1-based UTF-16 column of a byte offset, as editors count.
func columnOf(src []byte, offset int) int {
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	return diag.UTF16Column(string(src[start:offset]), offset-start)
}

// LintRoute checks a route file (rel is relative to the project root) without running it.
func LintRoute(file, rel string, src []byte) []diag.Diagnostic {
	path, ok, err := scan.RoutePath(rel)
	if !ok {
		return nil
	}
	if err != nil {
		return []diag.Diagnostic{{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeConvention, Message: err.Error()}}
	}
	var out []diag.Diagnostic
	methods, star := 0, false
	for _, e := range scan.ExportsOf(src) {
		switch {
		case e.Name == "*":
			star = true
		case scan.IsHTTPMethod(e.Name) && (e.Literal || e.Decl == "class"):
			out = append(out, Warning(file, e.Line, MsgNotAFunction(e.Name, path)))
		case scan.IsHTTPMethod(e.Name):
			methods++
		case e.Name != "default":
			if want, ok := nearMethod(e.Name); ok {
				out = append(out, Warning(file, e.Line, MsgNearMethod(e.Name, want)))
			}
		}
	}
	// A near-miss already says why nothing is served: one cause, one warning.
	if methods == 0 && !star && len(out) == 0 {
		out = append(out, Warning(file, 1, MsgNoHandler(path)))
	}
	return out
}

// LintMiddlewares checks the matchers of a middlewares file against the project's route paths:
// a matcher that matches no route is probably a typo. Matchers under Medusa's own namespaces may
// target its core routes, which do not exist in this project, so those are only a hint.
func LintMiddlewares(file string, src []byte, routePaths []string) []diag.Diagnostic {
	src = withoutBOM(src)
	samples := make([]string, 0, len(routePaths))
	for _, p := range routePaths {
		segs := strings.Split(p, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = "param"
			}
		}
		samples = append(samples, strings.Join(segs, "/"))
	}
	// With Medusa installed, its core routes are served (the node runtime): a matcher under its
	// namespaces is what projects write to reach them, not a typo.
	root := filepath.Dir(filepath.Dir(filepath.Dir(file))) // <root>/src/api/middlewares.ts
	_, coreServed := nodemodules.Find(root, "@medusajs/medusa")
	var out []diag.Diagnostic
	for _, m := range matcherRe.FindAllSubmatchIndex(src, -1) {
		if src[m[2]] != src[m[6]] {
			continue
		}
		matcher := string(src[m[4]:m[5]])
		if strings.Contains(matcher, "${") {
			continue // a template literal built at run time
		}
		re, _, err := expressPattern(matcher, false)
		if err != nil {
			continue
		}
		matched := false
		for _, s := range samples {
			if re.MatchString(s) {
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		line := lineOf(src, m[4])
		col := columnOf(src, m[4])
		d := diag.Diagnostic{File: file, Line: line, Column: col, EndLine: line, EndColumn: columnOf(src, m[5]),
			Severity: diag.Warning, Code: diag.CodeConvention,
			Message: fmt.Sprintf("matcher %q matches no route in src/api", matcher)}
		core := false
		for _, ns := range []string{"/admin", "/store", "/auth", "/hooks"} {
			if hasPrefixSegment(strings.TrimRight(matcher, "*"), ns) || strings.HasPrefix(matcher, ns+"*") {
				core = true
				break
			}
		}
		if core && coreServed {
			continue
		}
		if core {
			d.Severity = diag.Info
			d.Message += " (it may target one of Medusa's core routes, which the embedded runtime does not serve)"
		}
		out = append(out, d)
	}
	return out
}

// LintProject runs the static checks over a project: every route file, the middlewares file,
// subscribers, jobs, and medusa-config's module paths.
func LintProject(root string) []diag.Diagnostic {
	out := LintConfig(root)
	files := scan.Project(root)
	lint := func(f scan.File) {
		if src, err := f.Read(); err == nil {
			out = append(out, LintFile(root, f.Path, src)...)
		}
	}
	var paths []string
	var mwFile string
	for _, f := range files {
		switch f.Kind {
		case scan.Middlewares:
			mwFile = f.Path
		case scan.Route:
			if path, _, err := scan.RoutePath(f.Rel); err == nil {
				paths = append(paths, path)
			}
			lint(f)
		}
	}
	if mwFile != "" {
		if src, err := os.ReadFile(mwFile); err == nil {
			sort.Strings(paths)
			out = append(out, LintMiddlewares(mwFile, src, paths)...)
		}
	}
	for _, f := range files {
		if f.Kind == scan.Subscriber || f.Kind == scan.Job {
			lint(f)
		}
	}
	return out
}

// LintFile runs the static check that applies to one file, by its kind (nil for other files).
func LintFile(root, file string, src []byte) []diag.Diagnostic {
	rel := diag.RelPath(root, file)
	switch scan.KindOf(rel) {
	case scan.Subscriber:
		return LintSubscriber(file, src)
	case scan.Job:
		return LintJob(file, src)
	case scan.Route:
		return LintRoute(file, rel, src)
	}
	return nil
}

// RouteFileResources lists the routes a route file provides ("GET /store/hello"), read without
// running it; nil for a file that is not a route file or cannot be read.
func RouteFileResources(root, file string) []Resource {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return RouteResources(file, diag.RelPath(root, file), src)
}

// RouteResources lists the routes that the route file file (rel from the project root) with
// content src provides, read without running it: its handlers as Medusa's RoutesLoader takes
// them, named as the runtimes name them ("GET /store/hello").
func RouteResources(file, rel string, src []byte) []Resource {
	path, ok, err := scan.RoutePath(rel)
	if !ok || err != nil {
		return nil
	}
	var out []Resource
	for _, h := range scan.ExportsOf(src).Handlers() {
		out = append(out, Resource{Kind: "route", Name: h.Name + " " + path, File: file, Line: h.Line})
	}
	return out
}

// StaticResources lists what the project's files provide, read without running anything: for
// runtimes that load the project themselves (node), and for reports before anything loaded.
func StaticResources(root string) []Resource {
	var out []Resource
	for _, f := range scan.Project(root) {
		switch f.Kind {
		case scan.Route:
			out = append(out, RouteFileResources(root, f.Path)...)
		case scan.Subscriber, scan.Job:
			src, _ := f.Read()
			out = append(out, Resource{Kind: string(f.Kind), Name: f.Rel, File: f.Path, Line: exportLine(src, "default")})
		case scan.Workflow:
			out = append(out, Resource{Kind: "workflow", Name: f.Rel, File: f.Path, Line: 1})
		case scan.Module:
			// A module is the folder Medusa resolves; with index.js and index.ts, Node takes .js.
			name := path.Base(path.Dir(f.Rel))
			if n := len(out); n == 0 || out[n-1].Kind != "module" || out[n-1].Name != name {
				out = append(out, Resource{Kind: "module", Name: name, File: f.Path, Line: 1})
			}
		}
	}
	return out
}
