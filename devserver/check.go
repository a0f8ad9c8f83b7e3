package devserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/embedded"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/reloaders"
	"github.com/medusa-ls/medusa-ls/typecheck"
)

// CheckReport is `medusa-ls check --json`: paths relative to the project, 1-based lines.
type CheckReport struct {
	Resources   []CheckResource   `json:"resources"`
	Diagnostics []CheckDiagnostic `json:"diagnostics"`
}

// CheckResource is one resource the project provides.
type CheckResource struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	File string `json:"file"`
}

// CheckDiagnostic is one problem.
type CheckDiagnostic struct {
	File      string        `json:"file"`
	Line      int           `json:"line"`
	Column    int           `json:"column"`
	EndLine   int           `json:"endLine"`
	EndColumn int           `json:"endColumn"`
	Severity  diag.Severity `json:"severity"`
	Code      string        `json:"code"`
	Message   string        `json:"message"`
	// Related are other places of the same cause (the files that import one that failed).
	Related []diag.Related `json:"related,omitempty"`
}

// Errors counts the error diagnostics.
func (r CheckReport) Errors() int {
	n := 0
	for _, d := range r.Diagnostics {
		if d.Severity == diag.Error {
			n++
		}
	}
	return n
}

// Summary is check's last line: "10 resources, 1 error, 2 warnings", and the notes when there
// are any.
func (r CheckReport) Summary() string {
	var errs, warnings, notes int
	for _, d := range r.Diagnostics {
		switch d.Severity {
		case diag.Error:
			errs++
		case diag.Warning:
			warnings++
		default:
			notes++
		}
	}
	s := fmt.Sprintf("%d %s, %d %s, %d %s", len(r.Resources), report.Plural("resource", len(r.Resources)), errs, report.Plural("error", errs), warnings, report.Plural("warning", warnings))
	if notes > 0 {
		s += fmt.Sprintf(", %d %s", notes, report.Plural("note", notes))
	}
	return s
}

// Check loads every resource of the project once, without serving, and reports what it
// provides and what is wrong.
//
// With runtime auto, a project that has Medusa installed (node_modules/@medusajs/medusa) is loaded
// in Node with its own packages, as Medusa's loaders require its files; otherwise, and with
// runtime embedded, in the embedded runtime.
func Check(ctx context.Context, root string, timeout time.Duration) (CheckReport, error) {
	return CheckWith(ctx, root, timeout, RuntimeAuto)
}

// CheckWith is Check with the runtime chosen ("auto", "embedded" or "node").
func CheckWith(ctx context.Context, root string, timeout time.Duration, runtime string) (CheckReport, error) {
	return CheckProject(ctx, root, CheckOptions{Runtime: runtime, Timeout: timeout})
}

// CheckOptions choose how CheckProject loads a project.
type CheckOptions struct {
	Runtime string        // RuntimeAuto (""), RuntimeEmbedded or RuntimeNode
	Timeout time.Duration // project code running longer than this without yielding is interrupted
	// Types also runs the project's own TypeScript (tsc --noEmit with its tsconfig.json, see
	// package typecheck) and reports its errors, code "tsNNNN".
	Types bool
	Node  string // the node binary for the node runtime and tsc; "" for the one on PATH
}

// CheckProject loads every resource of the project once, as Check does, with options. It
// returns an error when the project cannot be loaded at all, or Types is set and the project's
// tsc cannot run (typecheck.ErrNoTypeScript when TypeScript is not installed).
func CheckProject(ctx context.Context, root string, opts CheckOptions) (CheckReport, error) {
	var found []diag.Diagnostic
	var resources []reloaders.Resource
	switch {
	case opts.Runtime == RuntimeNode || ((opts.Runtime == RuntimeAuto || opts.Runtime == "") && UseNodeRuntime(root)):
		ds, rs, err := node.Check(ctx, root, opts.Node, opts.Timeout)
		if err != nil {
			return CheckReport{}, err
		}
		found, resources = ds, rs
		// Medusa reads medusa-config before anything else, and does not start when it cannot
		// (a syntax error, a throw): evaluated as the supervisor does. What the embedded runtime
		// cannot run in it (a Node module it lacks) is Node's to judge, not an error here.
		env, _ := project.Environment(root, dotenv.Environ(os.Environ()))
		if _, cds := project.LoadConfig(root, env, opts.Timeout); len(cds) > 0 {
			for _, d := range cds {
				if d.Severity == diag.Error && d.Code != diag.CodeUnsupported {
					found = append(found, d)
				}
			}
		}
	default:
		env, _ := project.Environment(root, dotenv.Environ(os.Environ()))
		app, err := embedded.New(embedded.Options{Root: root, Env: env, TaskTimeout: opts.Timeout, Output: discard{}})
		if err != nil {
			return CheckReport{}, err
		}
		defer app.Close()
		res := app.Load(ctx)
		found, resources = append(res.Errors, res.Problems...), res.Resources
	}
	if opts.Types {
		types, err := typecheck.Run(ctx, root, opts.Node)
		if err != nil {
			return CheckReport{}, err
		}
		found = append(found, withoutRepeatedSyntax(root, types, found)...)
	}
	for _, l := range project.Links(root) {
		if l.Dir { // not entered (project/links.go)
			found = append(found, diag.Diagnostic{File: l.Path, Severity: diag.Warning, Code: diag.CodeConvention, Message: l.Warning(root)})
		}
	}
	report := CheckReport{Resources: []CheckResource{}, Diagnostics: []CheckDiagnostic{}}
	for _, r := range resources {
		report.Resources = append(report.Resources, CheckResource{Kind: r.Kind, Name: r.Name, File: diag.RelPath(root, r.File)})
	}
	for _, d := range reloaders.Merge(found, reloaders.LintProject(root)) {
		line, col := max(d.Line, 1), max(d.Column, 1)
		endLine, endCol := d.EndLine, d.EndColumn
		if endLine < line {
			endLine = line
		}
		if endLine == line && endCol < col {
			endCol = col
		}
		report.Diagnostics = append(report.Diagnostics, CheckDiagnostic{
			File: diag.RelPath(root, d.File), Line: line, Column: col, EndLine: endLine, EndColumn: endCol,
			Severity: d.Severity, Code: d.Code, Message: d.Message, Related: relRelated(root, d.Related),
		})
	}
	return report, nil
}

// withoutRepeatedSyntax drops tsc's syntax errors (TS1000–TS1999) in files whose syntax error
// the loader already reports (esbuild's or swc's), so that one cause is one diagnostic. tsc
// checks no types while a file does not parse; when that is why it reported nothing else, an
// info diagnostic on tsconfig.json says so.
func withoutRepeatedSyntax(root string, types, loaded []diag.Diagnostic) []diag.Diagnostic {
	broken := map[string]bool{}
	for _, d := range loaded {
		if d.Code == diag.CodeSyntax || d.Code == diag.CodeType {
			broken[d.File] = true
		}
	}
	var out []diag.Diagnostic
	syntaxOnly := len(types) > 0
	for _, d := range types {
		syntax := len(d.Code) == 6 && strings.HasPrefix(d.Code, "ts1")
		syntaxOnly = syntaxOnly && syntax
		if broken[d.File] && syntax {
			continue
		}
		out = append(out, d)
	}
	if syntaxOnly {
		out = append(out, diag.Diagnostic{File: filepath.Join(root, "tsconfig.json"), Severity: diag.Info, Code: "types",
			Message: "types were not checked: TypeScript checks them once every file parses"})
	}
	return out
}

func relRelated(root string, rs []diag.Related) []diag.Related {
	var out []diag.Related
	for _, r := range rs {
		r.File = diag.RelPath(root, r.File)
		out = append(out, r)
	}
	return out
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
