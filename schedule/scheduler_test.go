package schedule_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/schedule"
)

func every(name string, d time.Duration, run schedule.RunFunc) schedule.Job {
	return schedule.Job{Name: name, Spec: schedule.EverySpec(d), Run: run, Source: "src/jobs/" + name + ".ts:1"}
}

func TestInvalidConfig(t *testing.T) {
	run := (&counter{}).run
	tests := []struct {
		name  string
		job   schedule.Job
		field string
	}{
		{"no name", schedule.Job{Spec: schedule.EverySpec(time.Second), Run: run}, "name"},
		{"no run", schedule.Job{Name: "a", Spec: schedule.EverySpec(time.Second)}, "run"},
		{"negative executions", schedule.Job{Name: "a", Spec: schedule.EverySpec(time.Second), Run: run, NumberOfExecutions: -1}, "numberOfExecutions"},
		{"bad concurrency", schedule.Job{Name: "a", Spec: schedule.EverySpec(time.Second), Run: run, Concurrency: "sometimes"}, "concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			err := h.s.Add(tt.job)
			var ce *schedule.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, schedule.ErrInvalidJob) {
				t.Fatalf("Add = %v; want a *ConfigError on %s", err, tt.field)
			}
			if len(h.s.Jobs()) != 0 {
				t.Fatal("invalid job was scheduled")
			}
		})
	}
}

func TestDuplicateName(t *testing.T) {
	h := newHarness(t)
	if err := h.s.Add(every("sync", time.Second, (&counter{}).run)); err != nil {
		t.Fatal(err)
	}
	err := h.s.Add(every("sync", time.Minute, (&counter{}).run))
	if !errors.Is(err, schedule.ErrDuplicateJob) || !strings.Contains(err.Error(), "src/jobs/sync.ts:1") {
		t.Fatalf("second Add = %v; want ErrDuplicateJob naming the existing job's source", err)
	}
	if got := h.clock.Pending(); got != 1 {
		t.Fatalf("%d timers, want 1", got)
	}
}

func TestRemove(t *testing.T) {
	h := newHarness(t)
	c := &counter{}
	if err := h.s.Add(every("a", time.Second, c.run)); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Remove("a"); !errors.Is(err, schedule.ErrNotFound) {
		t.Fatalf("second Remove = %v, want ErrNotFound", err)
	}
	h.clock.Advance(time.Hour)
	h.wait(t)
	if c.n() != 0 || h.clock.Pending() != 0 {
		t.Fatalf("removed job ran %d times, %d timers left", c.n(), h.clock.Pending())
	}
	if _, ok := h.s.Next("a"); ok {
		t.Fatal("Next of a removed job should report ok=false")
	}
}

func TestReplace(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		remove   []string
		add      []string
		wantErr  error
		wantJobs []string
	}{
		{"swap one", []string{"a", "b"}, []string{"a"}, []string{"a"}, nil, []string{"a", "b"}},
		{"remove missing is ignored", []string{"a"}, []string{"gone", "a"}, []string{"a"}, nil, []string{"a"}},
		{"rename", []string{"a"}, []string{"a"}, []string{"z"}, nil, []string{"z"}},
		{"conflict changes nothing", []string{"a", "b"}, []string{"a"}, []string{"a", "b"}, schedule.ErrDuplicateJob, []string{"a", "b"}},
		{"added twice changes nothing", []string{"a"}, []string{"a"}, []string{"c", "c"}, schedule.ErrDuplicateJob, []string{"a"}},
		{"delete only", []string{"a", "b"}, []string{"a", "b"}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for _, n := range tt.existing {
				if err := h.s.Add(every(n, time.Second, (&counter{}).run)); err != nil {
					t.Fatal(err)
				}
			}
			var add []schedule.Job
			for _, n := range tt.add {
				add = append(add, every(n, 2*time.Second, (&counter{}).run))
			}
			err := h.s.Replace(tt.remove, add)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Replace = %v, want %v", err, tt.wantErr)
			}
			var names []string
			for _, info := range h.s.Jobs() {
				names = append(names, info.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.wantJobs, ",") {
				t.Fatalf("jobs = %v, want %v", names, tt.wantJobs)
			}
			// Never two timers for one job.
			if got := h.clock.Pending(); got != len(tt.wantJobs) {
				t.Fatalf("%d timers for %d jobs", got, len(tt.wantJobs))
			}
		})
	}
}

func TestReplaceInvalidChangesNothing(t *testing.T) {
	h := newHarness(t)
	old := &counter{}
	if err := h.s.Add(every("a", time.Second, old.run)); err != nil {
		t.Fatal(err)
	}
	bad := schedule.Job{Name: "a", Spec: schedule.CronSpec("nope"), Run: (&counter{}).run}
	var se *schedule.SpecError
	if err := h.s.Replace([]string{"a"}, []schedule.Job{bad}); !errors.As(err, &se) {
		t.Fatalf("Replace = %v, want *SpecError", err)
	}
	// The last good registration keeps running, as a failed reload must leave things as they were.
	h.clock.Advance(time.Second)
	h.wait(t)
	if old.n() != 1 {
		t.Fatalf("old job ran %d times, want 1", old.n())
	}
}

func TestJobsInfo(t *testing.T) {
	h := newHarness(t)
	g := newGate()
	job := every("b", time.Second, g.run)
	job.NumberOfExecutions = 5
	if err := h.s.Add(job); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Add(schedule.Job{Name: "a", Spec: schedule.CronSpec("0 * * * *"), Concurrency: schedule.Allow, Run: (&counter{}).run}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	g.waitStarted(t)
	h.clock.Advance(time.Second) // skipped: b is still running

	got := h.s.Jobs()
	want := []schedule.Info{
		{Name: "a", Spec: schedule.CronSpec("0 * * * *"), Concurrency: schedule.Allow, Next: t0().Add(time.Hour)},
		{Name: "b", Source: "src/jobs/b.ts:1", Spec: schedule.EverySpec(time.Second), Concurrency: schedule.Forbid,
			NumberOfExecutions: 5, Next: t0().Add(3 * time.Second), Runs: 1, Skipped: 1, Running: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Jobs = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Jobs[%d] = %+v\nwant      %+v", i, got[i], want[i])
		}
	}
	close(g.release)
}

func TestStoppedRefusesWork(t *testing.T) {
	h := newHarness(t)
	if err := h.s.Add(every("a", time.Second, (&counter{}).run)); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Add(every("b", time.Second, (&counter{}).run)); !errors.Is(err, schedule.ErrStopped) {
		t.Errorf("Add after Stop = %v, want ErrStopped", err)
	}
	if err := h.s.RunNow(context.Background(), "a"); !errors.Is(err, schedule.ErrStopped) {
		t.Errorf("RunNow after Stop = %v, want ErrStopped", err)
	}
	if _, ok := h.s.Next("a"); ok {
		t.Error("Next after Stop should report ok=false")
	}
	if h.clock.Pending() != 0 {
		t.Errorf("%d timers armed after Stop", h.clock.Pending())
	}
}
