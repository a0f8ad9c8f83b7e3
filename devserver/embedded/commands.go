package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/schedule"
)

// Command runs a named command with JSON arguments and returns its JSON result.
func (a *App) Command(ctx context.Context, name ipc.Command, args json.RawMessage) (json.RawMessage, error) {
	var (
		res any
		err error
	)
	switch name {
	case ipc.CmdEmitEvent:
		var in ipc.EmitArgs
		if err := json.Unmarshal(orEmpty(args), &in); err != nil {
			return nil, fmt.Errorf("emit-event: %w", err)
		}
		res, err = a.EmitEvent(ctx, in.Name, in.Data)
	case ipc.CmdRunJob:
		var in ipc.RunJobArgs
		if err := json.Unmarshal(orEmpty(args), &in); err != nil {
			return nil, fmt.Errorf("run-job: %w", err)
		}
		res, err = a.RunJob(ctx, in.Name)
	case ipc.CmdJobs:
		res = a.JobInfos()
	case ipc.CmdResources:
		res = a.Resources()
	default:
		return nil, fmt.Errorf("unknown command %q", name)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

// EmitEvent emits an event on the project's bus, as code calling eventBus.emit would.
func (a *App) EmitEvent(ctx context.Context, name string, data json.RawMessage) (ipc.EmitResult, error) {
	if a.bus == nil {
		return ipc.EmitResult{}, errors.New("the dev server has not loaded the project yet")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return ipc.EmitResult{}, errors.New("an event name is required (e.g. product.created)")
	}
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	if !json.Valid(data) {
		return ipc.EmitResult{}, fmt.Errorf("the event data is not valid JSON: %s", data)
	}
	res := ipc.EmitResult{Name: name, Subscribers: []string{}}
	for _, s := range a.bus.Subscribers(name) {
		res.Subscribers = append(res.Subscribers, s.ID)
	}
	for _, s := range a.bus.Subscribers(bus.Wildcard) {
		res.Subscribers = append(res.Subscribers, s.ID)
	}
	sort.Strings(res.Subscribers)
	// Wait for every subscriber it reached, and say how each did.
	outcomes := make(chan bus.Outcome, len(res.Subscribers)+1)
	report := func(o bus.Outcome) {
		select {
		case outcomes <- o:
		default: // more than were counted (a reload in between): the count is what is awaited
		}
	}
	if err := a.bus.Emit(ctx, []bus.Message{{Name: name, Data: data}}, bus.EmitOptions{Outcome: report}); err != nil {
		return res, err
	}
	res.Outcomes = []ipc.SubscriberOutcome{}
	for range res.Subscribers {
		select {
		case o := <-outcomes:
			out := ipc.SubscriberOutcome{ID: o.SubscriberID, Source: strings.TrimPrefix(o.Source, a.opts.Root+string(filepath.Separator))}
			if o.Err != nil {
				var he *bus.HandlerError
				if errors.As(o.Err, &he) {
					out.Error = he.Err.Error()
				} else {
					out.Error = o.Err.Error()
				}
			}
			res.Outcomes = append(res.Outcomes, out)
		case <-ctx.Done():
			return res, fmt.Errorf("emitted %s; its subscribers had not all finished: %w", name, ctx.Err())
		}
	}
	sort.Slice(res.Outcomes, func(i, j int) bool { return res.Outcomes[i].ID < res.Outcomes[j].ID })
	return res, nil
}

// RunJob runs a scheduled job now and waits for it to finish.
func (a *App) RunJob(ctx context.Context, name string) (ipc.RunJobResult, error) {
	if a.scheduler == nil {
		return ipc.RunJobResult{}, errors.New("the dev server has not loaded the project yet")
	}
	start := time.Now()
	err := a.scheduler.RunNow(ctx, name)
	if errors.Is(err, schedule.ErrNotFound) {
		var names []string
		for _, j := range a.scheduler.Jobs() {
			names = append(names, j.Name)
		}
		sort.Strings(names)
		return ipc.RunJobResult{}, fmt.Errorf("no job named %q (jobs: %s)", name, strings.Join(names, ", "))
	}
	if err != nil && !errors.Is(err, schedule.ErrJobRunning) {
		// In the dev server's log too, as a failed scheduled run or subscriber is.
		source := ""
		for _, j := range a.scheduler.Jobs() {
			if j.Name == name {
				source = j.Source
			}
		}
		a.reportRuntime("job "+name, source, err)
	}
	if err != nil {
		problems := a.rt.Diagnostics(err, diag.CodeRuntime)
		if len(problems) > 0 && problems[0].Line > 0 {
			return ipc.RunJobResult{}, fmt.Errorf("job %s failed: %s (%s:%d)", name, problems[0].Message, diag.RelPath(a.opts.Root, problems[0].File), problems[0].Line)
		}
		return ipc.RunJobResult{}, fmt.Errorf("job %s failed: %w", name, err)
	}
	return ipc.RunJobResult{Name: name, DurationMs: report.Ms(time.Since(start))}, nil
}

// JobInfos lists the scheduled jobs with their next run.
func (a *App) JobInfos() []ipc.JobInfo {
	out := []ipc.JobInfo{}
	if a.scheduler == nil {
		return out
	}
	for _, j := range a.scheduler.Jobs() {
		file, line := splitSource(j.Source)
		out = append(out, ipc.JobInfo{Name: j.Name, Schedule: j.Spec.String(), Next: j.Next, Runs: j.Runs, File: file, Line: line})
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return out
}
