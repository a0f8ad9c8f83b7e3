package ipc

import (
	"encoding/json"
	"time"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// The types below are what the supervisor, the child and the language server exchange: a
// batch of changes, a reload's result and the child's commands. They live here, in the leaf
// every side imports, as gopls's protocol package does.

// Action is what happened to a file.
type Action string

const (
	ActionAdd    Action = "add"
	ActionChange Action = "change"
	ActionUnlink Action = "unlink"
)

// Change is one changed file of a batch.
type Change struct {
	Action Action `json:"action"`
	File   string `json:"file"` // absolute
}

// Result is the outcome of a load or a reload: a plain struct that the terminal logger, the
// IPC channel and the language server all render.
type Result struct {
	Success    bool                 `json:"success"`
	DurationMs float64              `json:"durationMs"`
	Files      []string             `json:"files,omitempty"`    // the batch's changed files
	Reloaded   []reloaders.Resource `json:"reloaded,omitempty"` // resources (re)loaded
	Removed    []reloaders.Resource `json:"removed,omitempty"`  // resources that went away
	Errors     []diag.Diagnostic    `json:"errors,omitempty"`   // why the batch failed
	Problems   []diag.Diagnostic    `json:"problems"`           // every current load problem in the project
	Resources  []reloaders.Resource `json:"resources,omitempty"`
	Restart    bool                 `json:"restartRequired,omitempty"`
	// RestartOwed is a restart the reload asked for but did not start, as Medusa would exit at
	// boot on a file of the batch that failed to load: the supervisor tries it once a save
	// fixes one of the files in Errors.
	RestartOwed string `json:"restartOwed,omitempty"`
	Note        string `json:"note,omitempty"` // e.g. "nothing imports src/lib/x.ts"
	Applied     bool   `json:"applied"`        // a new generation went live
	Generation  int    `json:"generation"`
	// Trace, with Options.Trace (MEDUSA_LS_TRACE=1): where a reload's time went.
	Trace *Trace `json:"trace,omitempty"`
	// Credentials are the development credentials the loaded project accepts (Load only; see
	// App.Credentials).
	Credentials *framework.DevCredentials `json:"credentials,omitempty"`
}

// RuntimeError is a failure after loading (a handler, subscriber or job threw), with where it
// happened: a runtime-error message, or what the node runtime's helper logged.
type RuntimeError struct {
	Method, Path string
	Status       int
	What         string // a subscriber or job, when it was not a request
	Problems     []diag.Diagnostic
}

// Trace times one reload in the child: when it began and when its new generation went live
// (Unix nanoseconds, to line up with the supervisor's and a client's clocks on one machine),
// and its stages in order (milliseconds).
type Trace struct {
	BeganNs   int64 `json:"beganNs"`
	SwappedNs int64 `json:"swappedNs,omitempty"` // 0: nothing went live
	Hops      []Hop `json:"hops"`
}

// Hop is one stage of a reload and its duration in milliseconds.
type Hop struct {
	Name string  `json:"name"`
	Ms   float64 `json:"ms"`
}

// Commands the child answers over IPC, for the editor's lenses and the terminal's
// `medusa-ls emit` and `medusa-ls run-job`.
type Command string

const (
	CmdEmitEvent Command = "emit-event"
	CmdRunJob    Command = "run-job"
	CmdJobs      Command = "jobs"
	CmdResources Command = "resources"
)

// EmitArgs are emit-event's arguments.
type EmitArgs struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data,omitempty"`
}

// EmitResult says who received the event.
type EmitResult struct {
	Name        string   `json:"name"`
	Subscribers []string `json:"subscribers"` // ids of the subscribers it went to
	// Outcomes says how each subscriber handled the event, once all have finished (absent
	// from runtimes that cannot tell).
	Outcomes []SubscriberOutcome `json:"outcomes,omitempty"`
}

// SubscriberOutcome is how one subscriber handled an emitted event.
type SubscriberOutcome struct {
	ID     string `json:"id"`
	Source string `json:"source,omitempty"`
	Error  string `json:"error,omitempty"` // empty when it succeeded
	// Process is the node runtime's process that ran it, with workers ("worker 2").
	Process string `json:"process,omitempty"`
}

// Failed counts the subscribers that failed.
func (r EmitResult) Failed() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Error != "" {
			n++
		}
	}
	return n
}

// JobInfo describes a scheduled job.
type JobInfo struct {
	Name     string    `json:"name"`
	Schedule string    `json:"schedule"`
	Next     time.Time `json:"next"`
	Runs     int       `json:"runs"`
	File     string    `json:"file"`
	Line     int       `json:"line"`
}

// RunJobArgs are run-job's arguments.
type RunJobArgs struct {
	Name string `json:"name"`
}

// RunJobResult is how a run went.
type RunJobResult struct {
	Name       string  `json:"name"`
	DurationMs float64 `json:"durationMs"`
}
