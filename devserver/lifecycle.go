package devserver

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
)

// loop is the supervisor's single goroutine that owns the child.
func (s *Supervisor) loop(ctx context.Context) error {
	s.start(ctx)
	crashes := 0
	var lastCrash time.Time
	for {
		var exited <-chan struct{}
		if s.child != nil {
			exited = s.child.Exited
		}
		select {
		case <-ctx.Done():
			old := s.child
			s.setChild(nil)
			s.retire(old)
			s.stopRetry()
			s.hideDown()
			s.setState(StateStopped, "")
			return nil
		case <-exited:
			c := s.child
			s.setChild(nil)
			if time.Since(s.upSince) > 30*time.Second {
				s.failures = 0 // it had been serving: a new failure, not more of the same
			}
			if time.Since(lastCrash) > 30*time.Second {
				crashes = 0
			}
			crashes++
			lastCrash = time.Now()
			reason := s.exitReason(c)
			if crashes > 3 {
				s.markDown(fmt.Sprintf("%s (%d exits within 30 s)", reason, crashes))
				continue
			}
			s.restart(ctx, reason+" unexpectedly", true)
		case <-s.retryDue():
			s.retry = nil
			if s.child == nil && s.Status().State != StateStopped {
				s.restart(ctx, "trying again", true)
			}
		case cmd := <-s.cmds:
			cmd.reply <- s.run(ctx, cmd.name)
		case <-s.kick:
			s.drain(ctx)
		}
	}
}

func (s *Supervisor) run(ctx context.Context, name string) error {
	switch name {
	case "restart":
		s.restart(ctx, "restart requested", false)
	case "reload-all":
		if s.child == nil {
			return errors.New("the dev server is not running")
		}
		s.reload(ctx, nil, true)
	case "stop":
		old := s.child
		s.setChild(nil)
		s.retire(old)
		s.stopRetry()
		s.showDown(fmt.Sprintf("%s was stopped on request; start it again from the editor", s.runtimeName()), time.Time{})
		s.setState(StateStopped, "stopped on request")
		s.logf("%s dev server stopped", s.prefix)
	case "start":
		if s.child != nil {
			return nil
		}
		s.start(ctx)
	default:
		return fmt.Errorf("unknown command %q", name)
	}
	if s.child == nil && name != "stop" {
		return errors.New(s.Status().Message)
	}
	return nil
}

// start launches the first child (or one after a stop).
func (s *Supervisor) start(ctx context.Context) {
	s.setState(StateStarting, "")
	begin := time.Now()
	c, res, err := s.launch(ctx)
	if err != nil {
		s.logf("%s %v", s.prefix, err)
		s.bootFailed(err)
		if ctx.Err() == nil {
			s.markDown(s.launchReason(err))
		}
		return
	}
	s.setChild(c)
	s.rt.Activate(c)
	s.markUp()
	s.setProblems(res.Problems)
	s.setCredentials(res.Credentials)
	for _, line := range report.Load(s.root, res, s.URL(), report.Ms(time.Since(begin))) {
		s.logf("%s", strings.Replace(line, report.PrefixHMR, s.prefix, 1))
	}
	s.emit(Event{Result: &res, Kind: ResultReady})
	s.setState(StateReady, "")
}

// drain applies what is pending, batch after batch; changes that arrive during a reload form
// the next batch.
func (s *Supervisor) drain(ctx context.Context) {
	for {
		batch := s.takeBatch()
		if len(batch) == 0 {
			return
		}
		restart := ""
		for _, c := range batch {
			if rel := diag.RelPath(s.root, c.File); s.needsRestart(rel) {
				restart = rel + " changed"
				break
			}
		}
		if restart == "" && !s.hmr {
			restart = diag.RelPath(s.root, batch[0].File) + " changed"
			if len(batch) > 1 {
				restart = fmt.Sprintf("%d files changed", len(batch))
			}
		}
		if s.child == nil {
			if s.Status().State == StateStopped {
				continue // stopped on request: changes load when it starts
			}
			restart = "a change arrived while the dev server was down"
		}
		if restart != "" {
			s.restart(ctx, restart, s.child == nil)
			continue
		}
		s.reload(ctx, batch, false)
	}
}

// reload sends one batch to the child and reports the outcome.
func (s *Supervisor) reload(ctx context.Context, batch []ipc.Change, all bool) {
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	// The state changes now; listeners hear of it once the batch is on its way to the child,
	// so that telling them does not delay the reload, or after announceDelay for a runtime
	// that does more before it sends (the node runtime's syntax check and its helper's calls).
	snap := s.enterState(StateReloading, "")
	s.announce.Lock()
	s.reloading = &snap
	s.announce.Unlock()
	later := time.AfterFunc(announceDelay, s.announceReloading)
	res, err := s.rt.Reload(ctx, s.child, id, batch, all)
	later.Stop()
	s.announceReloading()
	if err != nil {
		c := s.child
		s.setChild(nil)
		s.retire(c)
		s.restart(ctx, err.Error(), true)
		return
	}
	if res.RestartOwed != "" {
		s.owe(res.RestartOwed, res.Errors)
	}
	s.setProblems(res.Problems)
	s.child.Problems = res.Problems
	s.logLines(report.Reload(s.prefix, s.root, res))
	s.recordReload(res)
	if res.Restart {
		s.emit(Event{Result: &res, Kind: ResultReload})
		s.restart(ctx, res.Note, false)
		return
	}
	// The result and the state it leaves go out together: a listener never sees the new
	// problems with a state that still says "reloading".
	ready := s.enterState(StateReady, "")
	s.emit(Event{Result: &res, Kind: ResultReload, Status: &ready})
	s.emit(Event{Status: &ready}) // for listeners that follow the state alone
	if s.owed != "" && res.Success && !hasErrors(res.Problems) && slices.ContainsFunc(batch, func(c ipc.Change) bool { return s.owedOn[c.File] }) {
		s.restart(ctx, s.owed+retried, false)
	}
}

// retried ends the reason of a restart tried again.
const retried = " (the restart refused before, tried again now that nothing is broken)"

// owe records that the restart reason asked for is still due, refused for the errors in
// broken: a reload that fixes one of their files tries it again (one that does not cannot
// make it work, and a Medusa start is seconds).
func (s *Supervisor) owe(reason string, broken []diag.Diagnostic) {
	s.owed = strings.TrimSuffix(reason, retried)
	s.owedOn = map[string]bool{}
	for _, d := range broken {
		if d.Severity == diag.Error && d.File != "" {
			s.owedOn[d.File] = true
		}
	}
}

func hasErrors(ds []diag.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}

// announceDelay bounds how long listeners may not know of a reload in progress.
const announceDelay = time.Millisecond

// announceReloading tells the listeners of the reload in progress, once: after its batch is
// sent, after announceDelay, or before its result, whichever comes first. It emits under
// s.announce, so the result that follows never overtakes it.
func (s *Supervisor) announceReloading() {
	s.announce.Lock()
	defer s.announce.Unlock()
	if snap := s.reloading; snap != nil {
		s.reloading = nil
		s.emit(Event{Status: snap})
	}
}

func (s *Supervisor) recordReload(res ipc.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	file := ""
	if len(res.Files) > 0 {
		file = diag.RelPath(s.root, res.Files[0])
	}
	s.status.LastReload = &LastReload{File: file, Ms: res.DurationMs, OK: res.Success}
}

// restart replaces the child. The new child starts beside the old one and takes over only once
// it serves; a restart that would break something that works now (a config error, a new load
// error) is refused and the old child keeps serving. A crashed child is simply replaced.
func (s *Supervisor) restart(ctx context.Context, reason string, crashed bool) {
	s.logf("%s %s: restarting dev server", s.prefix, reason)
	s.setState(StateRestarting, reason)
	begin := time.Now()
	prevHMR := s.hmr
	s.refresh()
	if s.hmr != prevHMR {
		if s.hmr {
			s.prefix = report.PrefixHMR
			s.logf("%s backend_hmr is now on (%s): changes reload in place", s.prefix, s.flagSrc)
		} else {
			s.prefix = report.PrefixWatcher
			s.logf("%s backend_hmr is now off (%s): every change restarts the dev server", s.prefix, s.flagSrc)
		}
	}
	old := s.child
	if !old.Alive() {
		old = nil
	}
	// The replacement boots beside the old child, which keeps answering meanwhile: on a busy
	// machine the two share the CPU, and a Medusa boot took 12 s instead of 7 under constant
	// requests. The old child yields until the new one takes over (or is refused).
	restore := func() {}
	if old != nil && old.PID > 0 {
		restore = child.YieldCPU(old.PID)
	}
	c, res, err := s.launch(ctx)
	if err != nil && ctx.Err() != nil {
		restore()
		return // shutting down: nothing failed
	}
	if err != nil {
		if old != nil {
			restore()
			var boot *node.BootError
			if errors.As(err, &boot) {
				s.owe(reason, boot.Problems)
			}
			s.logf("%s restart failed: %v\n%s still serving the previous dev server", s.prefix, err, s.prefix)
			s.bootFailed(err)
			s.setState(StateReady, "")
			return
		}
		s.setChild(nil)
		s.logf("%s %v", s.prefix, err)
		s.bootFailed(err)
		if ctx.Err() == nil {
			s.markDown(s.launchReason(err))
		}
		return
	}
	if old != nil && !crashed {
		if broken := newErrors(old.Problems, res.Problems); len(broken) > 0 {
			restore()
			s.owe(reason, broken)
			s.logf("%s the restarted dev server has errors; still serving the previous one:", s.prefix)
			s.logLines(report.Problems(s.root, broken, true))
			s.retire(c)
			res.Success = false
			res.Errors = broken
			s.setProblems(res.Problems)
			s.emit(Event{Result: &res, Kind: ResultRestart})
			s.setState(StateReady, "")
			return
		}
	}
	s.owed = ""
	s.setChild(c)
	s.rt.Activate(c)
	s.markUp()
	if old != nil {
		s.rt.StopAccepting(old)
		go old.AwaitExit()
	}
	s.setProblems(res.Problems)
	s.logf("%s restarted in %s", s.prefix, report.FormatMs(report.Ms(time.Since(begin))))
	if s.setCredentials(res.Credentials) {
		for _, line := range report.Credentials(res.Credentials) {
			s.logf("%s", strings.Replace(line, report.PrefixHMR, s.prefix, 1))
		}
	}
	s.logLines(report.Problems(s.root, res.Problems, false))
	s.emit(Event{Result: &res, Kind: ResultRestart})
	s.setState(StateReady, "")
}

// bootFailed shows where a dev server that died while starting says it went wrong.
func (s *Supervisor) bootFailed(err error) {
	var be *node.BootError
	if !errors.As(err, &be) || len(be.Problems) == 0 {
		return
	}
	res := ipc.Result{Errors: be.Problems, Problems: be.Problems}
	s.setProblems(be.Problems)
	s.emit(Event{Result: &res, Kind: ResultRestart})
}

// refresh re-reads the environment, .env and medusa-config, which may have changed.
func (s *Supervisor) refresh() {
	env, err := project.Environment(s.root, s.baseEnv())
	if err != nil {
		s.logf("warn: %v", err) // as at start; the variables that did parse are used
	}
	// A config that fails to load here fails in the new child too, which reports it with its
	// code frame (and the restart is refused); until then the last good config stands.
	cfg, _ := project.LoadConfig(s.root, env, s.opts.TaskTimeout)
	s.env = env
	s.setNodeEnv(env)
	if cfg != nil {
		s.cfg = cfg
	}
	if s.opts.HMR == nil {
		s.hmr, s.flagSrc = project.HMREnabled(env, s.cfg)
	}
	s.mu.Lock()
	s.status.HMR = s.hmr
	s.mu.Unlock()
}

// errSuperseded is what the log says of a start given up for a change (Supervisor.launch).
var errSuperseded = errors.New("a change arrived while the dev server was starting: starting it again with it")

// launchPoll is how often a start in progress looks at the changes that arrive meanwhile.
const launchPoll = 100 * time.Millisecond

// launch starts a child (Runtime.Launch). A change that arrives meanwhile and that the start
// cannot wait for makes it start again with the change: one that needs a restart itself (.env,
// medusa-config: the start in progress read the old ones), or any change while the runtime says
// the start is stuck (the node runtime: Medusa waits for a database that is not there, until the
// ready timeout). Other changes wait for the start and reload after it, as before.
func (s *Supervisor) launch(ctx context.Context) (*child.Process, ipc.Result, error) {
	stuck, _ := s.rt.(interface{ LaunchStuck() bool })
	for {
		lctx, cancel := context.WithCancel(ctx)
		var superseded atomic.Bool
		done := make(chan struct{})
		go func() {
			tick := time.NewTicker(launchPoll)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				restart, changed := s.pendingChanges()
				if restart || (changed && stuck != nil && stuck.LaunchStuck()) {
					superseded.Store(true)
					cancel()
					return
				}
			}
		}()
		c, res, err := s.rt.Launch(lctx)
		close(done)
		if err == nil || !superseded.Load() || ctx.Err() != nil {
			// What the start began lives as long as ctx (the node runtime's workers are bound to
			// the context they were started with): lctx ends with it, not now.
			context.AfterFunc(ctx, cancel)
			return c, res, err
		}
		cancel()
		s.logf("%s %v", s.prefix, errSuperseded)
		s.takeBatch() // the start about to begin loads these as they are now
		s.refresh()
	}
}

// pendingChanges looks at the files waiting for the next batch: whether one that needs a
// restart changed, and whether any changed, by content (a save that rewrites the same content,
// or a second event of one save, is none).
func (s *Supervisor) pendingChanges() (restart, changed bool) {
	s.mu.Lock()
	files := slices.Collect(maps.Keys(s.pending))
	known := make(map[string][32]byte, len(files))
	for _, f := range files {
		if h, ok := s.hashes[f]; ok {
			known[f] = h
		}
	}
	s.mu.Unlock()
	for _, f := range files {
		b, err := os.ReadFile(f)
		h, had := known[f]
		if err != nil && !had || err == nil && had && sha256.Sum256(b) == h {
			continue
		}
		changed = true
		if s.needsRestart(diag.RelPath(s.root, f)) {
			return true, true
		}
	}
	return false, changed
}

// newErrors returns the errors in next that prev did not have.
func newErrors(prev, next []diag.Diagnostic) []diag.Diagnostic {
	had := map[string]bool{}
	for _, d := range prev {
		had[d.File+"\x00"+d.Message] = true
	}
	var out []diag.Diagnostic
	for _, d := range next {
		if d.Severity == diag.Error && !had[d.File+"\x00"+d.Message] {
			out = append(out, d)
		}
	}
	return out
}

// setChild records the serving child, for the loop and for Call.
func (s *Supervisor) setChild(c *child.Process) {
	s.child = c
	s.current.Store(c)
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
}
