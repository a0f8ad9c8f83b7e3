package reloaders

import (
	"fmt"

	"github.com/medusa-ls/medusa-ls/diag"
)

// Merge joins what the loaders found (load errors, runtime errors, load warnings) with the
// static lint of the same files, one diagnostic per cause: the loader's diagnostic is kept at
// its position, and a lint diagnostic is dropped when it repeats one (same file, line and
// message) or when the loader reported an error on the same line of the same file, since the
// static check then describes the cause the loader already reports (a bad cron string, a
// subscriber without config). Order: loaded first, then the lint that is left.
func Merge(loaded, lint []diag.Diagnostic) []diag.Diagnostic {
	out := make([]diag.Diagnostic, 0, len(loaded)+len(lint))
	seen := map[string]bool{}
	type at struct {
		file string
		line int
	}
	errAt := map[at]bool{}
	for _, d := range loaded {
		key := fmt.Sprintf("%s:%d:%s", d.File, d.Line, d.Message)
		if seen[key] {
			continue
		}
		seen[key] = true
		if d.Severity == diag.Error {
			errAt[at{d.File, max(d.Line, 1)}] = true
		}
		out = append(out, d)
	}
	for _, d := range lint {
		key := fmt.Sprintf("%s:%d:%s", d.File, d.Line, d.Message)
		if seen[key] || errAt[at{d.File, max(d.Line, 1)}] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}
