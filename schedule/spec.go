package schedule

import (
	"fmt"
	"strings"
	"time"
)

// cronHint is appended to parser errors: cron-parser's messages say what is wrong with a
// field but not what the accepted shapes are, which is what a user looking at a diagnostic
// needs. It names only forms that Medusa's scheduler (cron-parser 4.9) accepts.
const cronHint = `Medusa's scheduler (cron-parser 4.9) accepts "minute hour day-of-month month day-of-week", optionally with seconds first, ` +
	`each field "*", a number, a range "1-5", a list "1,15", a step "*/10" or "5/15"; names jan-dec and sun-sat; ` +
	`day of month "L" (last day); day of week "5L" (last Friday) or "1#2" (second Monday); or one of @yearly, @monthly, @weekly, @daily, @hourly; ` +
	`for a fixed period use schedule: { interval: milliseconds }`

// cronReason words a parse error: cron-parser's own message, what was probably meant for a form
// from another cron dialect, and the forms Medusa accepts.
func cronReason(expr string, err error) string {
	msg := "cron-parser: " + err.Error()
	if f := strings.Fields(expr); len(f) > 0 && strings.HasPrefix(f[0], "@") {
		msg = fmt.Sprintf("%q is not one of cron-parser's predefined expressions (%s)", f[0], err.Error())
		if f[0] == "@every" {
			msg += `; Medusa has no "@every": for a fixed period use schedule: { interval: milliseconds }`
		}
	} else if strings.Contains(expr, "TZ=") {
		msg += "; Medusa's scheduler takes no time zone prefix (jobs run in the server's zone)"
	}
	return msg + ". " + cronHint
}

// schedule computes activations: Next returns the first one strictly after t, or the zero time
// when there is none.
type schedule interface {
	Next(t time.Time) time.Time
}

// ValidateSpec reports whether spec can be scheduled, as a *SpecError when not. Tooling uses it
// to warn about an invalid cron in the editor without running anything.
func ValidateSpec(spec Spec) error {
	_, err := parseSpec("", spec, time.Now())
	return err
}

// parseSpec turns a Spec into a schedule that is known to fire at least once after now.
func parseSpec(job string, spec Spec, now time.Time) (schedule, error) {
	fail := func(reason string, err error) (schedule, error) {
		return nil, &SpecError{Job: job, Spec: spec, Reason: reason, Err: err}
	}
	switch {
	case spec.Cron != "" && spec.Interval != 0:
		return fail("set either a cron expression or an interval, not both", nil)
	case spec.Interval < 0:
		return fail("interval must be positive", nil)
	case spec.Interval > 0:
		return interval(spec.Interval), nil
	case spec.Cron == "": // Medusa's job loader refuses only an empty schedule
		return fail("no cron expression or interval given", nil)
	}
	s, err := parseCron(spec.Cron)
	if err != nil {
		return fail(cronReason(spec.Cron, err), err)
	}
	// Medusa computes the first activation when it schedules the job; cron-parser gives up after
	// its loop limit ("0 0 31 2,4 *" parses but never fires), and Medusa fails to start.
	if _, err := s.(cronSchedule).e.next(now); err != nil {
		return fail(err.Error()+": it never fires", err)
	}
	return s, nil
}

// parseCron parses expr exactly as Medusa's scheduler does (cron-parser 4.9's
// parseExpression; see cronparser.go).
func parseCron(expr string) (schedule, error) {
	e, err := parseCronExpression(expr)
	if err != nil {
		return nil, err
	}
	return cronSchedule{e}, nil
}

// interval is a fixed-period schedule with full (sub-second) precision.
type interval time.Duration

func (d interval) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }

// NextAfter returns when spec fires first after t, for reports about jobs scheduled elsewhere
// (Medusa's own scheduler, in the node runtime).
func NextAfter(spec Spec, t time.Time) (time.Time, error) {
	s, err := parseSpec("", spec, t)
	if err != nil {
		return time.Time{}, err
	}
	return s.Next(t), nil
}

// MaxTimerWait is the longest wait Node's setTimeout honours, 2^31-1 ms (24.8 days): a longer one
// fires after 1 ms instead, with a TimeoutOverflowWarning.
const MaxTimerWait = (1<<31 - 1) * time.Millisecond

// LongestWait returns, for the year after from, about the longest wait between two runs of spec
// (sampled every 12 hours, about 1 ms: a wait can be up to 12 hours longer than the one
// returned, never shorter). Medusa's
// in-memory workflow engine (@medusajs/workflow-engine-inmemory 2.21,
// WorkflowOrchestratorStorage.schedule) waits for the next run with one setTimeout, so a wait
// longer than MaxTimerWait runs the job over and over instead. The error is spec's.
func LongestWait(spec Spec, from time.Time) (time.Duration, error) {
	s, err := parseSpec("", spec, from)
	if err != nil {
		return 0, err
	}
	var longest time.Duration
	for t := from; t.Before(from.AddDate(1, 0, 0)); t = t.Add(12 * time.Hour) {
		next := s.Next(t)
		if next.IsZero() {
			break // no run after t
		}
		longest = max(longest, next.Sub(t))
	}
	return longest, nil
}
