package devserver

import (
	"context"
	"os"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/host"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/reloaders"
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
	var found []diag.Diagnostic
	var resources []reloaders.Resource
	switch {
	case runtime == RuntimeNode || (runtime == RuntimeAuto && UseNodeRuntime(root)):
		ds, rs, err := checkNode(ctx, root, "", timeout)
		if err != nil {
			return CheckReport{}, err
		}
		found, resources = ds, rs
	default:
		env, _ := project.Environment(root, dotenv.Environ(os.Environ()))
		app, err := host.New(host.Options{Root: root, Env: env, TaskTimeout: timeout, Output: discard{}})
		if err != nil {
			return CheckReport{}, err
		}
		defer app.Close()
		res := app.Load(ctx)
		found, resources = append(res.Errors, res.Problems...), res.Resources
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
