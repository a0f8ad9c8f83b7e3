// Package reloaders knows Medusa's resource kinds: which files are whose, how to load a file's
// resources into the next generation, and how to make that generation live. One file per kind.
//
// A reload is two-phase: Prepare builds the kind's next state beside the live one (nothing
// observable changes), then the host commits every kind or none. In-flight work keeps the
// state it started with.
package reloaders

import (
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

// Resource is one thing a file provides: a route, a subscriber, a job…
type Resource struct {
	Kind string `json:"kind"` // "route", "middleware", "subscriber", "job", "workflow", "module"
	Name string `json:"name"` // "GET /store/hello", "product.created → notify", …
	File string `json:"file"` // absolute path
	Line int    `json:"line,omitempty"`
}

// Reloader is one resource kind.
type Reloader interface {
	// Kind names the kind in logs ("routes").
	Kind() string
	// Owns reports whether rel (slash-separated, relative to the project root) is an entry file
	// of this kind, e.g. src/api/store/hello/route.ts for routes.
	Owns(rel string) bool
	// Prepare loads the given entry files into tx and drops the removed ones, building the
	// kind's next state without making it live. Files that fail keep their previous version in
	// the next state (or stay absent) and their problems are returned; the host decides whether
	// to commit anyway (the first load) or not at all (a reload). It runs on the loop.
	Prepare(tx *jsvm.Tx, load, remove []string) Pending
}

// Pending is a kind's next state.
type Pending interface {
	// Problems found while loading: errors (the file did not load) and warnings.
	Problems() []diag.Diagnostic
	// Failed lists the entry files that did not load.
	Failed() []string
	// Reloaded lists the resources of the files that were (re)loaded.
	Reloaded() []Resource
	// Removed lists the resources that the next state no longer provides.
	Removed() []Resource
	// Resources lists everything the next state provides.
	Resources() []Resource
	// Restart, when not "", says the change cannot be applied in place and why (a deleted
	// module or workflow file): the host restarts the child instead.
	Restart() string
	// Commit makes the next state live. It runs on the loop and cannot fail.
	Commit()
}

// outcome is what a Prepare found, shared by every kind's Pending.
type outcome struct {
	problems       []diag.Diagnostic
	failed         []string
	reloaded, gone []Resource
	restart        string
}

func (o *outcome) Problems() []diag.Diagnostic { return o.problems }
func (o *outcome) Failed() []string            { return o.failed }
func (o *outcome) Reloaded() []Resource        { return o.reloaded }
func (o *outcome) Removed() []Resource         { return o.gone }
func (o *outcome) Restart() string             { return o.restart }

// Warning is a convention problem found in a file that did load.
func Warning(file string, line int, msg string) diag.Diagnostic {
	return diag.Diagnostic{File: file, Line: line, Column: 1, Severity: diag.Warning, Code: diag.CodeConvention, Message: msg}
}
