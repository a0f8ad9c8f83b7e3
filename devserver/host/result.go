package host

import (
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

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
	Note       string               `json:"note,omitempty"` // e.g. "nothing imports src/lib/x.ts"
	Applied    bool                 `json:"applied"`        // a new generation went live
	Generation int                  `json:"generation"`
	// Trace, with Options.Trace (MEDUSA_LS_TRACE=1): where a reload's time went.
	Trace *Trace `json:"trace,omitempty"`
	// Credentials are the development credentials the loaded project accepts (Load only; see
	// App.Credentials).
	Credentials *framework.DevCredentials `json:"credentials,omitempty"`
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
