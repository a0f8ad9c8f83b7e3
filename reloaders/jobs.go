package reloaders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/schedule"
)

// JobsOptions configure the jobs reloader.
type JobsOptions struct {
	Root      string
	Runtime   *jsvm.Runtime
	Scheduler *schedule.Scheduler
	Container *framework.Container
	Timeout   time.Duration // longest a run may take to settle
	Logger    *slog.Logger
}

// Jobs schedules src/jobs/*. A reload removes a job's old schedule and adds the new one in one
// step of the scheduler: never two timers for one job, and a run in progress finishes on the
// code it started with.
type Jobs struct {
	opts JobsOptions

	mu   sync.Mutex
	live map[string]job // file → its job
}

type job struct {
	name, spec string
	file       string
	line       int
	sched      schedule.Job
}

// NewJobs returns the reloader with no jobs.
func NewJobs(opts JobsOptions) *Jobs { return &Jobs{opts: opts, live: map[string]job{}} }

// Kind implements Reloader.
func (j *Jobs) Kind() string { return "jobs" }

// Owns implements Reloader.
func (j *Jobs) Owns(rel string) bool { return scan.KindOf(rel) == scan.Job }

type jobsPending struct {
	outcome
	j       *Jobs
	next    map[string]job
	changed []string
}

func (p *jobsPending) Resources() []Resource { return jobResources(p.next) }

// Commit swaps the changed files' schedules in one step.
func (p *jobsPending) Commit() {
	j := p.j
	j.mu.Lock()
	defer j.mu.Unlock()
	var remove []string
	var add []schedule.Job
	for _, f := range p.changed {
		if old, ok := j.live[f]; ok {
			remove = append(remove, old.name)
		}
		if n, ok := p.next[f]; ok {
			add = append(add, n.sched)
		}
	}
	if err := j.opts.Scheduler.Replace(remove, add); err != nil {
		if j.opts.Logger != nil {
			j.opts.Logger.Error("jobs: " + err.Error())
		}
		return
	}
	j.live = p.next
}

// Resources lists the live jobs.
func (j *Jobs) Resources() []Resource {
	j.mu.Lock()
	defer j.mu.Unlock()
	return jobResources(j.live)
}

func jobResources(m map[string]job) []Resource {
	var out []Resource
	for _, jb := range m {
		out = append(out, Resource{Kind: "job", Name: jb.name + " · " + jb.spec, File: jb.file, Line: jb.line})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Prepare implements Reloader.
func (j *Jobs) Prepare(tx *jsvm.Tx, load, remove []string) Pending {
	j.mu.Lock()
	if len(load) == 0 && len(remove) == 0 {
		defer j.mu.Unlock()
		return &jobsPending{j: j, next: j.live} // a reload of other kinds: nothing to copy or change
	}
	next := make(map[string]job, len(j.live))
	for f, jb := range j.live {
		next[f] = jb
	}
	j.mu.Unlock()
	p := &jobsPending{j: j, next: next}
	for _, f := range remove {
		if old, ok := next[f]; ok {
			p.gone = append(p.gone, jobResources(map[string]job{f: old})...)
			delete(next, f)
			p.changed = append(p.changed, f)
		}
	}
	vm := j.opts.Runtime.VM()
	for _, f := range load {
		jb, problems := j.load(tx, vm, f)
		p.problems = append(p.problems, problems...)
		if jb == nil {
			p.failed = append(p.failed, f)
			continue
		}
		if dup := duplicateJob(j.opts.Root, next, f, *jb); dup != nil {
			p.problems = append(p.problems, *dup)
			p.failed = append(p.failed, f)
			continue
		}
		next[f] = *jb
		p.changed = append(p.changed, f)
		p.reloaded = append(p.reloaded, jobResources(map[string]job{f: *jb})...)
	}
	return p
}

func duplicateJob(root string, next map[string]job, file string, jb job) *diag.Diagnostic {
	for other, o := range next {
		if other != file && o.name == jb.name {
			return &diag.Diagnostic{File: file, Line: jb.line, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
				Message: fmt.Sprintf("a job named %q already exists in %s; job names must be unique", jb.name, diag.RelPath(root, other))}
		}
	}
	return nil
}

func (j *Jobs) load(tx *jsvm.Tx, vm *goja.Runtime, file string) (*job, []diag.Diagnostic) {
	m, err := tx.Require(file)
	if err != nil {
		return nil, j.opts.Runtime.Diagnostics(err, diag.CodeLoad)
	}
	src := sourceOf(m, file)
	problems := append([]diag.Diagnostic(nil), m.Warnings...)
	fail := func(line int, msg string) (*job, []diag.Diagnostic) {
		return nil, append(problems, diag.Diagnostic{File: file, Line: line, Column: 1, Severity: diag.Error, Code: diag.CodeLoad, Message: msg})
	}
	handler := m.Export(vm, "default")
	if _, ok := goja.AssertFunction(handler); !ok {
		return fail(exportLine(src, "default"), "the default export must be the job function: export default async function (container) { … }")
	}
	cfg, ok := m.Export(vm, "config").(*goja.Object)
	if !ok {
		return fail(1, `the job has no config: export const config = { name: "my-job", schedule: "0 * * * *" }`)
	}
	cfgLine := exportLine(src, "config")
	name := stringField(cfg, "name")
	if name == "" {
		line, hint := missingKeyAt(src, "name", cfgLine)
		return fail(line, "config.name is missing: every job needs a unique name"+hint)
	}
	schedLine, schedHint := missingKeyAt(src, "schedule", cfgLine)
	spec, err := specFrom(vm, cfg.Get("schedule"))
	if err != nil {
		return fail(schedLine, fmt.Sprintf("job %q: %v", name, err)+schedHint)
	}
	if err := schedule.ValidateSpec(spec); err != nil {
		return fail(schedLine, fmt.Sprintf("job %q: %v", name, specReason(err)))
	}
	jb := &job{name: name, spec: spec.String(), file: file, line: exportLine(src, "default")}
	sj := schedule.Job{Name: name, Spec: spec, Source: fmt.Sprintf("%s:%d", file, jb.line)}
	// As Medusa's JobLoader: a schedule object is used as it is (its own numberOfExecutions;
	// the config's is ignored), a cron string takes config.numberOfExecutions.
	if sched, ok := cfg.Get("schedule").(*goja.Object); ok {
		if n := sched.Get("numberOfExecutions"); n != nil && !goja.IsUndefined(n) {
			sj.NumberOfExecutions = int(n.ToInteger())
		}
		if c := stringField(sched, "concurrency"); c == "allow" {
			sj.Concurrency = schedule.Allow
		}
		if n := cfg.Get("numberOfExecutions"); n != nil && !goja.IsUndefined(n) {
			problems = append(problems, Warning(file, lineOfKey(src, "numberOfExecutions", cfgLine),
				fmt.Sprintf("job %q: Medusa ignores config.numberOfExecutions when schedule is an object; put it in the schedule: { ..., numberOfExecutions: %s }", name, n.String())))
		}
	} else if n := cfg.Get("numberOfExecutions"); n != nil && !goja.IsUndefined(n) {
		sj.NumberOfExecutions = int(n.ToInteger())
	}
	rt, container, timeout := j.opts.Runtime, j.opts.Container, j.opts.Timeout
	label := "job " + name
	sj.Run = func(ctx context.Context, scheduledFor time.Time) error {
		return rt.Invoke(ctx, label, timeout, handler, func(vm *goja.Runtime) []goja.Value {
			arg := vm.NewObject()
			date, _ := vm.New(vm.Get("Date"), vm.ToValue(scheduledFor.UnixMilli()))
			_ = arg.Set("scheduledFor", date)
			var c goja.Value = goja.Undefined()
			if container != nil {
				c = container.Object()
			}
			return []goja.Value{c, arg}
		})
	}
	jb.sched = sj
	return jb, append(problems, lintConfigKeys(file, "job", src, JobConfigKeys)...)
}

func stringField(o *goja.Object, k string) string {
	v := o.Get(k)
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}

// specFrom reads config.schedule: a cron string, { cron }, or { interval: ms }.
func specFrom(vm *goja.Runtime, v goja.Value) (schedule.Spec, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return schedule.Spec{}, errors.New(`config.schedule is missing: a cron string ("0 * * * *"), { cron } or { interval: ms }`)
	}
	if goja.IsString(v) {
		return schedule.CronSpec(v.String()), nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return schedule.Spec{}, fmt.Errorf("config.schedule must be a cron string, { cron } or { interval: ms }, not %s", v.String())
	}
	if c := stringField(o, "cron"); c != "" {
		return schedule.CronSpec(c), nil
	}
	if iv := o.Get("interval"); iv != nil && !goja.IsUndefined(iv) {
		ms := iv.ToFloat()
		if ms <= 0 {
			return schedule.Spec{}, fmt.Errorf("config.schedule.interval must be a positive number of milliseconds, not %v", iv)
		}
		return schedule.EverySpec(time.Duration(ms * float64(time.Millisecond))), nil
	}
	return schedule.Spec{}, errors.New("config.schedule needs cron or interval")
}

func specReason(err error) string {
	var se *schedule.SpecError
	if errors.As(err, &se) && se.Reason != "" {
		return fmt.Sprintf("invalid schedule %q: %s", se.Spec.String(), se.Reason)
	}
	return err.Error()
}

// bootError is a convention error that makes Medusa exit at start, with Medusa's own words.
func bootError(file string, line int, msg, medusa string) diag.Diagnostic {
	return diag.Diagnostic{File: file, Line: line, Column: 1, Severity: diag.Error, Code: diag.CodeConvention,
		Message: fmt.Sprintf("%s: Medusa does not start without it (%s)", msg, medusa)}
}

var (
	scheduleStrRe = regexp.MustCompile("\\bschedule[ \\t]*:[ \\t]*([\"'`])([^\"'`]*)([\"'`])")
	cronStrRe     = regexp.MustCompile("\\bcron[ \\t]*:[ \\t]*([\"'`])([^\"'`]*)([\"'`])")
)

// What Medusa's JobLoader (@medusajs/framework jobs/job-loader.js, validateConfig) throws for
// a job file, and Medusa does not start: a config, its schedule and its name are required.
const (
	medusaNoJobConfig   = "Config is required for scheduled jobs."
	medusaNoJobSchedule = "Cron schedule definition is required for scheduled jobs."
	medusaNoJobName     = "Job name is required for scheduled jobs."
)

// commonJSExportsRe finds CommonJS exports (module.exports, exports.config), which ExportsOf
// does not read: a file that has them may have a config the lint cannot see.
var commonJSExportsRe = regexp.MustCompile(`(?:^|[^\w$.])(?:module\s*\.\s*exports\b|exports\s*[.\[])`)

// LintJob checks a job file's shape, and a literal cron expression, without running it. What
// makes Medusa's JobLoader throw, so that Medusa does not start (no config, or a config
// without schedule or name), is an error when the source shows it for certain; a job without
// a default export is a warning: Medusa starts, and each run of the job fails.
func LintJob(file string, src []byte) []diag.Diagnostic {
	src = withoutBOM(src)
	var out []diag.Diagnostic
	exports := scan.ExportsOf(src)
	if _, ok := exports.Named("default"); !ok {
		out = append(out, Warning(file, 1, "a job needs a default export: export default async function (container) { … }"))
	}
	config, ok := exports.Named("config")
	if !ok {
		_, star := exports.Named("*")
		if star || commonJSExportsRe.Match(src) {
			// The config may come from elsewhere: what the loader finds says.
			return append(out, Warning(file, 1, `a job needs export const config = { name: "…", schedule: "…" }`))
		}
		return append(out, bootError(file, 1, `a job needs export const config = { name: "…", schedule: "…" }`, medusaNoJobConfig))
	}
	cfgLine := config.Line
	keys, _, complete := configLiteral(src)
	nearKeys := lintConfigKeys(file, "job", src, JobConfigKeys)
	// In validateConfig's order. A key misspelled in the literal is where the missing one is
	// reported, once: its near-miss warning is dropped.
	for _, req := range []struct{ key, medusa string }{{"schedule", medusaNoJobSchedule}, {"name", medusaNoJobName}} {
		if !complete || slices.Contains(keys, req.key) {
			continue
		}
		line, hint := missingKeyAt(src, req.key, cfgLine)
		out = append(out, bootError(file, line, fmt.Sprintf("the job's config has no %s%s", req.key, hint), req.medusa))
		if hint != "" {
			nearKeys = slices.DeleteFunc(nearKeys, func(d diag.Diagnostic) bool {
				return d.Line == line && strings.HasSuffix(d.Message, "did you mean "+req.key+"?")
			})
		}
	}
	out = append(out, nearKeys...)
	for _, re := range []*regexp.Regexp{scheduleStrRe, cronStrRe} {
		m := re.FindSubmatchIndex(src)
		if m == nil || src[m[2]] != src[m[6]] {
			continue
		}
		expr := string(src[m[4]:m[5]])
		line := lineOf(src, m[4])
		at := diag.Diagnostic{File: file, Line: line, Column: columnOf(src, m[4]), EndLine: line, EndColumn: columnOf(src, m[5]), Code: diag.CodeConvention}
		if err := schedule.ValidateSpec(schedule.CronSpec(expr)); err != nil {
			at.Severity, at.Message = diag.Error, specReason(err)
			out = append(out, at)
		} else if wait, err := schedule.LongestWait(schedule.CronSpec(expr), time.Now()); err == nil && wait > schedule.MaxTimerWait {
			at.Severity = diag.Warning
			at.Message = fmt.Sprintf("runs are up to %.0f days apart, and Medusa's in-memory workflow engine waits for the next one with setTimeout, "+
				"which cannot wait more than 24.8 days: it would run this job over and over (TimeoutOverflowWarning). "+
				"Run it at least every 24 days, or use @medusajs/workflow-engine-redis", wait.Hours()/24)
			out = append(out, at)
		}
	}
	return out
}
