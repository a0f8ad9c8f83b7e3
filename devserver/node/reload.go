package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// A reload, from the supervisor's Reload to Medusa and back: the batch is read once and
// syntax-checked (before Medusa sees it, or beside its reload), then reloadTargeted sends it to
// the helper inside Medusa, which swaps what each file registered; what the helper cannot swap
// falls back to Medusa's own hmr-reload (send), and the problems are kept per file (problemSet).

// target is one hmr-reload to send: a resource file, and the change that led to it.
type target struct {
	action ipc.Action
	file   string
	kind   string // "modules", "workflows", "routes", "subscribers", "jobs"
	cause  string // the changed file
}

var kindOrder = map[string]int{"modules": 0, "workflows": 1, "routes": 2, "subscribers": 3, "jobs": 4}

// Reload applies a batch: each file is checked, then reloaded by Medusa; a file outside the
// resource folders reloads the resources that import it.
func (r *Runtime) Reload(ctx context.Context, c *child.Process, id int64, batch []ipc.Change, all bool) (ipc.Result, error) {
	r.srcs = map[string][]byte{}
	defer func() { r.srcs = nil }()
	res, err := r.reloadFiles(ctx, c, id, batch, all)
	r.lintMu.Lock()
	if r.lint != nil {
		for _, ch := range batch {
			delete(r.lint, ch.File)
			if src, ok := r.source(ch.File); ok && ch.Action != ipc.ActionUnlink {
				r.lint[ch.File] = reloaders.LintFile(r.opts.Root, ch.File, src)
			}
		}
	}
	r.lintMu.Unlock()
	res.Problems = r.withLint(res.Problems)
	return res, err
}

// withLint merges the static lint into a reload's problems, one diagnostic per cause
// (reloaders.Merge: the loader's error wins on its line).
func (r *Runtime) withLint(problems []diag.Diagnostic) []diag.Diagnostic {
	r.lintMu.Lock()
	defer r.lintMu.Unlock()
	var lint []diag.Diagnostic
	for _, f := range slices.Sorted(maps.Keys(r.lint)) {
		for _, d := range r.lint[f] {
			// Medusa's loaders report the errors (a bad cron, say) themselves: only the
			// warnings they have no word for are added, so a cause is not reported twice.
			if d.Severity != diag.Error {
				lint = append(lint, d)
			}
		}
	}
	if len(lint) == 0 {
		return problems
	}
	return reloaders.Merge(problems, lint)
}

func (r *Runtime) reloadFiles(ctx context.Context, c *child.Process, _ int64, batch []ipc.Change, all bool) (ipc.Result, error) {
	start := time.Now()
	res := ipc.Result{Success: true, Applied: true}
	if all {
		res.Restart, res.Note = true, "reload of every file requested: restarting Medusa"
		return res, nil
	}
	if c.HasHelper() {
		return r.reloadTargeted(ctx, c, batch, res, start)
	}
	var targets []target
	for _, ch := range r.precheck(batch, &res) {
		action := ch.Action
		rel := diag.RelPath(r.opts.Root, ch.File)
		if kind := scan.ReloaderOf(rel); kind != "" {
			targets = append(targets, target{action: action, file: ch.File, kind: kind, cause: ch.File})
			continue
		}
		if !c.HasHelper() {
			res.Note = fmt.Sprintf("Medusa reloads only files in resource folders; %s changed, and its importers are not known without the medusa-ls helper", rel)
			continue
		}
		importers, err := r.importers(ctx, c, ch.File)
		if err != nil {
			if !c.Alive() {
				return res, err
			}
			res.Note = fmt.Sprintf("finding what imports %s: %v", rel, err)
			continue
		}
		found := false
		for _, imp := range importers {
			if kind := scan.ReloaderOf(diag.RelPath(r.opts.Root, imp)); kind != "" {
				targets = append(targets, target{action: ipc.ActionChange, file: imp, kind: kind, cause: ch.File})
				found = true
			}
		}
		if !found {
			res.Note = fmt.Sprintf("nothing loaded imports %s", rel)
		}
	}
	// Retry what failed before and is not in this batch: a change elsewhere may have fixed it.
	for _, t := range r.problems.failed() {
		if _, err := os.Stat(t.file); err != nil && t.kind != "routes" {
			r.problems.set(problemKey(t), nil) // deleted since; what it provided is gone
			r.problems.forget(problemKey(t))
			continue
		}
		targets = append(targets, t)
	}
	for _, t := range planTargets(targets) {
		ok, logs, err := r.send(c, t)
		if err != nil {
			return res, err
		}
		key := problemKey(t)
		var errs []ipc.Envelope
		for _, m := range logs {
			if m.Level == "error" {
				errs = append(errs, m)
			}
		}
		// Medusa reports success for a subscriber it could not register; its log says otherwise.
		if ok && len(errs) == 0 {
			r.problems.set(key, nil)
			r.problems.forget(key)
			res.Reloaded = append(res.Reloaded, r.reloadedResources(t.kind, t.file)...)
			continue
		}
		if t.action == ipc.ActionUnlink && onlyMissingFile(errs, t.file) {
			continue // Medusa re-requires a deleted workflow after dropping it; it is gone, as asked
		}
		var ds []diag.Diagnostic
		for _, m := range errs {
			ds = append(ds, logDiagnostics(r.opts.Root, m, t.file, diag.CodeLoad)...)
		}
		if len(ds) == 0 {
			if t.kind == "modules" {
				// Medusa's HMRReloadError: a module file went away or could not be swapped.
				res.Restart, res.Note = true, fmt.Sprintf("Medusa cannot reload module files in place after %s %s", t.action, diag.RelPath(r.opts.Root, t.file))
				continue
			}
			ds = []diag.Diagnostic{{File: t.file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
				Message: "Medusa could not reload this file; see the medusa-ls output"}}
		}
		ds = dedupe(ds)
		r.problems.fail(key, t, ds)
		res.Errors = append(res.Errors, ds...)
		res.Success = false
	}
	res.Problems = r.problems.all()
	res.DurationMs = report.Ms(time.Since(start))
	return res, nil
}

// precheck lists the code files of a batch that can go to Medusa: each is read and parsed by
// esbuild first, and one with a syntax error stays out (its error goes into res), so that the
// previous code keeps serving. A file that cannot be read is a deletion.
func (r *Runtime) precheck(batch []ipc.Change, res *ipc.Result) []ipc.Change {
	changes, srcs := r.readBatch(batch, res)
	var out []ipc.Change
	for _, ch := range changes {
		if r.applySyntax(ch.File, syntaxErrors(ch.File, srcs[ch.File], r.tsconf), res) {
			out = append(out, ch)
		}
	}
	return out
}

// readBatch lists the code files of a batch with their content; a file that cannot be read is a
// deletion.
func (r *Runtime) readBatch(batch []ipc.Change, res *ipc.Result) ([]ipc.Change, map[string][]byte) {
	var out []ipc.Change
	srcs := r.srcs // the reload's (Reload), so that the lint and the routes' names reuse it
	if srcs == nil {
		srcs = map[string][]byte{}
	}
	for _, ch := range batch {
		res.Files = append(res.Files, ch.File)
		if !project.IsCode(diag.RelPath(r.opts.Root, ch.File)) {
			continue
		}
		action := ch.Action
		if action != ipc.ActionUnlink {
			src, err := os.ReadFile(ch.File)
			if err != nil {
				action = ipc.ActionUnlink // deleted since: what it provided goes
			} else {
				srcs[ch.File] = src
			}
		}
		out = append(out, ipc.Change{File: ch.File, Action: action})
	}
	return out, srcs
}

// applySyntax records a file's syntax errors (none: its earlier ones are gone) and tells
// whether it parses.
func (r *Runtime) applySyntax(file string, ds []diag.Diagnostic, res *ipc.Result) bool {
	r.problems.set("syntax:"+file, ds)
	if len(ds) > 0 {
		res.Errors = append(res.Errors, ds...)
		res.Success = false
	}
	return len(ds) == 0
}

// asWarnings returns ds as warnings, each message followed by why.
func asWarnings(ds []diag.Diagnostic, why string) []diag.Diagnostic {
	out := make([]diag.Diagnostic, len(ds))
	for i, d := range ds {
		d.Severity = diag.Warning
		d.Message += " (" + why + ")"
		out[i] = d
	}
	return out
}

// checkBeside starts the syntax check of a batch whose files Medusa can be given before it ends:
// route files (not middlewares.ts), subscribers, jobs, and workflow files (steps, workflows,
// hooks), whose last good module the helper puts back when they fail to compile, so that what
// imports them loads again with it. Medusa's reload and esbuild's check (1-2 ms, as long as a
// route reload itself) then overlap. It returns nil when the batch must be checked first:
// middlewares, modules, shared files (a broken one would fail each of its importers), or earlier
// failures to retry.
func (r *Runtime) checkBeside(batch []ipc.Change, res *ipc.Result) ([]ipc.Change, func() map[string][]diag.Diagnostic) {
	if len(r.problems.failed()) > 0 {
		return nil, nil
	}
	for _, ch := range batch {
		rel := diag.RelPath(r.opts.Root, ch.File)
		switch scan.ReloaderOf(rel) {
		case "routes":
			if scan.KindOf(rel) != scan.Route { // middlewares.ts, validators.ts…
				return nil, nil
			}
		case "subscribers", "jobs", "workflows":
		default:
			return nil, nil
		}
	}
	changes, srcs := r.readBatch(batch, res)
	done := make(chan map[string][]diag.Diagnostic, 1)
	go func() {
		out := map[string][]diag.Diagnostic{}
		for f, src := range srcs {
			out[f] = syntaxErrors(f, src, r.tsconf)
		}
		done <- out
	}()
	return changes, func() map[string][]diag.Diagnostic { return <-done }
}

// helperAnswer is the helper's answer to a reload command (devserver/node/js/node-helper.js reload()).
type helperAnswer struct {
	Results    []helperResult     `json:"results"`
	Importers  []string           `json:"importers"`
	DurationMs float64            `json:"durationMs"`
	Hops       map[string]float64 `json:"hops"`
}

// helperResult is the helper's answer for one file of a targeted reload (devserver/node/js/node-helper.js
// reload()).
type helperResult struct {
	File     string         `json:"file"`
	Kind     string         `json:"kind"`
	OK       bool           `json:"ok"`
	How      string         `json:"how"`
	Restart  bool           `json:"restart"`
	Fallback bool           `json:"fallback"`
	Blocked  string         `json:"blocked"` // the file whose error kept this one from loading
	Error    *ipc.Exception `json:"error"`
	Removed  bool           `json:"removed"` // the file was deleted: what it provided is gone
	Note     string         `json:"note"`    // something to tell the user (a migration to apply)
	// Unchanged: nothing in Medusa changed for the file (a migration; a link whose modules'
	// linkables are the same), so it is not named as reloaded.
	Unchanged bool `json:"unchanged"`
}

// reloadTargeted applies a batch through the helper: it re-requires exactly the changed files and
// their project importers inside Medusa and swaps what each produced (route handlers, the API
// router, workflow definitions, hook handlers, subscriptions) in one step, so no request sees a
// half-loaded API and no run finds a workflow missing. Each file's outcome is its own: an error is
// reported on the file that raised it, and a file that failed before is retried with every batch.
func (r *Runtime) reloadTargeted(ctx context.Context, c *child.Process, batch []ipc.Change, res ipc.Result, start time.Time) (ipc.Result, error) {
	// Requests that arrive from here on wait for the new code (the reload releases them as soon
	// as Medusa has swapped it in), rather than being answered by the code being replaced.
	r.proxy.pause()
	defer r.proxy.resume()
	changes, checked := r.checkBeside(batch, &res)
	if checked == nil {
		changes = r.precheck(batch, &res)
	}
	prechecked := time.Now()
	seen := map[string]bool{}
	for _, ch := range changes {
		seen[ch.File] = true
	}
	// Retry what failed before: a change elsewhere may have fixed it. A retry that fails again
	// keeps its problem on its own file and does not make this reload a failure.
	retried := map[string]bool{}
	for _, t := range r.problems.failed() {
		if seen[t.file] {
			continue
		}
		src, err := os.ReadFile(t.file)
		if err != nil {
			r.problems.set(problemKey(t), nil)
			r.problems.forget(problemKey(t))
			continue
		}
		if len(syntaxErrors(t.file, src, r.tsconf)) > 0 {
			// It does not parse now: its syntax error is what is shown, its last good code
			// stays, and it is retried once it parses.
			r.problems.set(problemKey(t), nil)
			continue
		}
		retried[t.file] = true
		changes = append(changes, ipc.Change{File: t.file, Action: ipc.ActionChange})
	}
	if len(changes) == 0 {
		res.Problems = r.problems.all()
		res.DurationMs = report.Ms(time.Since(start))
		return res, nil
	}
	out, logs, note, err := r.reloadEverywhere(ctx, c, changes)
	// The files checked beside the reload: their syntax errors, once esbuild is done.
	var syntax map[string][]diag.Diagnostic
	if checked != nil {
		syntax = checked()
	}
	var timeout *reloadTimeout
	if errors.As(err, &timeout) {
		// The old code still serves: a new Medusa starts beside it and takes over once it
		// answers (or the restart fails and says why, and the old one keeps serving). A file
		// that does not parse shows its syntax error rather than the timeout.
		res.Success, res.Restart, res.Note = false, true, timeout.Error()+"; restarting Medusa with the saved files"
		for _, ch := range changes {
			if !r.applySyntax(ch.File, syntax[ch.File], &res) || timeout.blocking != "" {
				continue // a request that never ends blocks Medusa, not this file
			}
			res.Errors = append(res.Errors, diag.Diagnostic{File: ch.File, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
				Message: timeout.Error()})
		}
		res.Problems = r.problems.all()
		res.DurationMs = report.Ms(time.Since(start))
		return res, nil
	}
	if err != nil {
		return res, err
	}
	// A file checked beside the reload that does not parse failed in Medusa too (its compiler
	// rejects the same syntax), and the helper put its last good code back: its syntax error is
	// what is shown, as if it had been checked first. Should Medusa's compiler have accepted
	// what esbuild rejects, the new code runs: Medusa is right, and esbuild's word is a warning.
	accepted := map[string]bool{}
	for _, hr := range out.Results {
		if hr.OK && !hr.Fallback {
			accepted[hr.File] = true
		}
	}
	broken := map[string]bool{}
	for f, ds := range syntax {
		if len(ds) > 0 && accepted[f] {
			r.problems.set("syntax:"+f, asWarnings(ds, "esbuild rejects this, but Medusa's compiler accepted the file and its new code runs"))
			continue
		}
		if !r.applySyntax(f, ds, &res) {
			broken[f] = true
		}
	}
	res.Note = note
	if r.trace {
		queued := start.Sub(r.sup.BatchSince())
		r.sup.Logf("%s trace: first event → batch %.2f ms, syntax check %.2f ms, reload in Medusa %.2f ms %v, round trip %.2f ms",
			r.sup.Prefix(), report.Ms(queued), report.Ms(prechecked.Sub(start)), out.DurationMs, out.Hops, report.Ms(time.Since(start)))
	}
	var fallback []target
	var unchanged []string // what changed nothing in Medusa, as "file: why"
	loaded := map[string]bool{}
	for _, hr := range out.Results {
		loaded[hr.File] = true
		if broken[hr.File] && !hr.OK {
			continue
		}
		t := target{action: ipc.ActionChange, file: hr.File, kind: hr.Kind, cause: hr.File}
		if hr.Kind == "middlewares" {
			t.kind = "routes"
		}
		key := "resource:" + hr.File
		switch {
		case hr.Fallback:
			fallback = append(fallback, t)
		case hr.OK:
			r.problems.set(key, nil)
			r.problems.forget(key)
			if hr.Note != "" {
				r.sup.Logf("%s %s: %s", r.sup.Prefix(), diag.RelPath(r.opts.Root, hr.File), hr.Note)
			}
			if hr.Restart {
				if !res.Restart { // the first file that asks, the one saved before its importers
					res.Restart, res.Note = true, fmt.Sprintf("%s: %s; restarting Medusa", diag.RelPath(r.opts.Root, hr.File), hr.How)
				}
				continue
			}
			if hr.Unchanged {
				unchanged = append(unchanged, fmt.Sprintf("%s: %s", diag.RelPath(r.opts.Root, hr.File), hr.How))
				continue
			}
			if hr.Removed {
				res.Removed = append(res.Removed, r.removedResources(hr.Kind, hr.File)...)
				continue
			}
			res.Reloaded = append(res.Reloaded, r.reloadedResources(hr.Kind, hr.File)...)
		case hr.Blocked != "":
			r.problems.fail(key, t, nil) // the error is on the file that raised it; retry this one later
			if !retried[hr.File] {
				res.Success = false
			}
		default:
			var ds []diag.Diagnostic
			if hr.Error != nil {
				ds = logDiagnostics(r.opts.Root, ipc.Envelope{Level: "error", Exception: hr.Error}, hr.File, diag.CodeLoad)
			}
			if len(ds) == 0 {
				ds = []diag.Diagnostic{{File: hr.File, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
					Message: "Medusa could not reload this file; see the medusa-ls output"}}
			}
			ds = dedupe(ds)
			r.problems.fail(key, t, ds)
			if retried[hr.File] {
				continue // still broken, as before; not this save's failure
			}
			res.Errors = append(res.Errors, ds...)
			res.Success = false
		}
	}
	// Medusa's own log during the reload: errors that name a project file are shown there.
	for _, m := range logs {
		if m.Level != "error" {
			continue
		}
		for _, d := range logDiagnostics(r.opts.Root, m, "", diag.CodeLoad) {
			if d.File != "" && !loaded[d.File] {
				res.Errors = append(res.Errors, d)
			}
		}
	}
	if len(out.Results) > 0 && len(unchanged) == len(out.Results) && res.Success {
		res.Applied, res.Note = false, "nothing to reload: "+strings.Join(unchanged, "; ")
	}
	if len(out.Results) == 0 {
		names := make([]string, 0, len(changes))
		for _, ch := range changes {
			names = append(names, diag.RelPath(r.opts.Root, ch.File))
		}
		res.Note = fmt.Sprintf("nothing loaded imports %s", strings.Join(names, ", "))
		res.Applied = !res.Success // nothing was reloaded: the log says so, not "reloaded"
	}
	if len(fallback) > 0 {
		res.Note = "the medusa-ls helper could not hook this Medusa's API loader; routes reloaded with Medusa's own hmr-reload (the whole API)"
	}
	for _, t := range planTargets(fallback) { // the helper could not hook Medusa's API loader
		ok, mlogs, err := r.send(c, t)
		if err != nil {
			return res, err
		}
		if ok && !hasError(mlogs) {
			res.Reloaded = append(res.Reloaded, r.reloadedResources(t.kind, t.file)...)
			continue
		}
		res.Success = false
		for _, m := range mlogs {
			if m.Level == "error" {
				res.Errors = append(res.Errors, logDiagnostics(r.opts.Root, m, t.file, diag.CodeLoad)...)
			}
		}
	}
	// One cause, one diagnostic: a shared file that throws fails each of its importers with the
	// same error.
	res.Errors = dedupe(res.Errors)
	for _, e := range res.Errors {
		if res.Restart && e.Severity == diag.Error && e.File != "" {
			// Medusa would exit at boot on this file: the restart waits for its fix, and the
			// Medusa serving now goes on.
			reason := strings.TrimSuffix(res.Note, "; restarting Medusa")
			res.Restart, res.RestartOwed = false, reason
			res.Note = fmt.Sprintf("%s; Medusa restarts once %s loads", reason, diag.RelPath(r.opts.Root, e.File))
		}
	}
	res.Problems = r.problems.all()
	res.DurationMs = report.Ms(time.Since(start))
	return res, nil
}

// reloadTimeout is a reload that Medusa did not finish within the supervisor's ReloadTimeout.
type reloadTimeout struct {
	what  string
	limit time.Duration
	// blocking is the request Medusa had had longest, when it had run for half the limit or more:
	// a handler that never returns blocks Node's event loop, reloads included.
	blocking string
	ran      time.Duration
}

func (e *reloadTimeout) Error() string {
	msg := fmt.Sprintf("%s did not finish the reload within %s", e.what, e.limit)
	if e.blocking != "" {
		msg += fmt.Sprintf(" (%s had been running for %s: a handler that never returns blocks Medusa, reloads included)", e.blocking, e.ran.Round(time.Second))
	}
	return msg
}

func hasError(logs []ipc.Envelope) bool {
	for _, m := range logs {
		if m.Level == "error" {
			return true
		}
	}
	return false
}

// reloadedResources names what reloading file (of kind, "routes", "subscribers", …) replaced:
// a route file's routes as the embedded runtime names them ("GET /store/hello"), else the file.
func (r *Runtime) reloadedResources(kind, file string) []reloaders.Resource {
	rel := diag.RelPath(r.opts.Root, file)
	if kind == "routes" {
		if src, ok := r.source(file); ok {
			if rs := reloaders.RouteResources(file, rel, src); len(rs) > 0 {
				r.routeMu.Lock()
				if r.routeNames != nil {
					r.routeNames[file] = rs
				}
				r.routeMu.Unlock()
				return rs
			}
		}
	}
	return []reloaders.Resource{{Kind: strings.TrimSuffix(kind, "s"), Name: rel, File: file}}
}

// removedResources names what deleting file took away: a route file's routes as they were
// last loaded, else the file.
func (r *Runtime) removedResources(kind, file string) []reloaders.Resource {
	r.routeMu.Lock()
	rs := r.routeNames[file]
	delete(r.routeNames, file)
	r.routeMu.Unlock()
	if kind == "routes" && len(rs) > 0 {
		return rs
	}
	return []reloaders.Resource{{Kind: strings.TrimSuffix(kind, "s"), Name: diag.RelPath(r.opts.Root, file), File: file}}
}

// source is file's content: as the reload in progress read it, else from disk.
func (r *Runtime) source(file string) ([]byte, bool) {
	if src, ok := r.srcs[file]; ok {
		return src, true
	}
	src, err := os.ReadFile(file)
	return src, err == nil
}

// planTargets orders the reloads as Medusa's reloaders run (modules, workflows, routes,
// subscribers, jobs) and drops repeats; routes reload together (Medusa re-reads every route
// on any route change), so one route reload stands for all.
func planTargets(ts []target) []target {
	sort.SliceStable(ts, func(i, j int) bool { return kindOrder[ts[i].kind] < kindOrder[ts[j].kind] })
	var out []target
	seen := map[string]int{}
	routes := -1
	for _, t := range ts {
		if t.kind == "routes" && t.action != ipc.ActionUnlink {
			if routes >= 0 {
				continue
			}
			routes = len(out)
		}
		if i, ok := seen[t.file]; ok {
			if t.action == ipc.ActionUnlink {
				out[i].action = ipc.ActionUnlink
			}
			continue
		}
		seen[t.file] = len(out)
		out = append(out, t)
	}
	return out
}

// problemKey groups a reload's errors: all routes load together, so a failed route load is one
// problem whichever route file fixes it.
func problemKey(t target) string {
	if t.kind == "routes" {
		return "routes"
	}
	return "resource:" + t.file
}

// send asks Medusa to reload one file and waits for its hmr-result, with what it logged.
func (r *Runtime) send(c *child.Process, t target) (bool, []ipc.Envelope, error) {
	r.proxy.pause()
	defer r.proxy.resume()
	c.StartCollect()
	msg := ipc.Envelope{Type: ipc.TypeReload, Action: t.action, File: t.file, RootDirectory: r.opts.Root}
	// Medusa's answer has no id; reloads are sent one at a time, so the next result is this one's.
	reply, err := r.sup.Await(c, msg, func(m ipc.Envelope) bool { return m.Type == ipc.TypeResult })
	logs := c.StopCollect()
	if err != nil {
		return false, nil, fmt.Errorf("reloading %s: %w", diag.RelPath(r.opts.Root, t.file), err)
	}
	return reply.Success != nil && *reply.Success, logs, nil
}

// importers asks the helper which loaded project files import file, and drops them all from
// Node's require cache so that the reloads below load them afresh.
func (r *Runtime) importers(ctx context.Context, c *child.Process, file string) ([]string, error) {
	raw, err := c.Call(ctx, "invalidate", map[string]any{"files": []string{file}})
	if err != nil {
		return nil, err
	}
	var out struct {
		Importers []string `json:"importers"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("the helper's answer: %w", err)
	}
	return out.Importers, nil
}

// syntaxErrors checks a file the way esbuild parses it. Medusa compiles with swc, which rejects
// the same syntax; catching it here keeps the broken file away from Medusa, whose route loader
// would otherwise drop every route.
func syntaxErrors(file string, src []byte, tsconfig string) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range jsvm.CheckSyntax(file, src, tsconfig) {
		if d.Severity == diag.Error {
			out = append(out, d)
		}
	}
	return out
}

func onlyMissingFile(logs []ipc.Envelope, file string) bool {
	n := 0
	for _, m := range logs {
		if m.Level != "error" {
			continue
		}
		n++
		text := m.Message
		if m.Exception != nil {
			text += " " + m.Exception.Code + " " + m.Exception.Message
		}
		if !(strings.Contains(text, "ENOENT") || strings.Contains(text, "Cannot find module")) || !strings.Contains(text, file) {
			return false
		}
	}
	return n > 0
}

// timedOut is the reloadTimeout of what, with the request Medusa has had longest if it has run
// for half the limit or more.
func (r *Runtime) timedOut(what string) *reloadTimeout {
	e := &reloadTimeout{what: what, limit: r.opts.ReloadTimeout}
	e.blocking, e.ran = r.proxy.longestInFlight(r.opts.ReloadTimeout / 2)
	return e
}
