// Package ipc is the channel between the supervisor and the child dev server: one JSON object
// per line over a socket pair on fd 3, the framing of Node's IPC channel, so the same parent can
// drive a Node Medusa child. Medusa's message names are kept and extended, never renamed.
package ipc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// MessageType says what an Envelope is.
type MessageType string

// Message types.
const (
	TypeReload       MessageType = "hmr-reload"    // parent → child: apply a batch of changes
	TypeResult       MessageType = "hmr-result"    // child → parent: the outcome of a reload
	TypeReady        MessageType = "ready"         // child → parent: loaded and serving
	TypeRuntimeError MessageType = "runtime-error" // child → parent: a handler threw on a request
	TypeReloadAll    MessageType = "reload-all"    // parent → child: reload every file
	TypeShutdown     MessageType = "shutdown"      // parent → child: stop accepting, finish requests, exit
	TypeDraining     MessageType = "draining"      // child → parent: no longer accepting; finishing in-flight requests
	TypeCommand      MessageType = "command"       // parent → child: run a named command (emit an event, run a job)
	TypeCommandDone  MessageType = "command-result"

	// From the helper medusa-ls preloads into a Node Medusa child (the node runtime).
	TypeNodeHello MessageType = "medusa-ls:hello" // the helper is in
	TypeNodeLog   MessageType = "medusa-ls:log"   // Medusa logged an error or a warning
	// Medusa's HTTP server listens: it is up, so the supervisor asks /health now instead of at
	// its next poll.
	TypeNodeListening MessageType = "medusa-ls:listening"
)

// Exception is a JavaScript error as the node helper sends it.
type Exception struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Stack   string `json:"stack"`
	Code    string `json:"code,omitempty"`
}

// Request is the HTTP request a log line happened in.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	File   string `json:"file,omitempty"` // the project's route file serving it, when known
}

// Envelope is any message; Type says which fields are set.
type Envelope struct {
	Type MessageType `json:"type"`
	ID   int64       `json:"id,omitempty"`

	// hmr-reload: Medusa's fields (action, file, rootDirectory), then the whole batch.
	Action        Action   `json:"action,omitempty"`
	File          string   `json:"file,omitempty"`
	RootDirectory string   `json:"rootDirectory,omitempty"`
	Changes       []Change `json:"files,omitempty"`

	// hmr-result and ready: Medusa's success, then the detail it lacks.
	Success         *bool                `json:"success,omitempty"`
	DurationMs      float64              `json:"durationMs,omitempty"`
	Changed         []string             `json:"changed,omitempty"`
	Reloaded        []reloaders.Resource `json:"reloaded,omitempty"`
	Removed         []reloaders.Resource `json:"removed,omitempty"`
	Errors          []diag.Diagnostic    `json:"errors,omitempty"` // also runtime-error's problems
	Problems        []diag.Diagnostic    `json:"problems,omitempty"`
	Resources       []reloaders.Resource `json:"resources,omitempty"`
	RestartRequired bool                 `json:"restartRequired,omitempty"`
	Note            string               `json:"note,omitempty"`
	Applied         bool                 `json:"applied,omitempty"`
	Generation      int                  `json:"generation,omitempty"`
	Trace           *Trace               `json:"trace,omitempty"`

	// ready
	PID         int                       `json:"pid,omitempty"`
	URL         string                    `json:"url,omitempty"`
	Credentials *framework.DevCredentials `json:"credentials,omitempty"` // what the embedded runtime's default checks accept

	// runtime-error
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Status int    `json:"status,omitempty"`
	What   string `json:"what,omitempty"` // a subscriber or job, when it was not a request

	// medusa-ls:log (Message also medusa-ls:hello's node version)
	Level     string     `json:"level,omitempty"`
	Message   string     `json:"message,omitempty"`
	Exception *Exception `json:"exception,omitempty"`
	Request   *Request   `json:"request,omitempty"`
	Node      string     `json:"node,omitempty"`

	// command / command-result
	Name  Command         `json:"name,omitempty"`
	Args  json.RawMessage `json:"args,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
	Error string          `json:"error,omitempty"`
}

// Reload builds an hmr-reload message. action and file carry the first change, as Medusa's
// parent sends them; files carries the whole batch.
func Reload(id int64, root string, changes []Change) Envelope {
	e := Envelope{Type: TypeReload, ID: id, RootDirectory: root, Changes: changes}
	if len(changes) > 0 {
		e.Action, e.File = changes[0].Action, changes[0].File
	}
	return e
}

func withResult(e Envelope, r Result) Envelope {
	ok := r.Success
	e.Success = &ok
	e.DurationMs, e.Changed, e.Reloaded, e.Removed = r.DurationMs, r.Files, r.Reloaded, r.Removed
	e.Errors, e.Problems, e.Resources = clip(r.Errors), clip(r.Problems), r.Resources
	e.RestartRequired, e.Note, e.Applied, e.Generation, e.Trace = r.Restart, r.Note, r.Applied, r.Generation, r.Trace
	e.Credentials = r.Credentials
	if e.Problems == nil {
		e.Problems = []diag.Diagnostic{}
	}
	return e
}

// Result unpacks the outcome carried by an hmr-result or ready message.
func (e Envelope) Result() Result {
	r := Result{
		DurationMs: e.DurationMs, Files: e.Changed, Reloaded: e.Reloaded, Removed: e.Removed,
		Errors: e.Errors, Problems: e.Problems, Resources: e.Resources, Restart: e.RestartRequired,
		Note: e.Note, Applied: e.Applied, Generation: e.Generation, Trace: e.Trace, Credentials: e.Credentials,
	}
	if e.Success != nil {
		r.Success = *e.Success
	}
	if r.Problems == nil {
		r.Problems = []diag.Diagnostic{}
	}
	return r
}

// ResultMessage wraps a reload result.
func ResultMessage(id int64, r Result) Envelope {
	return withResult(Envelope{Type: TypeResult, ID: id}, r)
}

// ReadyMessage announces that the child serves.
func ReadyMessage(pid int, url string, r Result) Envelope {
	return withResult(Envelope{Type: TypeReady, PID: pid, URL: url}, r)
}

// RuntimeErrorMessage reports a handler failure.
func RuntimeErrorMessage(e reloaders.RuntimeError) Envelope {
	return Envelope{Type: TypeRuntimeError, Method: e.Method, Path: e.Path, Status: e.Status, What: CutText(e.What, MaxText), Errors: clip(e.Problems)}
}

// Changes returns the batch of an hmr-reload, also from a Medusa-style message with only
// action and file.
func (e Envelope) ReloadChanges() []Change {
	if len(e.Changes) > 0 {
		return e.Changes
	}
	if e.File != "" {
		return []Change{{Action: e.Action, File: e.File}}
	}
	return nil
}

// Conn reads and writes messages. Writes are serialized; reads belong to one goroutine.
type Conn struct {
	r   *bufio.Reader
	wmu sync.Mutex
	w   io.Writer
	c   io.Closer
}

// NewConn wraps a byte stream.
func NewConn(rwc io.ReadWriteCloser) *Conn {
	return &Conn{r: bufio.NewReaderSize(rwc, 64<<10), w: rwc, c: rwc}
}

// Send writes one message.
func (c *Conn) Send(e Envelope) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("ipc: encoding %s: %w", e.Type, err)
	}
	b = append(b, '\n')
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err = c.w.Write(b)
	return err
}

// MaxMessage is the longest line Receive keeps, in bytes, so that a corrupt or runaway peer
// cannot make the reader grow without limit. A longer line is read and dropped, never buffered
// whole, and reported as a *DecodeError wrapping ErrTooLarge; the channel stays usable.
const MaxMessage = 16 << 20

// ErrTooLarge is the cause of a DecodeError for a line longer than MaxMessage.
var ErrTooLarge = errors.New("ipc: message too large")

// Receive reads the next message. A line that is not a JSON object, or is longer than
// MaxMessage, is skipped and returned as a *DecodeError the caller may log and ignore; io.EOF
// means the peer closed the channel.
func (c *Conn) Receive() (Envelope, error) {
	var line []byte
	size := 0
	for {
		chunk, err := c.r.ReadSlice('\n')
		size += len(chunk)
		if size <= MaxMessage {
			if len(line)+len(chunk) > cap(line) {
				// Double (append grows large slices by 1.25×, which allocates five times the line).
				grown := make([]byte, len(line), min(max(2*cap(line), len(line)+len(chunk)), MaxMessage))
				copy(grown, line)
				line = grown
			}
			line = append(line, chunk...)
		} else {
			line = nil // dropped: keep reading to the end of the line
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && size > 0 {
				break
			}
			return Envelope{}, err
		}
		break
	}
	if size > MaxMessage {
		return Envelope{}, &DecodeError{Line: fmt.Sprintf("<%d bytes>", size), Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, size, MaxMessage)}
	}
	var e Envelope
	if err := json.Unmarshal(line, &e); err != nil {
		return Envelope{}, &DecodeError{Line: string(line), Err: err}
	}
	return e, nil
}

// Close closes the channel.
func (c *Conn) Close() error { return c.c.Close() }

// DecodeError is a line that is not a message.
type DecodeError struct {
	Line string
	Err  error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("ipc: bad message %.80q: %v", e.Line, e.Err) }

func (e *DecodeError) Unwrap() error { return e.Err }

// MaxText is the longest message or stack a diagnostic carries over the channel, in bytes;
// longer ones are cut with a marker, so that an error with a huge message (a 70 MiB string
// thrown) still reaches the parent.
const MaxText = 16 << 10

// clip returns ds with every message and stack cut to MaxText.
func clip(ds []diag.Diagnostic) []diag.Diagnostic {
	var out []diag.Diagnostic
	for i, d := range ds {
		if len(d.Message) <= MaxText && len(d.Stack) <= MaxText {
			if out != nil {
				out = append(out, d)
			}
			continue
		}
		if out == nil {
			out = append(make([]diag.Diagnostic, 0, len(ds)), ds[:i]...)
		}
		d.Message, d.Stack = CutText(d.Message, MaxText), CutText(d.Stack, MaxText)
		out = append(out, d)
	}
	if out == nil {
		return ds
	}
	return out
}

// CutText returns s cut to at most max bytes (at a UTF-8 boundary) followed by a marker saying
// how many bytes were cut, or s itself when it fits.
func CutText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… [%d bytes cut]", s[:cut], len(s)-cut)
}
