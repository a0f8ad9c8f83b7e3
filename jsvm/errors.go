package jsvm

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
)

// UnsupportedError is what user code gets for something the embedded runtime does not provide
// (a Node module, a Medusa API that needs the data layer). In JavaScript it is an Error named
// "UnsupportedError", and its diagnostics carry the code "unsupported".
type UnsupportedError struct{ Message string }

func (e *UnsupportedError) Error() string { return e.Message }

func (rt *Runtime) unsupportedError(msg string) error { return &UnsupportedError{Message: msg} }

// NewUnsupported returns a JavaScript Error named UnsupportedError.
func (rt *Runtime) NewUnsupported(msg string) *goja.Object {
	e := rt.vm.NewGoError(errors.New(msg))
	_ = e.Set("name", "UnsupportedError")
	_ = e.Set("message", msg)
	return e
}

// Throw raises err in JavaScript. It never returns. Interrupts and JavaScript exceptions pass
// through unchanged so that their values and stacks survive nested calls.
func (rt *Runtime) Throw(err error) {
	var (
		ie *goja.InterruptedError
		so *goja.StackOverflowError
		ex *goja.Exception
		ue *UnsupportedError
	)
	switch {
	case errors.As(err, &ie):
		panic(ie)
	case errors.As(err, &so):
		panic(so)
	case errors.As(err, &ex):
		panic(ex)
	case errors.As(err, &ue):
		panic(rt.NewUnsupported(ue.Message))
	default:
		panic(rt.vm.NewGoError(err))
	}
}

// Frame is one source-mapped stack frame.
type Frame struct {
	Func   string
	File   string
	Line   int
	Column int
}

// Diagnostics turns an error from loading or running code into diagnostics: the first one is
// where it happened (the first frame in the project's own code), and each other project file on
// the stack (the route that imported the broken util) gets one pointing at its call site.
// code is used for errors that carry no code of their own.
func (rt *Runtime) Diagnostics(err error, code string) []diag.Diagnostic {
	if err == nil {
		return nil
	}
	if ds, ok := rt.thrownDiagnostics(err, code); ok {
		return ds
	}
	var (
		le *LoadError
		ie *goja.InterruptedError
		so *goja.StackOverflowError
		ex *goja.Exception
		ue *UnsupportedError
	)
	// A goja Exception unwraps to the Go error it carries, so it must be looked at first:
	// otherwise the JavaScript frames (the import sites) are lost.
	if errors.As(err, &ex) {
		return rt.exceptionDiagnostics(ex, code)
	}
	switch {
	case errors.As(err, &le):
		return le.Diagnostics
	case errors.As(err, &ie):
		msg := fmt.Sprint(ie.Value())
		if te, ok := ie.Value().(*TimeoutError); ok {
			msg = te.Error()
		}
		return rt.framesDiagnostics(msg, code, gojaFrames(ie.Stack()), "")
	case errors.As(err, &so):
		return rt.framesDiagnostics("maximum call stack size exceeded (infinite recursion?)", code, gojaFrames(so.Stack()), "")
	case errors.As(err, &ue):
		return []diag.Diagnostic{{Severity: diag.Error, Code: diag.CodeUnsupported, Message: ue.Message}}
	default:
		return []diag.Diagnostic{{Severity: diag.Error, Code: code, Message: err.Error()}}
	}
}

func (rt *Runtime) exceptionDiagnostics(ex *goja.Exception, code string) []diag.Diagnostic {
	// A Go error thrown through JavaScript keeps its diagnostics (a syntax error in an
	// imported file); the JavaScript frames add the import sites.
	if ge := ex.Unwrap(); ge != nil {
		var inner *LoadError
		if errors.As(ge, &inner) {
			return rt.withCallSites(gojaFrames(ex.Stack()), inner.Diagnostics)
		}
	}
	problems := rt.ValueDiagnostics(ex.Value(), code)
	if len(problems) > 0 && problems[0].Line == 0 {
		// The value had no usable stack; the exception's own frames still do.
		if fromEx := rt.framesDiagnostics(problems[0].Message, problems[0].Code, gojaFrames(ex.Stack()), problems[0].Stack); len(fromEx) > 0 && fromEx[0].Line > 0 {
			return fromEx
		}
	}
	return problems
}

// ValueDiagnostics turns a thrown JavaScript value (an Error object, usually) into diagnostics,
// using its `stack` property, which goja has already source-mapped.
func (rt *Runtime) ValueDiagnostics(v goja.Value, code string) []diag.Diagnostic {
	msg, stack, name := describeValue(rt.vm, v)
	if name == "UnsupportedError" {
		code = diag.CodeUnsupported
	}
	if ge, ok := exportedError(v); ok {
		var le *LoadError
		if errors.As(ge, &le) {
			return rt.withCallSites(ParseStack(stack), le.Diagnostics)
		}
	}
	out := rt.framesDiagnostics(msg, code, ParseStack(stack), stack)
	if len(out) == 0 {
		out = []diag.Diagnostic{{Severity: diag.Error, Code: code, Message: msg, Stack: stack}}
	}
	return out
}

func exportedError(v goja.Value) (error, bool) {
	if v == nil {
		return nil, false
	}
	// goja keeps the Go error of a GoError object in its "value" property.
	if o, ok := v.(*goja.Object); ok {
		if inner := o.Get("value"); inner != nil {
			if e, ok := inner.Export().(error); ok {
				return e, true
			}
		}
	}
	return nil, false
}

// describeValue returns "Name: message", the stack text and the error's name.
func describeValue(_ *goja.Runtime, v goja.Value) (msg, stack, name string) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return fmt.Sprintf("%v was thrown", v), "", ""
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return "a non-error value was thrown: " + v.String(), "", ""
	}
	get := func(k string) string {
		x := obj.Get(k)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			return ""
		}
		return x.String()
	}
	name, message, stack := get("name"), get("message"), get("stack")
	if ge, ok := exportedError(obj); ok && message == "" {
		message = ge.Error()
	}
	switch {
	case name == "GoError" || name == "" || name == "UnsupportedError":
		msg = message
	case message == "":
		msg = name
	default:
		msg = name + ": " + message
	}
	if msg == "" {
		msg = v.String()
	}
	return msg, stack, name
}

func gojaFrames(stack []goja.StackFrame) []Frame {
	out := make([]Frame, 0, len(stack))
	for _, f := range stack {
		pos := f.Position()
		file := f.SrcName()
		if pos.Filename != "" {
			file = pos.Filename
		}
		out = append(out, Frame{Func: f.FuncName(), File: framePath(file), Line: pos.Line, Column: pos.Column})
	}
	return out
}

// framePath turns a stack frame's file into a plain path. goja resolves a source map's sources
// as URLs, so a project in "my shop ü" comes back as "my%20shop%20%C3%BC".
func framePath(name string) string {
	name = strings.TrimPrefix(name, "file://")
	if !strings.Contains(name, "%") {
		return name
	}
	if _, err := os.Stat(name); err == nil {
		return name
	}
	if dec, err := url.PathUnescape(name); err == nil {
		return dec
	}
	return name
}

// goja renders frames as "at name (file:line:col(pc))" or "at file:line:col(pc)".
var stackLineRe = regexp.MustCompile(`^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)(?:\(\d+\))?\)?\s*$`)

// ParseStack reads the frames out of a goja `stack` string.
func ParseStack(stack string) []Frame {
	var out []Frame
	for _, line := range strings.Split(stack, "\n") {
		m := stackLineRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		ln, _ := strconv.Atoi(m[3])
		col, _ := strconv.Atoi(m[4])
		out = append(out, Frame{Func: m[1], File: framePath(m[2]), Line: ln, Column: col})
	}
	return out
}

// framesDiagnostics places msg at the first project frame. For load errors it adds a note at
// each other project file further down the stack (the files that import the broken one); an
// error thrown at run time stays on its throwing line.
func (rt *Runtime) framesDiagnostics(msg, code string, frames []Frame, stack string) []diag.Diagnostic {
	var out []diag.Diagnostic
	seen := map[string]bool{}
	for _, f := range frames {
		if !rt.IsProjectFile(f.File) || seen[f.File] {
			continue
		}
		if len(out) > 0 && code == diag.CodeRuntime {
			break
		}
		seen[f.File] = true
		if len(out) > 0 {
			// One diagnostic per cause: the importers are its related places.
			out[0].Related = append(out[0].Related, diag.Related{File: f.File, Line: f.Line, Column: max(f.Column, 1),
				Message: fmt.Sprintf("imports %s, which failed to load", diag.RelPath(rt.opts.Root, out[0].File))})
			continue
		}
		out = append(out, diag.Diagnostic{File: f.File, Line: f.Line, Column: max(f.Column, 1), Severity: diag.Error, Code: code, Message: msg, Stack: stack})
	}
	if len(out) == 0 && len(frames) > 0 {
		// Only dependency or builtin frames: still better than nothing.
		for _, f := range frames {
			if strings.HasPrefix(f.File, "/") {
				return []diag.Diagnostic{{File: f.File, Line: f.Line, Column: max(f.Column, 1), Severity: diag.Error, Code: code, Message: msg, Stack: stack}}
			}
		}
	}
	if len(out) == 0 && msg != "" {
		out = append(out, diag.Diagnostic{Severity: diag.Error, Code: code, Message: msg, Stack: stack})
	}
	return out
}

// withCallSites returns the cause of a load error with the project frames through which it was
// reached (the import lines of the files that depend on the broken one) as its related places:
// one diagnostic per cause.
func (rt *Runtime) withCallSites(frames []Frame, cause []diag.Diagnostic) []diag.Diagnostic {
	out := append([]diag.Diagnostic(nil), cause...)
	if len(out) == 0 {
		return out
	}
	c := out[0]
	c.Related = append([]diag.Related(nil), c.Related...)
	seen := map[string]bool{c.File: true}
	for _, r := range c.Related {
		seen[r.File] = true
	}
	for _, f := range frames {
		if !rt.IsProjectFile(f.File) || seen[f.File] {
			continue
		}
		seen[f.File] = true
		c.Related = append(c.Related, diag.Related{File: f.File, Line: f.Line, Column: max(f.Column, 1),
			Message: fmt.Sprintf("imports %s, which failed to load", diag.RelPath(rt.opts.Root, c.File))})
	}
	out[0] = c
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
