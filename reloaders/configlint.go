package reloaders

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/nodemodules"
	"github.com/medusa-ls/medusa-ls/project"
)

var resolveRe = regexp.MustCompile("\\bresolve[ \\t]*:[ \\t]*([\"'`])([^\"'`\\n]+)([\"'`])")

// scriptExts are the extensions a module path may resolve to (Node's, and TypeScript's through
// Medusa's loader).
var scriptExts = []string{".ts", ".js", ".mts", ".mjs", ".cts", ".cjs"}

// LintConfig checks medusa-config's module and plugin paths as Medusa's loader resolves them at
// boot, without running anything: a relative path must be a script or a folder with an index,
// and a package must be installed (checked only when the project has node_modules). Errors sit
// on the resolve string.
func LintConfig(root string) []diag.Diagnostic {
	var file string
	var src []byte
	for _, n := range project.ConfigNames {
		if b, err := os.ReadFile(filepath.Join(root, n)); err == nil {
			file, src = filepath.Join(root, n), withoutBOM(b)
			break
		}
	}
	if file == "" {
		return nil
	}
	var out []diag.Diagnostic
	for _, m := range resolveRe.FindAllSubmatchIndex(src, -1) {
		if src[m[2]] != src[m[6]] {
			continue
		}
		spec := string(src[m[4]:m[5]])
		if strings.Contains(spec, "${") {
			continue // built at run time
		}
		msg := resolveProblem(root, spec)
		if msg == "" {
			continue
		}
		line := lineOf(src, m[4])
		out = append(out, diag.Diagnostic{File: file, Line: line, Column: columnOf(src, m[4]), EndLine: line, EndColumn: columnOf(src, m[5]),
			Severity: diag.Error, Code: diag.CodeConfig, Message: msg})
	}
	return out
}

// resolveProblem says why Medusa could not load spec, or "" when it resolves.
func resolveProblem(root, spec string) string {
	if p, ok := project.ModulePath(root, spec); ok {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return ""
		}
		for _, ext := range scriptExts {
			if _, err := os.Stat(p + ext); err == nil {
				return ""
			}
		}
		fi, err := os.Stat(p)
		if err != nil {
			if w := filepath.ToSlash(diag.RelPath(root, p)); strings.HasPrefix(spec, "./") && "./"+w != spec {
				return fmt.Sprintf("cannot find %s (Medusa looks in %s): Medusa fails to start (Cannot find module)", spec, w)
			}
			return fmt.Sprintf("cannot find %s: Medusa fails to start (Cannot find module)", spec)
		}
		if fi.IsDir() {
			for _, ext := range scriptExts {
				if _, err := os.Stat(filepath.Join(p, "index"+ext)); err == nil {
					return ""
				}
			}
			if _, err := os.Stat(filepath.Join(p, "package.json")); err == nil {
				return ""
			}
			return fmt.Sprintf("%s has no index file (index.ts exporting Module(…)): Medusa fails to start (Cannot find module)", spec)
		}
		return ""
	}
	// A package: looked up in node_modules folders from the project up, as Node does (a
	// monorepo hoists it to the workspace root).
	name := spec
	if parts := strings.Split(spec, "/"); strings.HasPrefix(spec, "@") && len(parts) >= 2 {
		name = parts[0] + "/" + parts[1]
	} else {
		name = parts[0]
	}
	if _, ok := nodemodules.Find(root, name); ok {
		return ""
	}
	anyModules := false
	for dir := root; ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil && fi.IsDir() {
			anyModules = true
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if !anyModules {
		return "" // nothing installed yet: no way to tell
	}
	return fmt.Sprintf("cannot find package %s: it is not installed (npm install %s), so Medusa fails to start", name, name)
}
