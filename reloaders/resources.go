package reloaders

import (
	"os"
	"regexp"

	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// sourceOf is the content m was evaluated from (read once per save), or file as it is now.
func sourceOf(m *jsvm.Module, file string) []byte {
	if m.Source != nil {
		return m.Source
	}
	src, _ := os.ReadFile(file)
	return src
}

// exportLine is the line of the export called name in src, or 1 when there is none.
func exportLine(src []byte, name string) int { return max(scan.ExportsOf(src).Line(name), 1) }

// lineOfKey returns the line of the first `key:` in src, or fallback.
func lineOfKey(src []byte, key string, fallback int) int {
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(key) + `[ \t]*:`)
	if loc := re.FindIndex(src); loc != nil {
		return lineOf(src, loc[0])
	}
	return fallback
}

var eventKeyRe = regexp.MustCompile(`\bevent[ \t]*:`)
