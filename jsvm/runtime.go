// Package jsvm is the embedded JavaScript runtime that runs a Medusa project's TypeScript:
// esbuild turns each file into CommonJS, goja runs it on one event-loop goroutine (Node's
// model: one thread, so module state is shared as users expect), and modules are evaluated
// into generations so that a reload is a transaction: build the next generation beside the
// current one, and swap only if all of it loaded.
package jsvm

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	gojarequire "github.com/dop251/goja_nodejs/require"

	"github.com/medusa-ls/medusa-ls/diag"
)

// Builtin is a module the runtime provides itself, such as "path" or
// "@medusajs/framework/utils". Load runs once per runtime, on the loop, and fills
// module.exports; every generation shares the result, so classes keep their identity
// (instanceof MedusaError works across reloads).
type Builtin struct {
	Name string
	Load func(rt *Runtime, module *goja.Object) error
	node bool // a Node built-in: completed to Node 20's names (node20.go)
}

// ConsoleSink receives console.* output with the project file and line that logged it.
type ConsoleSink func(level slog.Level, file string, line int, text string)

// UncaughtFunc receives errors nobody handled: a throwing timer callback, an unhandled promise
// rejection. owner tells whose work it was.
type UncaughtFunc func(owner *Owner, problems []diag.Diagnostic)

// Options configure a Runtime.
type Options struct {
	Root        string            // project directory: files inside it are the user's code
	Env         map[string]string // process.env
	TaskTimeout time.Duration     // longest a task may run before it is interrupted; 0 = never
	Tsconfig    string            // raw tsconfig.json content, for esbuild
	CacheDir    string            // where transforms are cached across processes; "" = none
	Logger      *slog.Logger      // the runtime's own messages
	Console     ConsoleSink       // console.* output; nil writes to Stdout
	Stdout      io.Writer
	Builtins    []Builtin
	// Unsupported names modules that exist in real Medusa projects but not here (say
	// "@medusajs/medusa/core-flows"); requiring one throws an UnsupportedError with the message.
	Unsupported func(name string) (message string, ok bool)
	Uncaught    UncaughtFunc
}

// Runtime is one goja VM with its event loop, compile caches and builtins.
type Runtime struct {
	opts     Options
	vm       *goja.Runtime
	loop     *loop
	comp     *compiler
	res      *resolver
	builtins map[string]Builtin
	log      *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup

	// read holds the files Precompile read for the coming transaction, so that evaluating
	// them does not read them again; a transaction's end drops what it did not use.
	readMu sync.Mutex
	read   map[string][]byte

	// Loop-only state.
	builtinExports map[string]goja.Value
	node20Patch    goja.Callable // js/node20.js patch(name, exports, require), for Node built-ins
	unhandled      map[*goja.Promise]*Owner
	helpersObj     *goja.Object
	staticSet      *ModuleSet
	building       *ModuleSet // the set a transaction is evaluating into
	live           *ModuleSet // the last committed set
	evaluating     []string   // files whose top level is running, innermost last
	guard          goja.Callable
	started        time.Time
	closeOnce      sync.Once
}

// New creates a runtime and starts its loop. Close releases it.
func New(opts Options) (*Runtime, error) {
	if opts.Root != "" {
		abs, err := filepath.Abs(opts.Root)
		if err != nil {
			return nil, fmt.Errorf("jsvm: project root: %w", err)
		}
		opts.Root = abs
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	rt := &Runtime{
		opts:           opts,
		vm:             goja.New(),
		comp:           newCompiler(opts.Tsconfig, newDiskCache(opts.CacheDir)),
		builtins:       make(map[string]Builtin),
		builtinExports: make(map[string]goja.Value),
		unhandled:      make(map[*goja.Promise]*Owner),
		started:        time.Now(),
		log:            opts.Logger,
	}
	for _, b := range nodeBuiltins() {
		b.node = true
		rt.builtins[b.Name] = b
	}
	for _, b := range opts.Builtins {
		rt.builtins[b.Name] = b
	}
	rt.res = newResolver(rt.isBuiltin)
	if disk := rt.comp.tr.disk; disk != nil {
		go disk.prune(30 * 24 * time.Hour)
	}
	rt.loop = newLoop(rt.vm, opts.TaskTimeout)
	rt.loop.onPanic = rt.onLoopPanic
	rt.vm.SetFieldNameMapper(goja.TagFieldNameMapper("json", true))
	rt.vm.SetMaxCallStackSize(10000)
	rt.vm.SetPromiseRejectionTracker(rt.trackRejection)
	// goja_nodejs's buffer and url modules find each other through its require registry.
	gojarequire.NewRegistry().Enable(rt.vm)
	if err := rt.installGlobals(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt.cancel = cancel
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		rt.loop.run(ctx)
	}()
	return rt, nil
}

// Close stops the loop; pending work is dropped. Transforms not yet written to the disk cache
// are written first.
func (rt *Runtime) Close() {
	rt.closeOnce.Do(func() {
		rt.loop.close()
		rt.cancel()
		rt.wg.Wait()
		rt.comp.tr.disk.flush()
	})
}

// Root is the project directory.
func (rt *Runtime) Root() string { return rt.opts.Root }

// Env is the environment process.env was built from.
func (rt *Runtime) Env() map[string]string { return rt.opts.Env }

// Logger is the runtime's logger.
func (rt *Runtime) Logger() *slog.Logger { return rt.log }

// VM is the goja runtime. Use it only on the loop (inside Do or Post callbacks).
func (rt *Runtime) VM() *goja.Runtime { return rt.vm }

// TaskTimeout is the configured runaway limit.
func (rt *Runtime) TaskTimeout() time.Duration { return rt.opts.TaskTimeout }

// Post queues fn on the loop without waiting. It reports false when the runtime is closed.
func (rt *Runtime) Post(owner *Owner, label string, fn func(vm *goja.Runtime)) bool {
	return rt.loop.post(owner, label, func() { fn(rt.vm) })
}

// Do runs fn on the loop and waits for it. If ctx ends first, Do returns ctx.Err() and fn is
// skipped if it has not started. An interrupt (runaway code) comes back as a
// *goja.InterruptedError.
func (rt *Runtime) Do(ctx context.Context, owner *Owner, label string, fn func(vm *goja.Runtime) error) error {
	done := make(chan error, 1)
	var mu sync.Mutex
	abandoned := false
	ok := rt.loop.post(owner, label, func() {
		mu.Lock()
		skip := abandoned
		mu.Unlock()
		if skip {
			done <- ctx.Err()
			return
		}
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					switch x := r.(type) {
					case *goja.InterruptedError:
						err = x
					case *goja.Exception: // a JavaScript throw that fn did not catch
						err = x
					default:
						// The caller must not wait forever; the loop reports the panic.
						done <- fmt.Errorf("%s: panic: %v", label, r)
						panic(r)
					}
				}
			}()
			err = fn(rt.vm)
		}()
		done <- err
	})
	if !ok {
		return ErrLoopClosed
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		mu.Lock()
		abandoned = true
		mu.Unlock()
		return ctx.Err()
	}
}

// Waiting is the number of tasks posted to the loop that it has not taken up yet (requests,
// a reload waiting behind the running task).
func (rt *Runtime) Waiting() int {
	rt.loop.mu.Lock()
	defer rt.loop.mu.Unlock()
	return len(rt.loop.queue)
}

// ResetDeadline gives the running task a fresh time budget. Call it on the loop.
func (rt *Runtime) ResetDeadline() { rt.loop.resetDeadline() }

// Forget drops cached compilations of path (it was deleted).
func (rt *Runtime) Forget(path string) { rt.comp.forget(path) }

// Precompile transforms and compiles files in parallel, off the loop, so that evaluation on
// the loop only runs code. Errors are returned per file; they also come back from require.
//
// The content read is what the next transaction evaluates for those files (each file is read
// once per save); a transaction's end forgets it.
func (rt *Runtime) Precompile(paths []string) map[string]error {
	errs := make(map[string]error)
	read := make(map[string][]byte, len(paths))
	defer func() {
		rt.readMu.Lock()
		rt.read = read
		rt.readMu.Unlock()
	}()
	var mu sync.Mutex
	one := func(p string) {
		src, err := os.ReadFile(p)
		if err == nil {
			mu.Lock()
			read[p] = src
			mu.Unlock()
			_, err = rt.comp.compile(p, src)
		}
		if err != nil {
			mu.Lock()
			errs[p] = err
			mu.Unlock()
		}
	}
	paths = slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return filepath.Ext(p) == ".json" })
	if len(paths) == 1 { // a save: no goroutine to start and wait for
		one(paths[0])
		return errs
	}
	sem := make(chan struct{}, max(2, numCPU()))
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func(p string) {
			defer wg.Done()
			defer func() { <-sem }()
			one(p)
		}(p)
	}
	wg.Wait()
	return errs
}

// readSource returns the content of path: what Precompile read for this transaction, or the
// file as it is now.
func (rt *Runtime) readSource(path string) ([]byte, error) {
	rt.readMu.Lock()
	src, ok := rt.read[path]
	delete(rt.read, path)
	rt.readMu.Unlock()
	if ok {
		return src, nil
	}
	return os.ReadFile(path)
}

// forgetSources drops what Precompile read and no evaluation used.
func (rt *Runtime) forgetSources() {
	rt.readMu.Lock()
	rt.read = nil
	rt.readMu.Unlock()
}

// Check compiles one file without running it and returns its problems (errors and warnings).
func (rt *Runtime) Check(path string, src []byte) []diag.Diagnostic {
	c, err := rt.comp.compile(path, src)
	if err != nil {
		return rt.Diagnostics(err, diag.CodeLoad)
	}
	return c.warnings
}

func (rt *Runtime) isBuiltin(name string) bool {
	name = strings.TrimPrefix(name, "node:")
	if _, ok := rt.builtins[name]; ok {
		return true
	}
	if _, ok := unsupportedNodeModules[name]; ok {
		return true
	}
	if rt.opts.Unsupported != nil {
		_, ok := rt.opts.Unsupported(name)
		return ok
	}
	return false
}

// IsProjectFile reports whether path is the user's own code (inside Root, not a dependency).
func (rt *Runtime) IsProjectFile(path string) bool {
	if rt.opts.Root == "" || !filepath.IsAbs(path) {
		return false
	}
	rel, err := filepath.Rel(rt.opts.Root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	return !strings.Contains(filepath.ToSlash(rel), "node_modules/")
}

func (rt *Runtime) onLoopPanic(v any) {
	if u, ok := v.(uncaught); ok {
		rt.reportUncaught(u.owner, rt.Diagnostics(u.err, diag.CodeRuntime))
		return
	}
	rt.log.Error("jsvm: internal error on the event loop", "panic", v)
}

func (rt *Runtime) reportUncaught(owner *Owner, problems []diag.Diagnostic) {
	if rt.opts.Uncaught != nil {
		rt.opts.Uncaught(owner, problems)
		return
	}
	for _, p := range problems {
		rt.log.Error(p.Format(rt.opts.Root))
	}
}

func (rt *Runtime) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	if op == goja.PromiseRejectionHandle {
		delete(rt.unhandled, p)
		return
	}
	// A handler may still be attached later in the same task; check once the task's promise
	// jobs have drained, which is what Node's default "unhandled rejection" check does too.
	owner := rt.loop.taskOwn
	rt.unhandled[p] = owner
	rt.loop.post(owner, "unhandled rejection", func() {
		if _, still := rt.unhandled[p]; !still {
			return
		}
		delete(rt.unhandled, p)
		problems := rt.ValueDiagnostics(p.Result(), diag.CodeRuntime)
		for i := range problems {
			problems[i].Message = "unhandled promise rejection: " + problems[i].Message
		}
		rt.reportUncaught(owner, problems)
	})
}
