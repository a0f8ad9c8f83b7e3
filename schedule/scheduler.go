package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options configure a Scheduler. The zero value is usable: wall clock, discarded logs, errors
// only logged.
type Options struct {
	Clock Clock
	// Logger receives skips, removals and run failures; nil discards.
	Logger *slog.Logger
	// OnError receives every failed or panicking run, in addition to the log line.
	OnError ErrorSink
}

// Scheduler runs jobs. All methods are safe for concurrent use.
type Scheduler struct {
	clock   Clock
	log     *slog.Logger
	onError ErrorSink

	// runCtx is the context of every run; it is cancelled only when Stop gives up waiting.
	runCtx    context.Context
	cancelRun context.CancelFunc

	mu   sync.Mutex
	jobs map[string]*entry
	// running counts runs in progress per job name. It is keyed by name, not by registration,
	// so that Forbid also holds across a reload: the new registration skips its tick while the
	// replaced one is still running.
	running map[string]int
	active  int           // runs in progress, all jobs
	idle    chan struct{} // closed while active == 0
	stopped bool
}

// entry is one registration of a job. A reload replaces the entry; a run keeps its own Job
// value, so a run in progress finishes on the old Run func.
type entry struct {
	job   Job
	sched schedule
	next  time.Time
	stop  func() bool // cancels the armed timer
	// seq identifies the armed timer. A timer callback that raced with Remove/Replace/Stop
	// (fired while being stopped) sees that its entry or seq is no longer current and does
	// nothing, which is what makes "never two timers for one job" hold with a real clock.
	seq     uint64
	runs    int
	skipped int
}

// New returns a running scheduler with no jobs.
func New(opts Options) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = RealClock()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &Scheduler{
		clock:     opts.Clock,
		log:       opts.Logger,
		onError:   opts.OnError,
		runCtx:    ctx,
		cancelRun: cancel,
		jobs:      map[string]*entry{},
		running:   map[string]int{},
		idle:      idle,
	}
}

// Add schedules a job. Its first run is at the next cron occurrence, or one interval from now.
func (s *Scheduler) Add(job Job) error { return s.Replace(nil, []Job{job}) }

// Remove unschedules a job. A run in progress finishes; no further tick happens.
func (s *Scheduler) Remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[name]
	if !ok {
		return fmt.Errorf("schedule: remove %q: %w", name, ErrNotFound)
	}
	s.dropLocked(e)
	return nil
}

// Replace removes the named jobs and adds the new ones under one lock, so that a hot reload
// never has two timers for one job nor a moment where a tick goes to neither. It validates
// everything first and changes nothing if any job is invalid or a name is taken.
//
// Names in remove that are not scheduled are ignored: a job may already be gone (it reached
// numberOfExecutions) and that must not fail the reload that retires it.
func (s *Scheduler) Replace(remove []string, add []Job) error {
	now := s.clock.Now()
	scheds := make([]schedule, len(add))
	for i, j := range add {
		sc, err := validate(j, now)
		if err != nil {
			return fmt.Errorf("schedule: %w", err)
		}
		scheds[i] = sc
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("schedule: replace: %w", ErrStopped)
	}
	removing := make(map[string]bool, len(remove))
	for _, name := range remove {
		removing[name] = true
	}
	adding := make(map[string]bool, len(add))
	for _, j := range add {
		if adding[j.Name] {
			return fmt.Errorf("schedule: job %q is added twice: %w", j.Name, ErrDuplicateJob)
		}
		adding[j.Name] = true
		if old, ok := s.jobs[j.Name]; ok && !removing[j.Name] {
			return fmt.Errorf("schedule: job %q (%s) conflicts with the one at %s: %w",
				j.Name, j.Source, old.job.Source, ErrDuplicateJob)
		}
	}

	for _, name := range remove {
		if e, ok := s.jobs[name]; ok {
			s.dropLocked(e)
		}
	}
	for i, j := range add {
		e := &entry{job: j, sched: scheds[i]}
		s.jobs[j.Name] = e
		s.armLocked(e, now)
	}
	return nil
}

func validate(j Job, now time.Time) (schedule, error) {
	switch {
	case j.Name == "":
		return nil, &ConfigError{Job: j.Name, Field: "name", Reason: "a job needs a name"}
	case j.Run == nil:
		return nil, &ConfigError{Job: j.Name, Field: "run", Reason: "no run function (the file has no default export?)"}
	case j.NumberOfExecutions < 0:
		return nil, &ConfigError{Job: j.Name, Field: "numberOfExecutions",
			Reason: fmt.Sprintf("must be positive, got %d", j.NumberOfExecutions)}
	case j.Concurrency != "" && j.Concurrency != Forbid && j.Concurrency != Allow:
		return nil, &ConfigError{Job: j.Name, Field: "concurrency",
			Reason: fmt.Sprintf(`must be "forbid" or "allow", got %q`, j.Concurrency)}
	}
	return parseSpec(j.Name, j.Spec, now)
}

// armLocked sets the entry's timer for the first activation after from. Ticks missed while
// the process was busy or asleep are skipped rather than replayed in a burst.
func (s *Scheduler) armLocked(e *entry, from time.Time) {
	now := s.clock.Now()
	next := e.sched.Next(from)
	if !next.After(now) {
		next = e.sched.Next(now)
	}
	if next.IsZero() {
		// A cron that matched once but has no later date within cron-parser's loop limit.
		s.log.Warn("scheduled job has no further run and is removed", "job", e.job.Name, "source", e.job.Source)
		s.dropLocked(e)
		return
	}
	e.next = next
	e.seq++
	seq := e.seq
	e.stop = s.clock.AfterFunc(next.Sub(now), func() { s.fire(e, seq) })
}

// dropLocked unschedules an entry. Its stale timer callback, if already on its way, is a no-op.
func (s *Scheduler) dropLocked(e *entry) {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
	e.seq++
	if s.jobs[e.job.Name] == e {
		delete(s.jobs, e.job.Name)
	}
}
