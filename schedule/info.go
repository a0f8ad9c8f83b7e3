package schedule

import (
	"sort"
	"time"
)

// Next returns the next planned tick of a job, for a "next run" code lens. ok is false when the
// job is unknown or the scheduler is stopped.
func (s *Scheduler) Next(name string) (next time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, found := s.jobs[name]
	if !found || s.stopped {
		return time.Time{}, false
	}
	return e.next, true
}

// Jobs lists the scheduled jobs sorted by name.
func (s *Scheduler) Jobs() []Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Info, 0, len(s.jobs))
	for _, e := range s.jobs {
		info := Info{
			Name:               e.job.Name,
			Source:             e.job.Source,
			Spec:               e.job.Spec,
			Concurrency:        e.job.concurrency(),
			NumberOfExecutions: e.job.NumberOfExecutions,
			Runs:               e.runs,
			Skipped:            e.skipped,
			Running:            s.running[e.job.Name],
		}
		if !s.stopped {
			info.Next = e.next
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
