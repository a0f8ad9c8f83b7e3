// Package embedded is the embedded runtime: the project loaded into goja (App: its resources
// registered by the reloaders, and the generation bookkeeping that turns a batch of changed
// files into one transaction), the child process that serves it (`medusa-ls start`, RunChild),
// and the supervisor's side that starts and drives those children (Runtime).
package embedded

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/bus/local"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/reloaders"
	"github.com/medusa-ls/medusa-ls/schedule"
)

// Options configure an App.
type Options struct {
	Root           string
	Env            map[string]string // process.env, .env already merged
	TaskTimeout    time.Duration     // runaway-code limit per task (handler, module top level)
	RequestTimeout time.Duration     // longest wait for a response
	Logger         *slog.Logger      // where log lines go
	Output         io.Writer         // console.* and logger output
	OnRuntimeError func(reloaders.RuntimeError)
	CacheDir       string // transform cache shared by processes; "" = none
	// Trace times every reload's stages into Result.Trace (MEDUSA_LS_TRACE=1).
	Trace bool
	// MaxHold is how long a request waits for a reload in progress (0: DefaultMaxHold).
	MaxHold time.Duration
}

// App is a project running in the embedded runtime.
type App struct {
	opts        Options
	rt          *jsvm.Runtime
	log         *slog.Logger
	routes      *reloaders.Routes
	subscribers *reloaders.Subscribers
	jobs        *reloaders.Jobs
	modules     *reloaders.Modules
	workflows   *framework.Workflows
	configValue goja.Value
	credentials framework.DevCredentials
	kinds       []reloaders.Reloader
	container   *framework.Container
	bus         *local.Bus
	scheduler   *schedule.Scheduler

	gate gate // requests wait here while a reload that can change them runs

	mu         sync.Mutex // one load or reload at a time
	set        *jsvm.ModuleSet
	generation int
	// broken files: entry files that failed to load, and files whose own code failed (a syntax
	// error in a util), with what they tried to import, so that fixing a dependency retries them.
	broken map[string]*brokenFile
	// stale entries loaded fine in a batch that failed for another file; the next batch applies
	// them.
	stale    map[string]bool
	warnings map[string][]diag.Diagnostic // per entry file with warnings, from its last successful load
	config   *project.Config
}

type brokenFile struct {
	problems  []diag.Diagnostic
	attempted []string
	missing   bool // failed on a module that could not be found
}

// New creates the runtime; Load loads the project.
func New(opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Output == nil {
		opts.Output = os.Stdout
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	opts.Root = root
	if opts.MaxHold <= 0 {
		opts.MaxHold = DefaultMaxHold
	}
	a := &App{opts: opts, log: opts.Logger, broken: map[string]*brokenFile{}, stale: map[string]bool{}, warnings: map[string][]diag.Diagnostic{},
		workflows: framework.NewWorkflows()}
	sdk := a.workflows.Builtin()
	legacySDK := sdk
	legacySDK.Name = "@medusajs/workflows-sdk"
	rt, err := jsvm.New(jsvm.Options{
		Root:        root,
		Env:         opts.Env,
		TaskTimeout: opts.TaskTimeout,
		Tsconfig:    project.ReadTsconfig(root),
		CacheDir:    opts.CacheDir,
		Logger:      opts.Logger,
		Stdout:      opts.Output,
		Console:     a.console,
		Builtins:    append(framework.Builtins(), sdk, legacySDK),
		Unsupported: framework.Unsupported,
		Uncaught:    a.uncaught,
	})
	if err != nil {
		return nil, err
	}
	a.rt = rt
	return a, nil
}

// Runtime is the embedded runtime.
func (a *App) Runtime() *jsvm.Runtime { return a.rt }

// Root is the project directory.
func (a *App) Root() string { return a.opts.Root }

// Config is the evaluated medusa-config, after Load.
func (a *App) Config() *project.Config { return a.config }

// Credentials are the development credentials of the project (set once it has loaded): the
// publishable key /store routes require and bearer tokens for an admin user and a customer.
func (a *App) Credentials() framework.DevCredentials { return a.credentials }

// Close stops the jobs and the bus, letting what runs finish briefly, then the runtime.
func (a *App) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if a.scheduler != nil {
		_ = a.scheduler.Stop(ctx)
	}
	if a.bus != nil {
		_ = a.bus.Close()
		_ = a.bus.Drain(ctx)
	}
	a.rt.Close()
}

// Handler serves HTTP; it is valid after Load.
func (a *App) Handler() http.Handler { return http.HandlerFunc(a.serve) }

func (a *App) console(level slog.Level, file string, line int, text string) {
	where := ""
	if file != "" {
		where = fmt.Sprintf("%s:%d ", diag.RelPath(a.opts.Root, file), line)
	}
	fmt.Fprintf(a.opts.Output, "%s%s%s\n", levelPrefix(level), where, text)
}

// levelPrefix imitates Medusa's development logger ("info:    …").
func levelPrefix(level slog.Level) string {
	switch {
	case level >= slog.LevelError:
		return "error:   "
	case level >= slog.LevelWarn:
		return "warn:    "
	case level <= slog.LevelDebug:
		return "debug:   "
	}
	return "info:    "
}

func (a *App) uncaught(owner *jsvm.Owner, problems []diag.Diagnostic) {
	label := ""
	if owner != nil {
		label = owner.Label
	}
	for _, p := range problems {
		fmt.Fprintf(a.opts.Output, "error:   %s\n", p.Format(a.opts.Root))
	}
	if a.opts.OnRuntimeError != nil {
		a.opts.OnRuntimeError(reloaders.RuntimeError{Path: label, Problems: problems})
	}
}

// Load evaluates medusa-config, builds the container and loads every resource. Files that fail
// are reported and left out; everything else serves.
func (a *App) Load(ctx context.Context) ipc.Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	start := time.Now()
	entries := a.scanEntries()
	a.rt.Precompile(append(entries, a.configFile()))
	var res ipc.Result
	err := a.rt.Do(ctx, nil, "load", func(vm *goja.Runtime) error {
		res = a.loadAll(vm, entries)
		return nil
	})
	if err != nil {
		res = ipc.Result{Errors: a.rt.Diagnostics(err, diag.CodeLoad)}
	}
	res.DurationMs = report.Ms(time.Since(start))
	res.Problems = a.problems()
	if a.credentials.PublishableKey != "" {
		c := a.credentials
		res.Credentials = &c
	}
	return res
}

func (a *App) configFile() string {
	f, _ := project.FindConfig(a.opts.Root)
	return f
}

func (a *App) loadAll(vm *goja.Runtime, entries []string) ipc.Result {
	var res ipc.Result
	file, err := project.FindConfig(a.opts.Root)
	var cfgValue goja.Value
	if err == nil {
		var problems []diag.Diagnostic
		a.config, cfgValue, problems = project.EvaluateConfig(a.rt, file)
		a.configValue = cfgValue
		if diag.HasErrors(problems) {
			a.broken[file] = &brokenFile{problems: problems}
			res.Errors = append(res.Errors, problems...)
		}
	}
	a.setupContainer(vm, cfgValue)
	tx := a.rt.Begin(nil, nil)
	a.workflows.Begin(nil)
	pendings := a.prepare(tx, entries, nil)
	a.workflows.Commit()
	for _, p := range pendings {
		p.Commit()
		res.Reloaded = append(res.Reloaded, p.Reloaded()...)
		res.Resources = append(res.Resources, p.Resources()...)
	}
	a.set = tx.Commit()
	a.generation++
	a.record(tx, pendings, entries)
	for _, p := range pendings {
		for _, d := range p.Problems() {
			if d.Severity == diag.Error {
				res.Errors = append(res.Errors, d)
			}
		}
	}
	res.Success = !diag.HasErrors(res.Errors)
	res.Applied = true
	res.Generation = a.generation
	return res
}

func (a *App) setupContainer(vm *goja.Runtime, cfgValue goja.Value) {
	a.container = framework.NewContainer(a.rt)
	logger := framework.NewLogger(a.rt, func(level slog.Level, text string) {
		fmt.Fprintf(a.opts.Output, "%s%s\n", levelPrefix(level), text)
	})
	a.container.Register("logger", logger)
	if cfgValue == nil {
		cfgValue = vm.NewObject()
	}
	a.container.Register("configModule", cfgValue)
	flags := vm.NewObject()
	_ = flags.Set("isFeatureEnabled", func(key string) bool {
		if a.config == nil {
			return false
		}
		v, ok := a.config.FeatureFlags[key]
		b, _ := v.(bool)
		return ok && b
	})
	a.container.Register("featureFlagRouter", flags)

	var cors reloaders.CORSConfig
	jwtSecret := ""
	if cfg, ok := cfgValue.(*goja.Object); ok {
		if pc, ok := cfg.Get("projectConfig").(*goja.Object); ok {
			if h, ok := pc.Get("http").(*goja.Object); ok {
				str := func(k string) string {
					v := h.Get(k)
					if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
						return ""
					}
					return v.String()
				}
				cors = reloaders.CORSConfig{Store: str("storeCors"), Admin: str("adminCors"), Auth: str("authCors")}
				jwtSecret = str("jwtSecret")
			}
		}
	}
	if jwtSecret == "" {
		// Medusa's config manager falls back to JWT_SECRET, then to the default.
		jwtSecret = a.opts.Env["JWT_SECRET"]
	}
	a.credentials = framework.NewDevCredentials(jwtSecret)
	a.routes = reloaders.NewRoutes(reloaders.RoutesOptions{
		Root: a.opts.Root, Runtime: a.rt, Container: a.container, CORS: cors, PublishableKey: a.credentials.PublishableKey,
		RequestTimeout: a.opts.RequestTimeout, Logger: a.log, OnError: a.opts.OnRuntimeError,
	})
	// A failed delivery or job run is logged once, by the error sinks, at the throwing line.
	busLog := slog.New(levelHandler{w: a.opts.Output, skipFailures: true})
	a.bus = local.New(local.Options{Logger: busLog, OnError: a.subscriberFailed})
	a.container.Register(framework.EventBusKey, framework.NewEventBus(a.rt, a.bus, a.opts.RequestTimeout))
	a.scheduler = schedule.New(schedule.Options{Logger: busLog, OnError: a.jobFailed})
	a.subscribers = reloaders.NewSubscribers(reloaders.SubscribersOptions{
		Root: a.opts.Root, Runtime: a.rt, Bus: a.bus, Container: a.container, Timeout: a.opts.RequestTimeout, Logger: a.log,
	})
	a.jobs = reloaders.NewJobs(reloaders.JobsOptions{
		Root: a.opts.Root, Runtime: a.rt, Scheduler: a.scheduler, Container: a.container, Timeout: a.opts.RequestTimeout, Logger: a.log,
	})
	a.modules = reloaders.NewModules(reloaders.ModulesOptions{
		Root: a.opts.Root, Runtime: a.rt, Container: a.container, Decls: a.moduleDecls, Logger: a.log,
	})
	wf := reloaders.NewWorkflows(reloaders.WorkflowsOptions{Root: a.opts.Root, Runtime: a.rt, Registry: a.workflows})
	a.workflows.OnStepFailed = func(workflow, step string, errV goja.Value) {
		problems := framework.StepFailure(a.rt, workflow, step, errV)
		what := "workflow " + workflow
		if step != "" {
			what += " step " + step
		}
		a.report(what, problems)
	}
	// Medusa's order: modules → workflows → routes → subscribers → jobs.
	a.kinds = []reloaders.Reloader{a.modules, wf, a.routes, a.subscribers, a.jobs}
}

// moduleIndex is the index file of a project module resolved as written in the config, or "".
func (a *App) moduleIndex(resolve string) string {
	dir, ok := project.ModulePath(a.opts.Root, resolve)
	if !ok {
		return ""
	}
	for _, name := range []string{"index.ts", "index.js"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	return ""
}

// moduleDecls reads the project's own modules from medusa-config's modules (on the loop).
// Modules from packages (@medusajs/…) are not loaded by the embedded runtime; resolving them
// is an error that says so.
func (a *App) moduleDecls() []reloaders.ModuleDecl {
	cfg, ok := a.configValue.(*goja.Object)
	if !ok {
		return nil
	}
	list, ok := cfg.Get("modules").(*goja.Object)
	if !ok || list.ClassName() != "Array" {
		return nil
	}
	var out []reloaders.ModuleDecl
	n := int(list.Get("length").ToInteger())
	for i := 0; i < n; i++ {
		m, ok := list.Get(strconv.Itoa(i)).(*goja.Object)
		if !ok {
			continue
		}
		get := func(k string) string {
			v := m.Get(k)
			if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
				return ""
			}
			return v.String()
		}
		// Providers listed under a module's options.providers (a fulfillment or payment provider
		// of the project's own) are loaded by that module in Medusa, not listed on their own.
		if opts, ok := m.Get("options").(*goja.Object); ok {
			if ps, ok := opts.Get("providers").(*goja.Object); ok && ps.ClassName() == "Array" {
				for j := 0; j < int(ps.Get("length").ToInteger()); j++ {
					p, ok := ps.Get(strconv.Itoa(j)).(*goja.Object)
					if !ok {
						continue
					}
					if r := p.Get("resolve"); r != nil && !goja.IsUndefined(r) && !goja.IsNull(r) {
						if index := a.moduleIndex(r.String()); index != "" {
							out = append(out, reloaders.ModuleDecl{Resolve: r.String(), Index: index, Provider: true})
						}
					}
				}
			}
		}
		resolve := get("resolve")
		index := a.moduleIndex(resolve)
		if index == "" {
			continue
		}
		out = append(out, reloaders.ModuleDecl{Key: get("key"), Resolve: resolve, Index: index, Options: m.Get("options")})
	}
	return out
}

// subscriberFailed reports a subscriber that threw: never silent, unlike Medusa's local bus.
func (a *App) subscriberFailed(e *bus.HandlerError) {
	what := fmt.Sprintf("subscriber %s on %s", e.SubscriberID, e.Event)
	a.reportRuntime(what, e.Source, e.Err)
}

// jobFailed reports a scheduled job that threw.
func (a *App) jobFailed(e *schedule.RunError) {
	a.reportRuntime("job "+e.Job, e.Source, e.Err)
}

func (a *App) reportRuntime(what, source string, err error) {
	problems := a.rt.Diagnostics(err, diag.CodeRuntime)
	if len(problems) == 0 || problems[0].Line == 0 {
		// No JavaScript frame (a timeout): point at the function's definition.
		file, line := splitSource(source)
		problems = []diag.Diagnostic{{File: file, Line: line, Column: 1, Severity: diag.Error, Code: diag.CodeRuntime, Message: err.Error()}}
	}
	for i := range problems {
		if !strings.HasPrefix(problems[i].Message, what+" ") { // an interrupt names it already
			problems[i].Message = what + ": " + problems[i].Message
		}
	}
	a.report(what, problems)
}

// report logs runtime problems and hands them to the supervisor (the editor shows them).
func (a *App) report(what string, problems []diag.Diagnostic) {
	for _, p := range problems {
		fmt.Fprintf(a.opts.Output, "error:   %s\n", p.Format(a.opts.Root))
	}
	if a.opts.OnRuntimeError != nil {
		a.opts.OnRuntimeError(reloaders.RuntimeError{What: what, Problems: problems})
	}
}

func splitSource(source string) (string, int) {
	i := strings.LastIndexByte(source, ':')
	if i < 0 {
		return source, 0
	}
	n, err := strconv.Atoi(source[i+1:])
	if err != nil {
		return source, 0
	}
	return source[:i], n
}

// NewLogger returns a logger that writes lines in Medusa's development format ("error:   …").
func NewLogger(w io.Writer) *slog.Logger { return slog.New(levelHandler{w: w}) }

// levelHandler writes log lines in Medusa's format.
type levelHandler struct {
	w io.Writer
	// skipFailures drops the bus's and the scheduler's own lines for a failed subscriber or
	// job (an error with a source), which their error sinks report with the throwing position.
	skipFailures bool
}

func (h levelHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (h levelHandler) Handle(_ context.Context, r slog.Record) error {
	if h.skipFailures && r.Level >= slog.LevelError {
		failure := false
		r.Attrs(func(a slog.Attr) bool {
			failure = failure || a.Key == "source"
			return !failure
		})
		if failure {
			return nil
		}
	}
	var b strings.Builder
	b.WriteString(levelPrefix(r.Level))
	// The message says it all in Medusa's words; the attributes are for structured logs.
	b.WriteString(r.Message)
	b.WriteByte('\n')
	_, err := io.WriteString(h.w, b.String())
	return err
}
func (h levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h }
func (h levelHandler) WithGroup(string) slog.Handler            { return h }

// prepare asks every kind to build its next state from the given entry files.
func (a *App) prepare(tx *jsvm.Tx, load, remove []string) []reloaders.Pending {
	var out []reloaders.Pending
	for _, k := range a.kinds {
		var l, r []string
		for _, f := range load {
			if k.Owns(a.rel(f)) {
				l = append(l, f)
			}
		}
		for _, f := range remove {
			if k.Owns(a.rel(f)) {
				r = append(r, f)
			}
		}
		out = append(out, k.Prepare(tx, l, r))
	}
	return out
}

// record updates the broken, stale and warning bookkeeping after a committed transaction.
func (a *App) record(tx *jsvm.Tx, pendings []reloaders.Pending, loaded []string) {
	failed := map[string]bool{}
	problemsByFile := map[string][]diag.Diagnostic{}
	for _, p := range pendings {
		for _, f := range p.Failed() {
			failed[f] = true
		}
		for _, d := range p.Problems() {
			problemsByFile[d.File] = append(problemsByFile[d.File], d)
		}
	}
	for _, f := range loaded {
		delete(a.stale, f)
		if failed[f] {
			a.markBroken(f, tx, errorsOf(pendings))
			continue
		}
		delete(a.broken, f)
		// Only files with warnings are kept, so that collecting the problems costs the
		// problems, not the number of files.
		if ws := problemsByFile[f]; len(ws) > 0 {
			a.warnings[f] = ws
		} else {
			delete(a.warnings, f)
		}
	}
	// A file whose own code failed (a util with a syntax error) is broken too, so that saving
	// a fix to it is recognised.
	for file, ds := range problemsByFile {
		if diag.HasErrors(ds) && !slices.Contains(loaded, file) {
			if _, ok := a.broken[file]; !ok {
				a.broken[file] = &brokenFile{problems: ds}
			}
		}
	}
}

func errorsOf(pendings []reloaders.Pending) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, pe := range pendings {
		for _, d := range pe.Problems() {
			if d.Severity == diag.Error {
				out = append(out, d)
			}
		}
	}
	return out
}

func (a *App) markBroken(file string, tx *jsvm.Tx, problems []diag.Diagnostic) {
	b := &brokenFile{attempted: tx.Attempted(file)}
	for _, d := range problems {
		if d.File == file || slices.Contains(b.attempted, d.File) {
			b.problems = append(b.problems, d)
		}
		if strings.Contains(d.Message, "Cannot find module") {
			b.missing = true
		}
	}
	// Keep every problem that mentions the file or what it imports.
	if len(b.problems) == 0 {
		b.problems = problems
	}
	a.broken[file] = b
	delete(a.warnings, file)
}

// Problems returns every current load problem in the project (errors of broken files,
// warnings of loaded ones), sorted by file and line.
func (a *App) Problems() []diag.Diagnostic {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.problems()
}

func (a *App) problems() []diag.Diagnostic {
	seen := map[string]bool{}
	var out []diag.Diagnostic
	add := func(d diag.Diagnostic) {
		key := fmt.Sprintf("%s:%d:%d:%s:%s", d.File, d.Line, d.Column, d.Code, d.Message)
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	for _, b := range a.broken {
		for _, d := range b.problems {
			add(d)
		}
	}
	for _, ws := range a.warnings {
		for _, d := range ws {
			add(d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	if out == nil {
		out = []diag.Diagnostic{}
	}
	return out
}

// Resources lists what the live generation provides.
func (a *App) Resources() []reloaders.Resource {
	if a.routes == nil {
		return nil
	}
	out := a.modules.Resources()
	out = append(out, reloaders.NewWorkflows(reloaders.WorkflowsOptions{Registry: a.workflows}).Resources()...)
	out = append(out, a.routes.Resources()...)
	out = append(out, a.subscribers.Resources()...)
	return append(out, a.jobs.Resources()...)
}

func (a *App) rel(abs string) string { return diag.RelPath(a.opts.Root, abs) }

// scanEntries lists every entry file of every kind under src/.
func (a *App) scanEntries() []string {
	var out []string
	for _, f := range scan.Project(a.opts.Root) {
		if a.isEntry(f.Rel) {
			out = append(out, f.Path)
		}
	}
	return out
}

func (a *App) isEntry(rel string) bool {
	for _, k := range a.entryKinds() {
		if k.Owns(rel) {
			return true
		}
	}
	return false
}

// entryKinds are the kinds that decide which files are entries; they exist before Load.
func (a *App) entryKinds() []reloaders.Reloader {
	if len(a.kinds) > 0 {
		return a.kinds
	}
	return []reloaders.Reloader{
		reloaders.NewModules(reloaders.ModulesOptions{Root: a.opts.Root}),
		reloaders.NewWorkflows(reloaders.WorkflowsOptions{Root: a.opts.Root}),
		reloaders.NewRoutes(reloaders.RoutesOptions{Root: a.opts.Root}),
		reloaders.NewSubscribers(reloaders.SubscribersOptions{Root: a.opts.Root}),
		reloaders.NewJobs(reloaders.JobsOptions{Root: a.opts.Root}),
	}
}
