package reloaders

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/nodemodules"
)

// Static checks of Medusa's conventions: they read the source and run nothing, so the editor can
// show them before the dev server has loaded anything. The runtime reports the same problems
// with the same messages when it finds them while loading.

var (
	exportDeclRe  = regexp.MustCompile(`(?m)^[ \t]*export[ \t]+(?:declare[ \t]+)?(?:(async)[ \t]+)?(function\*?|const|let|var|class)[ \t]+([A-Za-z_$][\w$]*)`)
	exportListRe  = regexp.MustCompile(`(?m)^[ \t]*export[ \t]*\{([^}]*)\}`)
	exportStarRe  = regexp.MustCompile(`(?m)^[ \t]*export[ \t]*\*`)
	matcherRe     = regexp.MustCompile("matcher[ \\t]*:[ \\t]*([\"'`])((?:\\\\.|[^\\\\])*?)([\"'`])")
	literalInitRe = regexp.MustCompile(`^[ \t]*(?::[^=]+)?=[ \t]*(["'` + "`" + `0-9\[{]|-?\d|true\b|false\b|null\b|undefined\b|new\b)`)
)

// MsgNoHandler and friends are shared by the linter and the runtime so that the editor sees one
// problem, not two.
func MsgNoHandler(path string) string {
	return fmt.Sprintf("route file exports no handler (%s), so nothing is served at %s", strings.Join(HTTPMethods, ", "), path)
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
	src = withoutBOM(src)
	path, ok, err := RoutePath(rel)
	if !ok {
		return nil
	}
	if err != nil {
		return []diag.Diagnostic{{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeConvention, Message: err.Error()}}
	}
	var out []diag.Diagnostic
	methods := 0
	isMethod := func(n string) bool {
		for _, m := range HTTPMethods {
			if n == m {
				return true
			}
		}
		return false
	}
	check := func(name string, line int) {
		switch {
		case isMethod(name):
			methods++
		default:
			if want, ok := nearMethod(name); ok {
				out = append(out, Warning(file, line, MsgNearMethod(name, want)))
			}
		}
	}
	for _, m := range exportDeclRe.FindAllSubmatchIndex(src, -1) {
		name := string(src[m[6]:m[7]])
		line := lineOf(src, m[6])
		check(name, line)
		kind := string(src[m[4]:m[5]])
		if isMethod(name) && (kind == "const" || kind == "let" || kind == "var") && literalInitRe.Match(src[m[7]:min(len(src), m[7]+200)]) {
			out = append(out, Warning(file, line, MsgNotAFunction(name, path)))
			methods--
		}
		if isMethod(name) && kind == "class" {
			out = append(out, Warning(file, line, MsgNotAFunction(name, path)))
			methods--
		}
	}
	for _, m := range exportListRe.FindAllSubmatchIndex(src, -1) {
		for _, part := range strings.Split(string(src[m[2]:m[3]]), ",") {
			fields := strings.Fields(part)
			if len(fields) == 0 {
				continue
			}
			check(fields[len(fields)-1], lineOf(src, m[0]))
		}
	}
	// A near-miss already says why nothing is served: one cause, one warning.
	if methods <= 0 && !exportStarRe.Match(src) && len(out) == 0 {
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
	api := filepath.Join(root, filepath.FromSlash(APIDir))
	var paths []string
	out := LintConfig(root)
	var mwFile string
	_ = filepath.WalkDir(api, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || strings.HasPrefix(n, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel := diag.RelPath(root, p)
		if IsMiddlewaresFile(rel) {
			mwFile = p
			return nil
		}
		path, ok, _ := RoutePath(rel)
		if !ok {
			return nil
		}
		paths = append(paths, path)
		if src, err := os.ReadFile(p); err == nil {
			out = append(out, LintRoute(p, rel, src)...)
		}
		return nil
	})
	if mwFile != "" {
		if src, err := os.ReadFile(mwFile); err == nil {
			sort.Strings(paths)
			out = append(out, LintMiddlewares(mwFile, src, paths)...)
		}
	}
	for _, kind := range []struct {
		dir  string
		lint func(string, []byte) []diag.Diagnostic
	}{{SubscribersDir, LintSubscriber}, {JobsDir, LintJob}} {
		_ = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(kind.dir)), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isResourceFile(diag.RelPath(root, p), kind.dir) {
				return nil
			}
			if src, err := os.ReadFile(p); err == nil {
				out = append(out, kind.lint(p, src)...)
			}
			return nil
		})
	}
	return out
}

// LintFile runs the static check that applies to one file, by its kind (nil for other files).
func LintFile(root, file string, src []byte) []diag.Diagnostic {
	rel := diag.RelPath(root, file)
	switch {
	case isResourceFile(rel, SubscribersDir):
		return LintSubscriber(file, src)
	case isResourceFile(rel, JobsDir):
		return LintJob(file, src)
	}
	if _, ok, _ := RoutePath(rel); ok {
		return LintRoute(file, rel, src)
	}
	return nil
}

// RoutePaths lists the URL paths of a project's route files, statically.
func RoutePaths(root string) []string {
	var out []string
	_ = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(APIDir)), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if path, ok, _ := RoutePath(diag.RelPath(root, p)); ok {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// RouteFileResources lists the routes a route file provides ("GET /store/hello"), read without
// running it; nil for a file that is not a route file or cannot be read.
func RouteFileResources(root, file string) []Resource {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return routeResources(file, diag.RelPath(root, file), withoutBOM(src))
}

func routeResources(p, rel string, src []byte) []Resource {
	path, ok, err := RoutePath(rel)
	if !ok || err != nil {
		return nil
	}
	var out []Resource
	for _, m := range exportDeclRe.FindAllSubmatchIndex(src, -1) {
		name := string(src[m[6]:m[7]])
		for _, method := range HTTPMethods {
			if name == method {
				out = append(out, Resource{Kind: "route", Name: method + " " + path, File: p, Line: lineOf(src, m[6])})
			}
		}
	}
	return out
}

// StaticResources lists what the project's files provide, read without running anything: for
// runtimes that load the project themselves (node), and for reports before anything loaded.
func StaticResources(root string) []Resource {
	var out []Resource
	walk := func(dir string, fn func(path, rel string, src []byte)) {
		_ = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if src, err := os.ReadFile(p); err == nil {
				fn(p, diag.RelPath(root, p), withoutBOM(src))
			}
			return nil
		})
	}
	walk(APIDir, func(p, rel string, src []byte) {
		out = append(out, routeResources(p, rel, src)...)
	})
	walk(SubscribersDir, func(p, rel string, src []byte) {
		if isResourceFile(rel, SubscribersDir) {
			out = append(out, Resource{Kind: "subscriber", Name: rel, File: p, Line: lineOfMatch(src, defaultDeclRe)})
		}
	})
	walk(JobsDir, func(p, rel string, src []byte) {
		if isResourceFile(rel, JobsDir) {
			out = append(out, Resource{Kind: "job", Name: rel, File: p, Line: lineOfMatch(src, defaultDeclRe)})
		}
	})
	walk(WorkflowsDir, func(p, rel string, src []byte) {
		if isResourceFile(rel, WorkflowsDir) {
			out = append(out, Resource{Kind: "workflow", Name: rel, File: p, Line: 1})
		}
	})
	// A module is a folder of src/modules with an index file (Medusa resolves the folder).
	modules, _ := os.ReadDir(filepath.Join(root, "src", "modules"))
	for _, m := range modules {
		if !m.IsDir() || strings.HasPrefix(m.Name(), ".") {
			continue
		}
		for _, ext := range []string{".ts", ".js", ".mts", ".cts", ".mjs", ".cjs"} {
			index := filepath.Join(root, "src", "modules", m.Name(), "index"+ext)
			if _, err := os.Stat(index); err == nil {
				out = append(out, Resource{Kind: "module", Name: m.Name(), File: index, Line: 1})
				break
			}
		}
	}
	return out
}
