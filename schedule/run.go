package schedule

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// fire is a timer callback. It decides, under the lock, whether this tick starts a run, and
// arms the next tick before returning so that a job always has exactly one timer.
func (s *Scheduler) fire(e *entry, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.jobs[e.job.Name] != e || e.seq != seq {
		return // stopped, removed or replaced while this callback was on its way
	}
	e.stop = nil
	scheduledFor := e.next

	if e.job.concurrency() == Forbid && s.running[e.job.Name] > 0 {
		e.skipped++
		s.log.Info("scheduled job skipped: the previous run is still in progress",
			"job", e.job.Name, "scheduledFor", scheduledFor, "source", e.job.Source)
		s.armLocked(e, scheduledFor)
		return
	}

	e.runs++
	s.startLocked(e.job, scheduledFor)
	if n := e.job.NumberOfExecutions; n > 0 && e.runs >= n {
		s.log.Info("scheduled job reached its numberOfExecutions and is removed",
			"job", e.job.Name, "numberOfExecutions", n, "source", e.job.Source)
		s.dropLocked(e)
		return
	}
	s.armLocked(e, scheduledFor)
}

// startLocked launches a timer-started run in its own goroutine.
func (s *Scheduler) startLocked(job Job, scheduledFor time.Time) {
	s.beginLocked(job.Name)
	go func() {
		if err := s.call(s.runCtx, job, scheduledFor); err != nil {
			s.report(err)
		}
		s.end(job.Name)
	}()
}

func (s *Scheduler) beginLocked(name string) {
	s.running[name]++
	if s.active == 0 {
		s.idle = make(chan struct{})
	}
	s.active++
}

func (s *Scheduler) end(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[name]--; s.running[name] == 0 {
		delete(s.running, name)
	}
	if s.active--; s.active == 0 {
		close(s.idle)
	}
}

// call runs the job, turning a panic into an error so that one bad job cannot take the
// process down, and wraps any failure with the job's name and source.
func (s *Scheduler) call(ctx context.Context, job Job, scheduledFor time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
		if err != nil {
			err = &RunError{Job: job.Name, Source: job.Source, ScheduledFor: scheduledFor, Err: err}
		}
	}()
	return job.Run(ctx, scheduledFor)
}

func (s *Scheduler) report(err error) {
	re := err.(*RunError)
	s.log.Error(re.Error(), "job", re.Job, "source", re.Source, "scheduledFor", re.ScheduledFor)
	if s.onError != nil {
		s.onError(re)
	}
}

// RunNow runs a job once, synchronously, now (for a "run now" command) and returns its error,
// which is not also sent to the error sink. It does not count towards numberOfExecutions and
// does not move the timer. A Forbid job that is running returns ErrJobRunning. ctx is the run's
// context; it is also cancelled if Stop gives up waiting.
func (s *Scheduler) RunNow(ctx context.Context, name string) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return fmt.Errorf("schedule: run %q: %w", name, ErrStopped)
	}
	e, ok := s.jobs[name]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("schedule: run %q: %w", name, ErrNotFound)
	}
	if e.job.concurrency() == Forbid && s.running[name] > 0 {
		s.mu.Unlock()
		return fmt.Errorf("schedule: run %q: %w", name, ErrJobRunning)
	}
	job := e.job
	s.beginLocked(name)
	s.mu.Unlock()
	defer s.end(name)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.runCtx, cancel)()
	return s.call(ctx, job, s.clock.Now())
}

// Wait blocks until no run is in progress (ctx bounds the wait). Runs may start again after it
// returns; it is meant for tests and tooling, Stop is for shutdown.
func (s *Scheduler) Wait(ctx context.Context) error {
	s.mu.Lock()
	idle, active := s.idle, s.active
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schedule: wait: %d runs still in progress: %w", active, context.Cause(ctx))
	}
}

// Stop turns every timer off for good, then waits for the runs in progress. If ctx ends first
// it cancels the runs' context and returns the error; runs still return in their own time.
// Calling Stop again waits again.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopped {
		s.stopped = true
		for _, e := range s.jobs {
			if e.stop != nil {
				e.stop()
				e.stop = nil
			}
			e.seq++
		}
	}
	s.mu.Unlock()
	err := s.Wait(ctx)
	// Cancelling is harmless once every run has returned, and releases the context either way.
	s.cancelRun()
	if err != nil {
		return fmt.Errorf("schedule: stop: %w", err)
	}
	return nil
}
