package lsp

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Diagnostics: the dev server's load problems and runtime errors and the static checks, merged
// one per cause and published per file when they change.

func (sess *session) onRuntime(e ipc.RuntimeError) {
	sess.mu.Lock()
	for _, p := range e.Problems {
		if p.File == "" || !sess.contains(p.File) {
			continue
		}
		list := sess.runtime[p.File]
		dup := false
		for _, q := range list {
			if q.Line == p.Line && q.Message == p.Message {
				dup = true
				break
			}
		}
		if !dup && len(list) < 20 {
			sess.runtime[p.File] = append(list, p)
		}
	}
	sess.mu.Unlock()
	sess.publish()
	sess.sendStatus()
}

// problems merges load problems, runtime errors and lint results per file, one diagnostic per
// cause (reloaders.Merge).
func (sess *session) problems() map[string][]diag.Diagnostic {
	var loaded, lint []diag.Diagnostic
	loaded = append(loaded, sess.load...)
	for _, ds := range sess.runtime {
		loaded = append(loaded, ds...)
	}
	for _, ds := range sess.lint {
		lint = append(lint, ds...)
	}
	out := map[string][]diag.Diagnostic{}
	for _, d := range reloaders.Merge(loaded, lint) {
		if d.File != "" {
			out[d.File] = append(out[d.File], d)
		}
	}
	return out
}

func (sess *session) errorCount() int {
	n := 0
	for _, ds := range sess.problems() {
		for _, d := range ds {
			if d.Severity == diag.Error {
				n++
			}
		}
	}
	return n
}

// publish sends diagnostics for every file whose set changed, and an empty list for files that
// no longer have any (never null: editors keep stale diagnostics on null).
func (sess *session) publish() {
	sess.mu.Lock()
	current := sess.problems()
	if sess.closed {
		current = nil
	}
	var files []string
	for f := range current {
		files = append(files, f)
	}
	for f := range sess.pubs {
		if _, ok := current[f]; !ok {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	type pub struct {
		file  string
		diags []protocol.Diagnostic
	}
	var out []pub
	for _, f := range files {
		ds := toProtocol(current[f], sess.s.documentURI)
		b, _ := json.Marshal(ds)
		h := fmt.Sprintf("%x", sha256.Sum256(b))
		if sess.pubs[f] == h {
			continue
		}
		if len(ds) == 0 {
			delete(sess.pubs, f)
		} else {
			sess.pubs[f] = h
		}
		out = append(out, pub{f, ds})
	}
	sess.mu.Unlock()
	for _, p := range out {
		err := sess.s.notify(protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{URI: sess.s.documentURI(p.file), Diagnostics: p.diags})
		if err != nil {
			sess.s.log.Debug("lsp: publishDiagnostics", "err", err)
		}
	}
}

// toProtocol converts diagnostics to LSP's, always a non-nil slice.
func toProtocol(ds []diag.Diagnostic, uri func(string) protocol.DocumentURI) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(ds))
	lines := map[string][]string{}
	for _, d := range ds {
		pd := protocol.Diagnostic{
			Range:    rangeOf(d, lines),
			Severity: severity(d.Severity),
			Code:     d.Code,
			Source:   "medusa",
			Message:  d.Message,
		}
		for _, r := range d.Related {
			at := diag.Diagnostic{File: r.File, Line: r.Line, Column: r.Column}
			pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: uri(r.File), Range: rangeOf(at, lines)}, Message: r.Message})
		}
		out = append(out, pd)
	}
	return out
}

func severity(s diag.Severity) protocol.DiagnosticSeverity {
	switch s {
	case diag.Warning:
		return protocol.DiagnosticSeverityWarning
	case diag.Info:
		return protocol.DiagnosticSeverityInformation
	}
	return protocol.DiagnosticSeverityError
}

// rangeOf turns 1-based line and UTF-16 column positions into an LSP range. A problem with a
// line but no span covers the rest of that line from its column; one without a line sits at the
// top of the file.
func rangeOf(d diag.Diagnostic, cache map[string][]string) protocol.Range {
	if d.Line <= 0 {
		return protocol.Range{}
	}
	line := uint32(d.Line - 1)
	col := uint32(max(d.Column, 1) - 1)
	start := protocol.Position{Line: line, Character: col}
	if d.EndLine > 0 && (d.EndLine > d.Line || d.EndColumn > d.Column) {
		return protocol.Range{Start: start, End: protocol.Position{Line: uint32(d.EndLine - 1), Character: uint32(max(d.EndColumn, 1) - 1)}}
	}
	text := lineText(d.File, d.Line, cache)
	end := uint32(diag.UTF16Column(text, len(text)) - 1)
	if end <= col {
		end = col + 1
	}
	return protocol.Range{Start: start, End: protocol.Position{Line: line, Character: end}}
}

func lineText(file string, n int, cache map[string][]string) string {
	lines, ok := cache[file]
	if !ok {
		b, _ := os.ReadFile(file)
		lines = strings.Split(strings.TrimPrefix(string(b), "\uFEFF"), "\n") // editors do not show the mark
		cache[file] = lines
	}
	if n-1 < len(lines) {
		return strings.TrimRight(lines[n-1], "\r")
	}
	return ""
}
