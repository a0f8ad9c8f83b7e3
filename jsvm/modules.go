package jsvm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/genmap"
)

// Module is one evaluated file of a generation.
type Module struct {
	Path     string
	Source   []byte   // the content it was evaluated from, when a transaction evaluated it
	Deps     []string // files it required (builtins excluded), in first-require order
	Owner    *Owner   // async context of its top level: timers it started die with it
	Warnings []diag.Diagnostic

	obj *goja.Object // the CommonJS `module` object
}

// Exports is module.exports as it is now (a module may reassign it).
func (m *Module) Exports() goja.Value { return m.obj.Get("exports") }

// Export returns a named export, reading through esbuild's getters; "default" falls back to
// module.exports itself for CommonJS files that assign it directly.
func (m *Module) Export(vm *goja.Runtime, name string) goja.Value {
	ex := m.Exports()
	obj, ok := ex.(*goja.Object)
	if !ok {
		if name == "default" {
			return ex
		}
		return nil
	}
	v := obj.Get(name)
	if name == "default" && (v == nil || goja.IsUndefined(v)) && !isESModule(obj) {
		return ex
	}
	return v
}

func isESModule(obj *goja.Object) bool {
	v := obj.Get("__esModule")
	return v != nil && v.ToBoolean()
}

// ModuleSet is the modules of one generation. Sets share the Module values of files that did
// not change, so unchanged modules keep their state across reloads, as in Medusa. A set and
// its reverse-import index are generation maps (internal/genmap): the next set starts from
// this one in time proportional to what changed, not to the project.
type ModuleSet struct {
	rt   *Runtime
	mods *genmap.Map[string, *Module]
	// importers is the reverse of every module's Deps: file → the files that require it.
	// The sets it holds are never written once stored: a change stores a new one.
	importers *genmap.Map[string, map[string]struct{}]
	// owned are the importer sets this set made and no other set shares yet: adding to them
	// needs no copy (loading a project of n routes that all import one file is O(n), not
	// O(n²)). The next generation shares them, so Begin clears it.
	owned map[string]bool
	tx    *Tx // the transaction building this set, until it commits
}

// NewModuleSet returns an empty generation.
func (rt *Runtime) NewModuleSet() *ModuleSet {
	return &ModuleSet{rt: rt, mods: genmap.New[string, *Module](), importers: genmap.New[string, map[string]struct{}]()}
}

// Get returns the module for path, or nil.
func (s *ModuleSet) Get(path string) *Module {
	m, _ := s.mods.Get(path)
	return m
}

// Len is the number of modules.
func (s *ModuleSet) Len() int { return s.mods.Len() }

// Paths lists the module files, sorted.
func (s *ModuleSet) Paths() []string {
	out := make([]string, 0, s.mods.Len())
	s.mods.Range(func(p string, _ *Module) bool {
		out = append(out, p)
		return true
	})
	sort.Strings(out)
	return out
}

// Importers returns paths plus every module that imports any of them, transitively. Its cost
// is the number of files it returns, read from the index kept up to date as modules require
// each other.
func (s *ModuleSet) Importers(paths []string) map[string]bool {
	seen := make(map[string]bool)
	queue := append([]string(nil), paths...)
	for len(queue) > 0 {
		p := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		imps, _ := s.importers.Get(p)
		for imp := range imps {
			if !seen[imp] {
				queue = append(queue, imp)
			}
		}
	}
	return seen
}

// addImporter records that from requires dep.
func (s *ModuleSet) addImporter(from, dep string) {
	cur, _ := s.importers.Get(dep)
	if _, ok := cur[from]; ok {
		return
	}
	if s.owned[dep] {
		cur[from] = struct{}{}
		return
	}
	if s.owned == nil {
		s.owned = map[string]bool{}
	}
	s.owned[dep] = true
	next := make(map[string]struct{}, len(cur)+1)
	for k := range cur {
		next[k] = struct{}{}
	}
	next[from] = struct{}{}
	s.importers.Set(dep, next)
}

// dropImporter records that from no longer requires dep.
func (s *ModuleSet) dropImporter(from, dep string) {
	cur, _ := s.importers.Get(dep)
	if _, ok := cur[from]; !ok {
		return
	}
	if len(cur) == 1 {
		s.importers.Delete(dep)
		delete(s.owned, dep)
		return
	}
	if s.owned[dep] {
		delete(cur, from)
		return
	}
	if s.owned == nil {
		s.owned = map[string]bool{}
	}
	s.owned[dep] = true
	next := make(map[string]struct{}, len(cur)-1)
	for k := range cur {
		if k != from {
			next[k] = struct{}{}
		}
	}
	s.importers.Set(dep, next)
}

// Tx builds the next generation. Begin starts it as the current set minus the invalidated
// files; Require re-evaluates what is missing; Commit makes it the new set, Rollback discards
// it. All of it runs on the loop.
type Tx struct {
	set          *ModuleSet
	base         *ModuleSet
	invalidated  []string // files of base dropped from set, to evaluate again
	evaluated    []*Module
	attempted    map[string][]string // deps each file required, also for files that failed
	done         bool
	prevBuilding *ModuleSet
}

// Begin starts a transaction over base (nil for the first load) that re-evaluates the
// invalidated files when they are required. Its cost is the invalidated files and base's
// changes since its generation maps last folded, not the number of modules.
func (rt *Runtime) Begin(base *ModuleSet, invalidated map[string]bool) *Tx {
	set := rt.NewModuleSet()
	tx := &Tx{set: set, base: base, attempted: make(map[string][]string), prevBuilding: rt.building}
	if base != nil {
		set.mods, set.importers = base.mods.Next(), base.importers.Next()
		base.owned = nil // set shares base's importer sets from now on
		for p := range invalidated {
			if _, ok := set.mods.Get(p); ok {
				set.mods.Delete(p)
				tx.invalidated = append(tx.invalidated, p)
			}
		}
	}
	set.tx = tx
	rt.building = set
	return tx
}

// Set is the generation being built.
func (tx *Tx) Set() *ModuleSet { return tx.set }

// Attempted returns the files path tried to require in this transaction, even if it failed;
// the caller keeps them to retry a broken file when one of them is fixed.
func (tx *Tx) Attempted(path string) []string { return tx.attempted[path] }

// Require evaluates path (an absolute file) into the new generation and returns its module.
// The error is a *LoadError, a *goja.Exception or a *goja.InterruptedError; turn it into
// diagnostics with Runtime.Diagnostics.
func (tx *Tx) Require(path string) (m *Module, err error) {
	defer func() {
		if r := recover(); r != nil {
			switch v := r.(type) {
			case *goja.InterruptedError:
				err = v
			case *goja.Exception:
				err = v
			default:
				panic(r)
			}
		}
	}()
	return tx.set.load(path)
}

// Commit makes the new generation current and retires the modules it replaced: timers they
// started are cancelled. It returns the new set.
func (tx *Tx) Commit() *ModuleSet {
	tx.done = true
	tx.set.tx = nil
	rt := tx.set.rt
	rt.building = tx.prevBuilding
	rt.forgetSources()
	rt.live = tx.set
	// Only invalidated files differ from base: the others were never evaluated again. Their
	// old modules are retired, and the requires that their new versions (or none) no longer
	// make leave the index.
	for _, p := range tx.invalidated {
		old := tx.base.Get(p)
		cur := tx.set.Get(p)
		if cur != old {
			old.Owner.Cancel()
		}
		for _, d := range old.Deps {
			if cur == nil || !slices.Contains(cur.Deps, d) {
				tx.set.dropImporter(p, d)
			}
		}
	}
	return tx.set
}

// Rollback discards the new generation; modules evaluated for it are retired.
func (tx *Tx) Rollback() {
	if tx.done {
		return
	}
	tx.done = true
	tx.set.tx = nil
	tx.set.rt.building = tx.prevBuilding
	tx.set.rt.forgetSources()
	for _, m := range tx.evaluated {
		m.Owner.Cancel()
	}
}

// load evaluates path into s unless it is there already. It panics with goja exceptions so
// that errors travel through nested requires unchanged.
func (s *ModuleSet) load(path string) (*Module, error) {
	if m, ok := s.mods.Get(path); ok {
		return m, nil
	}
	rt := s.rt
	vm := rt.vm
	read := os.ReadFile
	if s.tx != nil {
		read = rt.readSource
	}
	src, err := read(path)
	if err != nil {
		msg := fmt.Sprintf("cannot read %s: %v", diag.RelPath(rt.opts.Root, path), err)
		if errors.Is(err, os.ErrNotExist) {
			msg = fmt.Sprintf("%s was deleted", diag.RelPath(rt.opts.Root, path))
		}
		return nil, &LoadError{Diagnostics: []diag.Diagnostic{{File: path, Severity: diag.Error, Code: diag.CodeLoad, Message: msg}}}
	}
	m := &Module{Path: path, Owner: NewOwner(diag.RelPath(rt.opts.Root, path))}
	if s.tx != nil {
		m.Source = src // project files of a reload; installed packages keep no copy
	}
	m.obj = vm.NewObject()
	exports := vm.NewObject()
	_ = m.obj.Set("exports", exports)
	_ = m.obj.Set("id", path)
	_ = m.obj.Set("filename", path)
	_ = m.obj.Set("loaded", false)

	if filepath.Ext(path) == ".json" {
		v, err := parseJSON(vm, src)
		if err != nil {
			return nil, &LoadError{Diagnostics: []diag.Diagnostic{{File: path, Severity: diag.Error, Code: diag.CodeSyntax, Message: "invalid JSON: " + err.Error()}}}
		}
		_ = m.obj.Set("exports", v)
		s.mods.Set(path, m)
		return m, nil
	}

	c, err := rt.comp.compile(path, src)
	if err != nil {
		return nil, err
	}
	m.Warnings = c.warnings
	wrapper, err := vm.RunProgram(c.program)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(wrapper)
	if !ok {
		return nil, fmt.Errorf("jsvm: %s did not compile to a function", path)
	}
	// Node's circular-require semantics: the module is visible before it finishes.
	s.mods.Set(path, m)
	if s.tx != nil {
		s.tx.evaluated = append(s.tx.evaluated, m)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		// As in Node, a linked file requires from where its target is (project/links.go).
		if real, err := filepath.EvalSymlinks(path); err == nil {
			dir = filepath.Dir(real)
		}
	}
	require := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		// Requires made while a transaction evaluates go into the set it builds; later ones (a
		// require inside a function) into the live generation, not the one this module was
		// first loaded into, which would keep that old generation alive.
		set := rt.building
		if set == nil {
			set = rt.live
		}
		if set == nil {
			set = s
		}
		return set.require(m, dir, call.Argument(0).String())
	})
	_ = m.obj.Set("require", require)

	// The module's top level runs as its owner, so timers it starts are tracked with it, and
	// gets its own time budget.
	prevOwner := rt.loop.taskOwn
	rt.loop.taskOwn = m.Owner
	rt.loop.resetDeadline()
	rt.evaluating = append(rt.evaluating, path)
	_, err = fn(exports, exports, require, m.obj, vm.ToValue(path), vm.ToValue(dir))
	rt.evaluating = rt.evaluating[:len(rt.evaluating)-1]
	rt.loop.taskOwn = prevOwner
	if err != nil {
		s.mods.Delete(path)
		m.Owner.Cancel()
		return nil, err
	}
	_ = m.obj.Set("loaded", true)
	return m, nil
}

// require is the `require` a module sees. Errors are thrown into JavaScript so that user code
// can catch them, as in Node; uncatchable interrupts pass through.
func (s *ModuleSet) require(from *Module, dir, spec string) goja.Value {
	rt := s.rt
	vm := rt.vm
	r, err := rt.res.resolve(dir, spec)
	if err != nil {
		ex := vm.NewGoError(fmt.Errorf("Cannot find module '%s' imported from %s", spec, diag.RelPath(rt.opts.Root, from.Path)))
		_ = ex.Set("code", "MODULE_NOT_FOUND")
		panic(ex)
	}
	if r.builtin {
		v, err := rt.requireBuiltin(r.path)
		if err != nil {
			rt.Throw(err)
		}
		return v
	}
	if isDependency(r.path) {
		// Installed packages never change under a dev server, so every generation shares one
		// instance of each: `instanceof` across files keeps working, and they load once.
		m, err := rt.static().load(r.path)
		if err != nil {
			rt.Throw(err)
		}
		return m.Exports()
	}
	if !slices.Contains(from.Deps, r.path) {
		from.Deps = append(from.Deps, r.path)
		// The index of every set that holds this very module learns the require: the set
		// being required into, and the live one when from is shared with it (a transaction
		// that then fails leaves the live set right).
		s.addImporter(from.Path, r.path)
		if live := rt.live; live != nil && live != s && live.Get(from.Path) == from {
			live.addImporter(from.Path, r.path)
		}
	}
	if s.tx != nil {
		if !slices.Contains(s.tx.attempted[from.Path], r.path) {
			s.tx.attempted[from.Path] = append(s.tx.attempted[from.Path], r.path)
		}
	}
	m, err := s.load(r.path)
	if err != nil {
		rt.Throw(err)
	}
	return m.Exports()
}

// requireBuiltin returns a builtin's exports, loading it once per runtime.
func (rt *Runtime) requireBuiltin(name string) (goja.Value, error) {
	name = trimNodePrefix(name)
	if v, ok := rt.builtinExports[name]; ok {
		return v, nil
	}
	b, ok := rt.builtins[name]
	if !ok && rt.opts.Unsupported != nil {
		if msg, isUnsupported := rt.opts.Unsupported(name); isUnsupported {
			return nil, rt.unsupportedError(msg)
		}
	}
	if !ok {
		hint := unsupportedNodeModules[name]
		return nil, rt.unsupportedError(fmt.Sprintf("the Node module %q is not supported by the embedded runtime%s", name, hint))
	}
	module := rt.vm.NewObject()
	_ = module.Set("exports", rt.vm.NewObject())
	if err := b.Load(rt, module); err != nil {
		return nil, fmt.Errorf("loading built-in %s: %w", name, err)
	}
	v := module.Get("exports")
	if b.node {
		patched, err := rt.patchNode20(name, v)
		if err != nil {
			return nil, err
		}
		v = patched
	}
	rt.builtinExports[name] = v
	return v, nil
}

// isDependency reports whether path belongs to an installed package.
func isDependency(path string) bool {
	return strings.Contains(filepath.ToSlash(path), "/node_modules/")
}

func (rt *Runtime) static() *ModuleSet {
	if rt.staticSet == nil {
		rt.staticSet = rt.NewModuleSet()
	}
	return rt.staticSet
}

// RequireFile loads an installed package (a directory or file under node_modules) into the
// runtime-wide set that every generation shares. Call it on the loop.
func (rt *Runtime) RequireFile(path string) (v goja.Value, err error) {
	r, err := rt.res.resolve(filepath.Dir(path), path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rec := recover(); rec != nil {
			if e, ok := rec.(error); ok {
				err = e
				return
			}
			if o, ok := rec.(*goja.Object); ok {
				err = &Thrown{Value: o}
				return
			}
			panic(rec)
		}
	}()
	m, err := rt.static().load(r.path)
	if err != nil {
		return nil, err
	}
	return m.Exports(), nil
}

// CurrentModule is the file whose top level is being evaluated, or "" (call it on the loop).
// Builtins use it to know which file defines something, e.g. a workflow.
func (rt *Runtime) CurrentModule() string {
	if len(rt.evaluating) == 0 {
		return ""
	}
	return rt.evaluating[len(rt.evaluating)-1]
}

// RequireBuiltin loads a builtin by name; call it on the loop.
func (rt *Runtime) RequireBuiltin(name string) (goja.Value, error) { return rt.requireBuiltin(name) }

func trimNodePrefix(name string) string {
	if len(name) > 5 && name[:5] == "node:" {
		return name[5:]
	}
	return name
}

func parseJSON(vm *goja.Runtime, src []byte) (goja.Value, error) {
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	return parse(goja.Undefined(), vm.ToValue(string(src)))
}
