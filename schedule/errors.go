package schedule

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrInvalidJob matches (errors.Is) every *SpecError and *ConfigError.
	ErrInvalidJob = errors.New("invalid job")
	// ErrDuplicateJob is returned when a job name is already scheduled.
	ErrDuplicateJob = errors.New("job already exists")
	// ErrNotFound is returned for an unknown job name.
	ErrNotFound = errors.New("job not found")
	// ErrStopped is returned once Stop has been called.
	ErrStopped = errors.New("scheduler stopped")
	// ErrJobRunning is returned by RunNow for a Forbid job that is already running.
	ErrJobRunning = errors.New("job is already running")
)

// SpecError says why a schedule is invalid. The job is not scheduled.
type SpecError struct {
	Job    string // empty when the spec was validated on its own
	Spec   Spec
	Reason string
	Err    error // the parser's error, if any
}

func (e *SpecError) Error() string {
	subject := "schedule"
	if e.Job != "" {
		subject = fmt.Sprintf("job %q: schedule", e.Job)
	}
	return fmt.Sprintf("%s %q is invalid: %s", subject, e.Spec.String(), e.Reason)
}

func (e *SpecError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidJob) true.
func (e *SpecError) Is(target error) bool { return target == ErrInvalidJob }

// ConfigError reports a job field other than the schedule that is invalid.
type ConfigError struct {
	Job    string
	Field  string
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("job %q: %s: %s", e.Job, e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidJob) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidJob }

// RunError is what the error sink receives when a run fails or panics.
type RunError struct {
	Job          string
	Source       string
	ScheduledFor time.Time
	Err          error // a *PanicError when the run panicked
}

// Error uses Medusa's wording ("Scheduled job <name> failed with error: <msg>") so that logs
// read the same, and adds where the job lives.
func (e *RunError) Error() string {
	msg := fmt.Sprintf("Scheduled job %s failed with error: %v", e.Job, e.Err)
	if e.Source != "" {
		msg += " (" + e.Source + ")"
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

// PanicError is a run that panicked instead of returning an error.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// ErrorSink receives every failed run. It is called from the run's goroutine, so it must be
// safe for concurrent use; Stop and Wait do not return before pending reports are delivered.
type ErrorSink func(*RunError)
