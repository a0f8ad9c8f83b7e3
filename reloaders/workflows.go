package reloaders

import (
	"fmt"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// WorkflowsOptions configure the workflows reloader.
type WorkflowsOptions struct {
	Root     string
	Runtime  *jsvm.Runtime
	Registry *framework.Workflows
}

// Workflows loads src/workflows/**. A workflow is defined by evaluating its file, so a changed
// step file rebuilds every workflow that imports it, and the routes that import those; a run in
// progress keeps the definition it started with.
type Workflows struct {
	opts WorkflowsOptions
}

// NewWorkflows returns the workflows reloader.
func NewWorkflows(opts WorkflowsOptions) *Workflows { return &Workflows{opts: opts} }

// Kind implements Reloader.
func (w *Workflows) Kind() string { return "workflows" }

// Owns implements Reloader.
func (w *Workflows) Owns(rel string) bool { return scan.KindOf(rel) == scan.Workflow }

type workflowsPending struct {
	outcome
	w *Workflows
}

func (p *workflowsPending) Resources() []Resource { return p.w.Resources() }

// Commit has nothing to swap: the registry commits with the host's transaction, and workflow
// objects live in the modules that define them.
func (p *workflowsPending) Commit() {}

// Resources lists the live workflows.
func (w *Workflows) Resources() []Resource {
	if w.opts.Registry == nil {
		return nil
	}
	var out []Resource
	for _, name := range w.opts.Registry.Defined("") {
		out = append(out, Resource{Kind: "workflow", Name: name, File: w.opts.Registry.FileOf(name), Line: 1})
	}
	return out
}

// Prepare implements Reloader.
func (w *Workflows) Prepare(tx *jsvm.Tx, load, remove []string) Pending {
	p := &workflowsPending{w: w}
	for _, f := range remove {
		// As in Medusa, deleting a workflow file restarts the dev server.
		p.restart = fmt.Sprintf("workflow file %s was deleted", diag.RelPath(w.opts.Root, f))
		for _, name := range w.opts.Registry.Defined(f) {
			p.gone = append(p.gone, Resource{Kind: "workflow", Name: name, File: f})
		}
	}
	for _, f := range load {
		if _, err := tx.Require(f); err != nil {
			p.problems = append(p.problems, w.opts.Runtime.Diagnostics(err, diag.CodeLoad)...)
			p.failed = append(p.failed, f)
			continue
		}
		for _, name := range w.opts.Registry.PendingIn(f) {
			p.reloaded = append(p.reloaded, Resource{Kind: "workflow", Name: name, File: f, Line: 1})
		}
	}
	return p
}
