// Package diag is the plain result of loading or running project code: a problem at a place in
// a file. The terminal logger and the language server both render it; nothing here knows about
// LSP types.
package diag

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Severity orders problems the way editors do.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Stable codes: editors, tests and users' CI match on these, so never rename one.
const (
	CodeSyntax      = "syntax-error"  // esbuild could not parse the file
	CodeType        = "type-error"    // esbuild rejected a TypeScript construct
	CodeLoad        = "load-error"    // the file threw while it was evaluated, or an import failed
	CodeUnsupported = "unsupported"   // the file uses something the runtime does not provide yet
	CodeRuntime     = "runtime-error" // a handler, subscriber or job threw after loading
	CodeConfig      = "config-error"  // medusa-config or .env could not be used
	CodeConvention  = "convention"    // a resource file does not follow Medusa's conventions
)

// Diagnostic is one problem. Line and Column are 1-based; Column counts UTF-16 code units,
// as editors and TypeScript do. A zero Line means the problem has no position in the file.
type Diagnostic struct {
	File      string   `json:"file"` // absolute path (relative only in `check --json` output)
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	EndLine   int      `json:"endLine"`
	EndColumn int      `json:"endColumn"`
	Severity  Severity `json:"severity"`
	Code      string   `json:"code"`
	Message   string   `json:"message"`
	// Stack is the source-mapped JavaScript stack, when there is one.
	Stack string `json:"stack,omitempty"`
	// Related are other places of the same cause (the import lines that reached a file which
	// failed to load): one diagnostic per cause, the others as LSP relatedInformation.
	Related []Related `json:"related,omitempty"`
	// LineText is the source line the position points into, for code frames.
	LineText string `json:"-"`
}

// Related is a place tied to a diagnostic's cause.
type Related struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// Error lets a Diagnostic travel as an error.
func (d Diagnostic) Error() string { return d.String() }

// String renders the compiler-style one-liner `file:line:col: severity: message [code]`.
func (d Diagnostic) String() string {
	return d.Format("")
}

// Format renders the one-liner with File shown relative to root when it lies inside it.
func (d Diagnostic) Format(root string) string {
	var b strings.Builder
	b.WriteString(RelPath(root, d.File))
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, max(d.Column, 1))
	}
	sev := d.Severity
	if sev == "" {
		sev = Error
	}
	fmt.Fprintf(&b, ": %s: %s", sev, d.Message)
	if d.Code != "" {
		fmt.Fprintf(&b, " [%s]", d.Code)
	}
	return b.String()
}

// RelPath returns path relative to root with forward slashes when it lies inside root, else
// path unchanged.
func RelPath(root, path string) string {
	if root == "" || path == "" {
		return path
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return filepath.ToSlash(rel)
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == Error || d.Severity == "" {
			return true
		}
	}
	return false
}
