package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronHint is appended to parser errors: robfig's messages say what is wrong with a field but
// not what the accepted shapes are, which is what a user looking at a diagnostic needs.
const cronHint = `expected "min hour dom month dow", the same with leading seconds, or a descriptor such as @hourly or @every 5m`

// schedule is robfig's Schedule: Next returns the first activation strictly after t.
type schedule = cron.Schedule

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
	case strings.TrimSpace(spec.Cron) == "":
		return fail("no cron expression or interval given", nil)
	}
	s, err := parseCron(strings.TrimSpace(spec.Cron))
	if err != nil {
		return fail(err.Error()+" ("+cronHint+")", err)
	}
	// robfig gives up after five years without a match: "0 0 30 2 *" parses but never fires.
	if s.Next(now).IsZero() {
		return fail("it never fires (no matching date)", nil)
	}
	return s, nil
}

// parseCron accepts what Medusa's cron-parser accepts in practice: 5 or 6 fields (seconds
// first), descriptors and CRON_TZ. "@every" is handled here rather than by robfig because
// robfig silently rounds sub-second and negative durations up to one second.
func parseCron(expr string) (s schedule, err error) {
	const every = "@every "
	if rest, ok := strings.CutPrefix(expr, every); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("bad @every duration: %w", err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("@every duration must be positive, got %s", d)
		}
		return interval(d), nil
	}
	// robfig v3.0.1 slices out of range on a zone prefix with no expression ("TZ=UTC").
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("malformed expression: %v", r)
		}
	}()
	p := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	return p.Parse(expr)
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
