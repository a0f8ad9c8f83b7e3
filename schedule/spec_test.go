package schedule_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/schedule"
)

func TestSpecNextRuns(t *testing.T) {
	at := func(h, m, s int) time.Time { return time.Date(2026, 1, 1, h, m, s, 0, time.UTC) }
	tests := []struct {
		name string
		spec schedule.Spec
		want []time.Time // the first ticks after t0 (12:00:00)
	}{
		{"5 fields", schedule.CronSpec("*/15 * * * *"), []time.Time{at(12, 15, 0), at(12, 30, 0)}},
		{"6 fields with seconds", schedule.CronSpec("*/5 * * * * *"), []time.Time{at(12, 0, 5), at(12, 0, 10), at(12, 0, 15)}},
		{"daily at a time", schedule.CronSpec("30 14 * * *"), []time.Time{at(14, 30, 0), time.Date(2026, 1, 2, 14, 30, 0, 0, time.UTC)}},
		{"surrounding spaces", schedule.CronSpec("  0 * * * *  "), []time.Time{at(13, 0, 0)}},
		{"@hourly", schedule.CronSpec("@hourly"), []time.Time{at(13, 0, 0), at(14, 0, 0)}},
		{"interval", schedule.EverySpec(1500 * time.Millisecond), []time.Time{t0().Add(1500 * time.Millisecond), t0().Add(3 * time.Second)}},
		{"last day of month", schedule.CronSpec("0 0 L * *"), []time.Time{time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)}},
		{"last Friday", schedule.CronSpec("0 9 * * 5L"), []time.Time{time.Date(2026, 1, 30, 9, 0, 0, 0, time.UTC), time.Date(2026, 2, 27, 9, 0, 0, 0, time.UTC)}},
		{"second Monday", schedule.CronSpec("0 9 * * 1#2"), []time.Time{time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC), time.Date(2026, 2, 9, 9, 0, 0, 0, time.UTC)}},
		{"names", schedule.CronSpec("0 9 * jan mon"), []time.Time{time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}},
		{"fewer fields fill from the left", schedule.CronSpec("5 * * *"), []time.Time{time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 5, 1, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			c := &counter{}
			if err := h.s.Add(schedule.Job{Name: "j", Spec: tt.spec, Concurrency: schedule.Allow, Run: c.run}); err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				next, ok := h.s.Next("j")
				if !ok || !next.Equal(want) {
					t.Fatalf("tick %d: Next = %v, %v; want %v", i, next, ok, want)
				}
				h.clock.Set(want)
				h.wait(t)
				if c.n() != i+1 {
					t.Fatalf("after tick %d: %d runs, want %d", i, c.n(), i+1)
				}
				if got := c.times[i]; !got.Equal(want) {
					t.Fatalf("run %d scheduledFor = %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestInvalidSpec(t *testing.T) {
	tests := []struct {
		name   string
		spec   schedule.Spec
		reason string // part of the message that says what is wrong
	}{
		{"empty", schedule.Spec{}, "no cron expression or interval"},
		{"both", schedule.Spec{Cron: "* * * * *", Interval: time.Second}, "not both"},
		{"negative interval", schedule.EverySpec(-time.Second), "interval must be positive"},
		{"too many fields", schedule.CronSpec("* * * * * * *"), "cron-parser: Invalid cron expression"},
		{"minute out of range", schedule.CronSpec("61 * * * *"), "Constraint error, got value 61 expected range 0-59"},
		{"garbage", schedule.CronSpec("every day"), `cannot resolve alias "eve"`},
		{"bad name", schedule.CronSpec("0 0 * * funday"), `cannot resolve alias "fun"`},
		{"unknown predefined", schedule.CronSpec("@fortnightly"), `"@fortnightly" is not one of cron-parser's predefined expressions`},
		{"@every", schedule.CronSpec("@every 5m"), `Medusa has no "@every": for a fixed period use schedule: { interval: milliseconds }`},
		{"zone prefix", schedule.CronSpec("CRON_TZ=Asia/Tokyo 0 0 * * *"), "takes no time zone prefix"},
		{"reversed range", schedule.CronSpec("0 5-1 * * *"), "Invalid range: 5-1"},
		{"zero step", schedule.CronSpec("*/0 * * * *"), "cannot repeat at every 0 time"},
		{"# with a list", schedule.CronSpec("0 0 * * 1#2,3"), "`#` and `,` special characters are incompatible"},
		{"day after the month's end", schedule.CronSpec("0 0 30 2 *"), "Invalid explicit day of month definition"},
		{"never fires", schedule.CronSpec("0 0 31 2,4 *"), "loop limit exceeded: it never fires"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			err := h.s.Add(schedule.Job{Name: "nightly", Spec: tt.spec, Run: (&counter{}).run, Source: "src/jobs/nightly.ts:3"})
			var se *schedule.SpecError
			if !errors.As(err, &se) {
				t.Fatalf("Add error = %v, want a *SpecError", err)
			}
			if se.Job != "nightly" || !errors.Is(err, schedule.ErrInvalidJob) {
				t.Errorf("SpecError = %+v; want Job nightly and errors.Is ErrInvalidJob", se)
			}
			if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), `"nightly"`) {
				t.Errorf("error %q should name the job and contain %q", err, tt.reason)
			}
			if len(h.s.Jobs()) != 0 || h.clock.Pending() != 0 {
				t.Errorf("an invalid job must not be scheduled: jobs %v, timers %d", h.s.Jobs(), h.clock.Pending())
			}
			if err := schedule.ValidateSpec(tt.spec); !errors.As(err, &se) {
				t.Errorf("ValidateSpec = %v, want a *SpecError", err)
			}
		})
	}
}

func TestValidateSpecAcceptsValid(t *testing.T) {
	for _, spec := range []schedule.Spec{
		schedule.CronSpec("0 0 * * *"), schedule.CronSpec("0 0 0 * * *"), schedule.CronSpec("@daily"),
		schedule.CronSpec("0 9 * * MON-FRI"), schedule.EverySpec(time.Minute), schedule.CronSpec("   "),
		schedule.CronSpec("0 0 ? * *"), schedule.CronSpec("0 0 * * 7"),
	} {
		if err := schedule.ValidateSpec(spec); err != nil {
			t.Errorf("ValidateSpec(%v) = %v", spec, err)
		}
	}
	// Every message names only forms Medusa accepts.
	err := schedule.ValidateSpec(schedule.CronSpec("@every 5m"))
	if err == nil || !strings.Contains(err.Error(), " accepts ") || strings.Contains(strings.SplitN(err.Error(), " accepts ", 2)[1], "@every") {
		t.Errorf("the message for @every suggests @every again: %v", err)
	}
}
