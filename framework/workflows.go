package framework

import (
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

//go:embed js/workflows.js
var workflowsSource string

// WorkflowsModule is the workflows SDK.
const WorkflowsModule = "@medusajs/framework/workflows-sdk"

var workflowsProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("medusa-ls:framework/workflows.js", workflowsSource, true)
})

// Workflows knows which file defines which workflow. Registrations made while a reload
// evaluates files go to a pending layer that the reload commits or drops with the rest of its
// transaction, so a failed reload leaves no stale names behind.
type Workflows struct {
	mu      sync.Mutex
	live    map[string]string // workflow name → defining file
	pending map[string]string
	dropped map[string]bool // files whose registrations the pending layer replaces
	active  bool
	// OnStepFailed reports a step (or a compensation) that threw.
	OnStepFailed func(workflow, step string, err goja.Value)
}

// NewWorkflows returns an empty registry.
func NewWorkflows() *Workflows { return &Workflows{live: map[string]string{}} }

// Begin starts a transaction: the files in replaced are being evaluated again.
func (w *Workflows) Begin(replaced map[string]bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending, w.dropped, w.active = map[string]string{}, replaced, true
}

// Commit makes the pending registrations live.
func (w *Workflows) Commit() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.active {
		return
	}
	for name, file := range w.live {
		if w.dropped[file] {
			delete(w.live, name)
		}
	}
	for name, file := range w.pending {
		w.live[name] = file
	}
	w.pending, w.dropped, w.active = nil, nil, false
}

// Abort drops the pending registrations.
func (w *Workflows) Abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending, w.dropped, w.active = nil, nil, false
}

// register records that file defines name, or says which other file already does.
func (w *Workflows) register(root, name, file string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	other, ok := w.pending[name]
	if !ok || other == file {
		if o, live := w.live[name]; live && o != file && !w.dropped[o] {
			other, ok = o, true
		} else {
			ok = false
		}
	}
	if ok {
		return fmt.Errorf("a workflow named %q is already defined in %s; workflow names must be unique", name, diag.RelPath(root, other))
	}
	if w.active {
		w.pending[name] = file
	} else {
		w.live[name] = file
	}
	return nil
}

// Defined lists the live workflows of file (or of every file when file is "").
func (w *Workflows) Defined(file string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for name, f := range w.live {
		if file == "" || f == file {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// PendingIn lists the workflows the running transaction registered for file.
func (w *Workflows) PendingIn(file string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for name, f := range w.pending {
		if f == file {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Builtin is the workflows SDK module backed by this registry.
func (w *Workflows) Builtin() jsvm.Builtin {
	return jsvm.Builtin{Name: WorkflowsModule, Load: w.load}
}

func (w *Workflows) load(rt *jsvm.Runtime, module *goja.Object) error {
	vm := rt.VM()
	utils, err := rt.RequireBuiltin(UtilsModule)
	if err != nil {
		return err
	}
	host := vm.NewObject()
	_ = host.Set("register", func(name string) {
		file := rt.CurrentModule()
		if file == "" {
			return // defined from a function called later, not at a file's top level
		}
		if err := w.register(rt.Root(), name, file); err != nil {
			rt.Throw(err)
		}
	})
	_ = host.Set("newId", func(prefix string) string { return prefix + "_" + bus.NewULID() })
	_ = host.Set("stepFailed", func(workflow, step string, errV goja.Value) {
		if w.OnStepFailed != nil {
			w.OnStepFailed(workflow, step, errV)
		}
	})
	v, err := vm.RunProgram(workflowsProgram())
	if err != nil {
		return fmt.Errorf("framework workflows: %w", err)
	}
	fn, _ := goja.AssertFunction(v)
	res, err := fn(goja.Undefined(), host, utils)
	if err != nil {
		return fmt.Errorf("framework workflows: %w", err)
	}
	return module.Set("exports", rt.Guard(WorkflowsModule, res, runtimeHint))
}

// StepFailure turns a failed step's error into diagnostics at the step's throwing line.
func StepFailure(rt *jsvm.Runtime, workflow, step string, errV goja.Value) []diag.Diagnostic {
	what := "workflow " + workflow
	if step != "" {
		what += " step " + step
	}
	problems := rt.ValueDiagnostics(errV, diag.CodeRuntime)
	for i := range problems {
		problems[i].Message = what + ": " + problems[i].Message
	}
	return problems
}

// FileOf says which file defines a live workflow.
func (w *Workflows) FileOf(name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.live[name]
}
