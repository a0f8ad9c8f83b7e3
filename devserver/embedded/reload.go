package embedded

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
)

// Reload applies a batch of changes as one transaction: the changed files, everything that
// imports them, and the entry files among those are evaluated into a new generation, which goes
// live only if all of it loaded. Entry files that were already broken before this batch, for a
// reason outside it, do not block it: they keep their last good version.
func (a *App) Reload(ctx context.Context, changes []ipc.Change) ipc.Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	start := time.Now()
	tr := newTracer(a.opts.Trace, start)
	res := ipc.Result{}
	var changed []string
	for _, c := range changes {
		res.Files = append(res.Files, c.File)
		rel := a.rel(c.File)
		if project.NeedsRestart(rel, a.opts.Env["NODE_ENV"]) {
			res.Restart = true
			res.Note = fmt.Sprintf("%s changed: the dev server must restart", rel)
		}
		if !project.IsCode(c.File) {
			continue
		}
		if c.Action == ipc.ActionUnlink {
			a.rt.Forget(c.File)
		}
		changed = append(changed, c.File)
	}
	if res.Restart {
		res.Success = true
		res.Problems = a.problems()
		res.DurationMs = report.Ms(time.Since(start))
		return res
	}
	rels := make([]string, len(changed))
	for i, f := range changed {
		rels[i] = a.rel(f)
	}
	reopen := func() {}
	if holdsRequests(rels) {
		reopen = a.gate.close()
		defer reopen() // also when the reload panics
	}
	// Compile off the loop, in parallel; evaluation on the loop then only runs code.
	var existing []string
	for _, f := range changed {
		if _, err := os.Stat(f); err == nil {
			existing = append(existing, f)
		}
	}
	a.rt.Precompile(existing)
	tr.hop("read+compile")
	err := a.rt.Do(ctx, nil, "reload", func(vm *goja.Runtime) error {
		tr.hop("wait for the loop")
		a.reload(vm, changed, changes, &res, tr)
		// From the loop, as soon as the new generation is live: the requests held meanwhile
		// queue up behind this task and run next, on it.
		reopen()
		return nil
	})
	if err != nil {
		res.Success = false
		res.Errors = append(res.Errors, a.rt.Diagnostics(err, diag.CodeLoad)...)
	}
	res.Problems = a.problems()
	tr.hop("problems")
	res.Trace = tr.result()
	res.DurationMs = report.Ms(time.Since(start))
	return res
}

func (a *App) reload(vm *goja.Runtime, changed []string, changes []ipc.Change, res *ipc.Result, tr *tracer) {
	if len(changed) == 0 {
		res.Success = true
		res.Note = "no code changed"
		return
	}
	changedSet := map[string]bool{}
	added := false
	for _, c := range changes {
		changedSet[c.File] = true
		if c.Action == ipc.ActionAdd {
			added = true
		}
	}
	invalid := a.set.Importers(changed)
	// Recovery: broken files that tried to import a changed file, or that failed on a missing
	// module when files were added, are tried again.
	opportunistic := map[string]bool{}
	for f, b := range a.broken {
		if changedSet[f] {
			continue
		}
		retry := added && b.missing
		for _, dep := range b.attempted {
			if invalid[dep] || changedSet[dep] {
				retry = true
			}
		}
		if retry && a.isEntry(a.rel(f)) {
			invalid[f] = true
			opportunistic[f] = true
		}
	}
	for f := range a.stale {
		invalid[f] = true
	}
	var load, remove []string
	for f := range invalid {
		if !a.isEntry(a.rel(f)) {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			remove = append(remove, f)
			continue
		}
		load = append(load, f)
	}
	for _, f := range changed {
		if invalid[f] || !a.isEntry(a.rel(f)) {
			continue
		}
		if _, err := os.Stat(f); err == nil {
			load = append(load, f)
		}
	}
	sort.Strings(load)
	sort.Strings(remove)
	if len(load) == 0 && len(remove) == 0 {
		res.Success = true
		var rels []string
		for _, f := range changed {
			rels = append(rels, a.rel(f))
		}
		res.Note = fmt.Sprintf("nothing imports %s; nothing reloaded", strings.Join(rels, ", "))
		// A broken non-entry file that nobody imports any more is no longer a problem.
		for _, f := range changed {
			if b, ok := a.broken[f]; ok && len(b.attempted) == 0 {
				delete(a.broken, f)
			}
		}
		return
	}
	tr.hop("importers")
	tx := a.rt.Begin(a.set, invalid)
	a.workflows.Begin(invalid)
	tr.hop("begin")
	pendings := a.prepare(tx, load, remove)
	tr.hop("evaluate")
	for _, p := range pendings {
		if reason := p.Restart(); reason != "" {
			// Not something to apply in place (a deleted module): the child restarts, and the
			// new one loads everything from disk.
			tx.Rollback()
			a.workflows.Abort()
			res.Success, res.Restart, res.Note = true, true, reason+": the dev server must restart"
			return
		}
	}

	// Decide: errors caused by this batch fail it; errors of files that were already broken
	// for a reason outside the batch do not.
	var blocking []diag.Diagnostic
	failed := map[string]bool{}
	for _, p := range pendings {
		for _, f := range p.Failed() {
			failed[f] = true
		}
	}
	for _, p := range pendings {
		for _, d := range p.Problems() {
			if d.Severity != diag.Error {
				continue
			}
			if a.preExisting(d, opportunistic, changedSet) {
				continue
			}
			blocking = append(blocking, d)
		}
	}
	if len(blocking) > 0 {
		tx.Rollback()
		a.workflows.Abort()
		res.Success = false
		res.Errors = blocking
		for _, f := range load {
			if failed[f] {
				a.markBroken(f, tx, blocking)
			} else {
				a.stale[f] = true
			}
		}
		// The file whose own code failed is broken too.
		for _, d := range blocking {
			if d.File != "" && !failed[d.File] {
				if b, ok := a.broken[d.File]; !ok || !containsDiag(b.problems, d) {
					a.broken[d.File] = &brokenFile{problems: appendUnique(a.brokenProblems(d.File), d)}
				}
			}
		}
		return
	}
	tr.hop("decide")
	for _, p := range pendings {
		p.Commit()
		res.Reloaded = append(res.Reloaded, p.Reloaded()...)
		res.Removed = append(res.Removed, p.Removed()...)
	}
	tr.swapped()
	a.set = tx.Commit()
	a.workflows.Commit()
	a.generation++
	res.Applied = true
	res.Generation = a.generation
	res.Success = true
	// Files fixed in this batch are no longer broken, whether or not they are entries.
	for f := range changedSet {
		delete(a.broken, f)
	}
	for _, f := range remove {
		delete(a.broken, f)
		delete(a.warnings, f)
	}
	tr.hop("commit")
	a.record(tx, pendings, load)
	tr.hop("record")
}

func (a *App) brokenProblems(file string) []diag.Diagnostic {
	if b, ok := a.broken[file]; ok {
		return b.problems
	}
	return nil
}

// preExisting reports whether d comes from a file that was broken before this batch and is
// not part of it.
func (a *App) preExisting(d diag.Diagnostic, opportunistic, changed map[string]bool) bool {
	if changed[d.File] {
		return false
	}
	if opportunistic[d.File] {
		return true
	}
	if b, ok := a.broken[d.File]; ok && containsDiag(b.problems, d) {
		return true
	}
	return false
}

func containsDiag(list []diag.Diagnostic, d diag.Diagnostic) bool {
	for _, x := range list {
		if x.File == d.File && x.Line == d.Line && x.Message == d.Message {
			return true
		}
	}
	return false
}

func appendUnique(list []diag.Diagnostic, d diag.Diagnostic) []diag.Diagnostic {
	if containsDiag(list, d) {
		return list
	}
	return append(list, d)
}

// ReloadAll reloads every entry file and every module they import, as if all had been saved.
func (a *App) ReloadAll(ctx context.Context) ipc.Result {
	a.mu.Lock()
	files := a.scanEntries()
	if a.set != nil {
		for _, f := range a.set.Paths() {
			if a.rt.IsProjectFile(f) && !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	a.mu.Unlock()
	changes := make([]ipc.Change, 0, len(files))
	for _, f := range files {
		changes = append(changes, ipc.Change{Action: ipc.ActionChange, File: f})
	}
	return a.Reload(ctx, changes)
}
