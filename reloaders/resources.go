package reloaders

import (
	"os"
	"regexp"
	"strings"

	"github.com/medusa-ls/medusa-ls/jsvm"
)

// sourceOf is the content m was evaluated from (read once per save), or file as it is now.
func sourceOf(m *jsvm.Module, file string) []byte {
	if m.Source != nil {
		return m.Source
	}
	src, _ := os.ReadFile(file)
	return src
}

// isResourceFile applies Medusa's resource-file filter (framework/utils/resource-loader.ts) to
// a file under dir: .ts or .js, found recursively, but not index files, declarations, tests,
// or names starting with "_".
func isResourceFile(rel, dir string) bool {
	if !strings.HasPrefix(rel, dir+"/") {
		return false
	}
	rest := rel[len(dir)+1:]
	segs := strings.Split(rest, "/")
	for _, s := range segs[:len(segs)-1] {
		if s == "__tests__" || s == "node_modules" || strings.HasPrefix(s, "_") || strings.HasPrefix(s, ".") {
			return false
		}
	}
	name := segs[len(segs)-1]
	switch {
	case strings.HasPrefix(name, "_"), strings.HasPrefix(name, "index."), strings.HasSuffix(name, ".d.ts"),
		strings.Contains(name, ".spec."), strings.Contains(name, ".test."):
		return false
	}
	return strings.HasSuffix(name, ".ts") || strings.HasSuffix(name, ".js")
}

var (
	configDeclRe  = regexp.MustCompile(`(?m)^[ \t]*export[ \t]+(?:const|let|var)[ \t]+config\b`)
	defaultDeclRe = regexp.MustCompile(`(?m)^[ \t]*export[ \t]+default\b`)
)

// lineOfMatch returns the 1-based line of re's first match in src, or 1.
func lineOfMatch(src []byte, re *regexp.Regexp) int {
	if loc := re.FindIndex(src); loc != nil {
		return lineOf(src, loc[0])
	}
	return 1
}

// lineOfKey returns the line of the first `key:` in src, or fallback.
func lineOfKey(src []byte, key string, fallback int) int {
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(key) + `[ \t]*:`)
	if loc := re.FindIndex(src); loc != nil {
		return lineOf(src, loc[0])
	}
	return fallback
}

var eventKeyRe = regexp.MustCompile(`\bevent[ \t]*:`)
