package reloaders

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// ModuleDecl is one entry of medusa-config's modules that points into the project.
type ModuleDecl struct {
	Key     string     // container key: config key, else the Module() name
	Resolve string     // as written in the config
	Index   string     // absolute path of its index file
	Options goja.Value // the options object from the config
	// Provider: listed under another module's options.providers; Medusa loads it through that
	// module (a core commerce module), which the embedded runtime does not run.
	Provider bool
}

// ModulesOptions configure the modules reloader.
type ModulesOptions struct {
	Root      string
	Runtime   *jsvm.Runtime
	Container *framework.Container
	Decls     func() []ModuleDecl // the modules the config lists, read at each load
	Logger    *slog.Logger
}

// Modules loads the project's own modules (src/modules/<name>/index.ts, listed in
// medusa-config's modules) and registers their service in the container under the module's
// name. A reload constructs a new service from the changed code; whatever resolves it next gets
// the new instance, and the old one is told to shut down.
type Modules struct {
	opts ModulesOptions

	mu   sync.Mutex
	live map[string]moduleEntry // index file → module
}

type moduleEntry struct {
	key, name string
	file      string
	instance  goja.Value
}

// NewModules returns the reloader with no modules.
func NewModules(opts ModulesOptions) *Modules {
	return &Modules{opts: opts, live: map[string]moduleEntry{}}
}

// Kind implements Reloader.
func (m *Modules) Kind() string { return "modules" }

// Owns implements Reloader: a module's index file; its other files reach it as imports.
func (m *Modules) Owns(rel string) bool { return scan.KindOf(rel) == scan.Module }

type modulesPending struct {
	outcome
	m       *Modules
	next    map[string]moduleEntry
	changed []string
}

func (p *modulesPending) Resources() []Resource { return moduleResources(p.next) }

// Commit registers the new services and lets the replaced ones shut down.
func (p *modulesPending) Commit() {
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	vm := m.opts.Runtime.VM()
	for _, f := range p.changed {
		old, hadOld := m.live[f]
		n, ok := p.next[f]
		if ok {
			m.opts.Container.Register(n.key, n.instance)
		}
		if hadOld && (!ok || old.instance != n.instance) {
			shutdown(vm, old.instance)
		}
	}
	m.live = p.next
}

// shutdown calls a retired service's shutdown hooks, as Medusa's module reloader does; their
// errors do not matter any more.
func shutdown(vm *goja.Runtime, instance goja.Value) {
	obj, ok := instance.(*goja.Object)
	if !ok {
		return
	}
	hooks, ok := obj.Get("__hooks").(*goja.Object)
	if !ok {
		return
	}
	for _, name := range []string{"onApplicationPrepareShutdown", "onApplicationShutdown"} {
		if fn, ok := goja.AssertFunction(hooks.Get(name)); ok {
			_, _ = fn(obj)
		}
	}
}

// Resources lists the live modules.
func (m *Modules) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return moduleResources(m.live)
}

func moduleResources(live map[string]moduleEntry) []Resource {
	var out []Resource
	for _, e := range live {
		out = append(out, Resource{Kind: "module", Name: e.key, File: e.file, Line: 1})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Prepare implements Reloader.
func (m *Modules) Prepare(tx *jsvm.Tx, load, remove []string) Pending {
	m.mu.Lock()
	if len(load) == 0 && len(remove) == 0 {
		defer m.mu.Unlock()
		return &modulesPending{m: m, next: m.live} // a reload of other kinds: nothing to copy or change
	}
	next := make(map[string]moduleEntry, len(m.live))
	for f, e := range m.live {
		next[f] = e
	}
	m.mu.Unlock()
	p := &modulesPending{m: m, next: next}
	for _, f := range remove {
		if e, ok := next[f]; ok {
			p.restart = fmt.Sprintf("module %s was deleted (%s)", e.key, diag.RelPath(m.opts.Root, f))
		}
	}
	decls := map[string]ModuleDecl{}
	if m.opts.Decls != nil {
		for _, d := range m.opts.Decls() {
			decls[d.Index] = d
		}
	}
	vm := m.opts.Runtime.VM()
	for _, f := range load {
		d, listed := decls[f]
		if listed && d.Provider {
			continue // loaded by its core module in Medusa (the node runtime serves it)
		}
		if !listed {
			// Medusa loads only the modules medusa-config lists.
			p.problems = append(p.problems, Warning(f, 1, fmt.Sprintf("this module is not listed in medusa-config's modules, so it is not loaded (add { resolve: \"./%s\" })", filepath.ToSlash(filepath.Dir(diag.RelPath(m.opts.Root, f))))))
			continue
		}
		e, problems := m.load(tx, vm, f, d)
		p.problems = append(p.problems, problems...)
		if e == nil {
			p.failed = append(p.failed, f)
			continue
		}
		if old, ok := next[f]; ok && old.key != e.key {
			p.restart = fmt.Sprintf("module %s is now registered as %s", old.key, e.key)
		}
		next[f] = *e
		p.changed = append(p.changed, f)
		p.reloaded = append(p.reloaded, Resource{Kind: "module", Name: e.key, File: f, Line: 1})
	}
	return p
}

func (m *Modules) load(tx *jsvm.Tx, vm *goja.Runtime, file string, d ModuleDecl) (*moduleEntry, []diag.Diagnostic) {
	rt := m.opts.Runtime
	mod, err := tx.Require(file)
	if err != nil {
		return nil, rt.Diagnostics(err, diag.CodeLoad)
	}
	problems := append([]diag.Diagnostic(nil), mod.Warnings...)
	src := sourceOf(mod, file)
	fail := func(msg string) (*moduleEntry, []diag.Diagnostic) {
		return nil, append(problems, diag.Diagnostic{File: file, Line: exportLine(src, "default"), Column: 1, Severity: diag.Error, Code: diag.CodeLoad, Message: msg})
	}
	def, ok := mod.Export(vm, "default").(*goja.Object)
	if !ok {
		return fail(`a module's index must export default Module("name", { service })`)
	}
	name := stringField(def, "__medusaModule")
	if name == "" {
		return fail(`the default export is not a Module("name", { service }) definition`)
	}
	service, ok := def.Get("service").(*goja.Object)
	if !ok {
		return fail(fmt.Sprintf("Module(%q): service must be a class", name))
	}
	key := d.Key
	if key == "" {
		key = name
	}
	options := d.Options
	if options == nil || goja.IsUndefined(options) || goja.IsNull(options) {
		options = vm.NewObject()
	}
	container := m.opts.Container.Object()
	// Loaders run first, with the container and the options, as in Medusa.
	if loaders, ok := def.Get("loaders").(*goja.Object); ok {
		n := int(loaders.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			fn, ok := goja.AssertFunction(loaders.Get(fmt.Sprint(i)))
			if !ok {
				continue
			}
			arg := vm.NewObject()
			_ = arg.Set("container", container)
			_ = arg.Set("options", options)
			if logger, err := m.opts.Container.Resolve("logger"); err == nil {
				_ = arg.Set("logger", logger)
			}
			v, err := fn(goja.Undefined(), arg)
			if err != nil {
				return nil, append(problems, rt.Diagnostics(err, diag.CodeLoad)...)
			}
			if p, ok := v.Export().(*goja.Promise); ok {
				switch p.State() {
				case goja.PromiseStateRejected:
					return nil, append(problems, rt.ValueDiagnostics(p.Result(), diag.CodeLoad)...)
				case goja.PromiseStatePending:
					return fail(fmt.Sprintf("Module(%q): loader %d waits on something that has not finished (a timer or I/O); the embedded runtime runs module loaders to completion at load, so they cannot wait yet", name, i))
				}
			}
		}
	}
	instance, err := vm.New(service, container.Get("cradle"), options)
	if err != nil {
		return nil, append(problems, rt.Diagnostics(err, diag.CodeLoad)...)
	}
	return &moduleEntry{key: key, name: name, file: file, instance: instance}, problems
}
