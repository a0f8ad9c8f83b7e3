package schedule

import (
	"context"
	"time"
)

// Concurrency says what happens when a tick comes while a previous run of the same job is
// still going. It mirrors Medusa's SchedulerOptions.concurrency.
type Concurrency string

const (
	// Forbid skips the tick (and logs it). The empty Concurrency means Forbid, as in Medusa.
	Forbid Concurrency = "forbid"
	// Allow starts another run alongside the one in progress.
	Allow Concurrency = "allow"
)

// Spec is when a job runs: exactly one of Cron or Interval. It maps Medusa's
// `schedule: "<cron>" | { cron } | { interval: ms }`.
type Spec struct {
	// Cron is a cron expression as Medusa's scheduler (cron-parser 4.9) reads it: up to 6
	// fields, seconds first when there are 6 (fewer fields are filled from the left with
	// cron-parser's defaults), or one of @yearly, @monthly, @weekly, @daily, @hourly. It is
	// evaluated in the zone of the times the scheduler's clock gives (Medusa: the process's).
	Cron string
	// Interval runs the job every Interval, first after one Interval has elapsed.
	Interval time.Duration
}

// CronSpec returns a Spec for a cron expression.
func CronSpec(expr string) Spec { return Spec{Cron: expr} }

// EverySpec returns a Spec for a fixed interval.
func EverySpec(d time.Duration) Spec { return Spec{Interval: d} }

// String renders the spec the way a user wrote it, for logs and errors.
func (s Spec) String() string {
	if s.Interval != 0 {
		return "every " + s.Interval.String()
	}
	return s.Cron
}

// RunFunc is one run of a job. scheduledFor is the tick it was planned for (Medusa passes it
// to the job as ctx.scheduledFor). ctx is cancelled only when Stop gives up waiting.
type RunFunc func(ctx context.Context, scheduledFor time.Time) error

// Job is one scheduled job.
type Job struct {
	// Name identifies the job (Medusa config.name); unique within a Scheduler.
	Name string
	Spec Spec
	// NumberOfExecutions removes the job after that many timer-started runs; 0 means no limit.
	NumberOfExecutions int
	// Concurrency defaults to Forbid.
	Concurrency Concurrency
	Run         RunFunc
	// Source locates the job for error reports, typically "file:line" of its default export.
	Source string
}

func (j Job) concurrency() Concurrency {
	if j.Concurrency == "" {
		return Forbid
	}
	return j.Concurrency
}

// Info describes a scheduled job for tooling (status, code lenses).
type Info struct {
	Name               string
	Source             string
	Spec               Spec
	Concurrency        Concurrency
	NumberOfExecutions int
	// Next is the next planned tick; zero once the scheduler is stopped.
	Next time.Time
	// Runs counts timer-started runs of this registration (RunNow is not counted).
	Runs int
	// Skipped counts ticks skipped because a run was still in progress (Forbid).
	Skipped int
	// Running is the number of runs of this job name in progress, including runs of a
	// registration that a reload has replaced.
	Running int
}
