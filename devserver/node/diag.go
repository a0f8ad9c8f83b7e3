package node

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

// problemSet is the node runtime's current problems, grouped by what clears them: "boot" (the
// next start), "syntax:<file>" (that file parses), "routes" (any route reload that succeeds),
// "resource:<file>" (that resource reloads). Failed reloads are kept to be retried.
type problemSet struct {
	mu     sync.Mutex
	groups map[string][]diag.Diagnostic
	retry  map[string]target
}

func (p *problemSet) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groups, p.retry = nil, nil
}

func (p *problemSet) add(key string, d diag.Diagnostic) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.groups == nil {
		p.groups = map[string][]diag.Diagnostic{}
	}
	p.groups[key] = append(p.groups[key], d)
}

// set replaces a group; nil clears it.
func (p *problemSet) set(key string, ds []diag.Diagnostic) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(ds) == 0 {
		delete(p.groups, key)
		return
	}
	if p.groups == nil {
		p.groups = map[string][]diag.Diagnostic{}
	}
	p.groups[key] = ds
}

// fail records a failed reload, to be retried after later changes.
func (p *problemSet) fail(key string, t target, ds []diag.Diagnostic) {
	p.set(key, ds)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retry == nil {
		p.retry = map[string]target{}
	}
	t.action = "change"
	p.retry[key] = t
}

func (p *problemSet) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.retry, key)
}

func (p *problemSet) failed() []target {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]target, 0, len(p.retry))
	for _, t := range p.retry {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	return out
}

func (p *problemSet) all() []diag.Diagnostic {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []diag.Diagnostic{}
	for _, k := range slices.Sorted(maps.Keys(p.groups)) {
		out = append(out, p.groups[k]...)
	}
	return dedupe(out)
}

func dedupe(ds []diag.Diagnostic) []diag.Diagnostic {
	seen := map[string]bool{}
	out := ds[:0:0]
	for _, d := range ds {
		k := fmt.Sprintf("%s\x00%d\x00%d\x00%s", d.File, d.Line, d.Column, d.Message)
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}

var (
	// swc's code frames: "╭─[/abs/src/api/x/route.ts:3:1]".
	swcFrameRe = regexp.MustCompile(`\[((?:/|[A-Za-z]:\\)[^\]]+?):(\d+):(\d+)\]`)
	// a project path in a message, optionally with a position.
	pathInTextRe = regexp.MustCompile(`((?:/|[A-Za-z]:\\)[^\s:'"()\[\]]+\.(?:[cm]?[jt]sx?))(?::(\d+)(?::(\d+))?)?`)
)

// logDiagnostics turns an error or warning Medusa logged into diagnostics: at the first project
// frame of the error's stack, else at a project file the text names (swc's code frames, "The
// subscriber in <file> …"), else at fallback. Warnings that name no file are not diagnostics.
func logDiagnostics(root string, m ipc.Envelope, fallback, code string) []diag.Diagnostic {
	sev := diag.Error
	if m.Level != "error" {
		sev, code = diag.Warning, diag.CodeConvention
	}
	msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m.Message), "[HMR]"))
	stack := ""
	if e := m.Exception; e != nil {
		em := e.Message
		if e.Name != "" && e.Name != "Error" {
			em = e.Name + ": " + em
		}
		// Medusa's reporter prints "message: error.message"; the message is context only.
		switch {
		case msg == "" || isReloadContext(msg):
			msg = em
		case strings.Contains(msg, e.Message):
		default:
			msg = msg + ": " + em
		}
		stack = e.Stack
	}
	msg = strings.ReplaceAll(cleanMessage(msg), root+string(filepath.Separator), "")
	if msg == "" {
		return nil
	}
	d := diag.Diagnostic{Severity: sev, Code: code, Message: msg, Stack: stack}
	inProject := func(p string) bool {
		return strings.HasPrefix(p, root+string(filepath.Separator)) && !strings.Contains(p, string(filepath.Separator)+"node_modules"+string(filepath.Separator))
	}
	if nf, ok := moduleNotFound(root, m.Exception, inProject); ok {
		nf.Severity, nf.Code = sev, code
		return []diag.Diagnostic{nf}
	}
	for _, f := range jsvm.ParseStack(stack) {
		if inProject(f.File) {
			d.File, d.Line, d.Column = f.File, f.Line, max(f.Column, 1)
			return []diag.Diagnostic{d}
		}
	}
	text := m.Message + "\n"
	if m.Exception != nil {
		text += m.Exception.Message + "\n" + stack
	}
	if sm := swcFrameRe.FindStringSubmatch(text); sm != nil && inProject(sm[1]) {
		// swc's message is its code frame; the editor shows the line itself. swc failing on a
		// project file is a parse error, the embedded runtime's syntax-error.
		d.Message = strings.TrimPrefix(strings.TrimSpace(child.FirstLine(d.Message)), "x ")
		if d.Code == diag.CodeLoad {
			d.Code = diag.CodeSyntax
		}
		d.File = sm[1]
		d.Line, _ = strconv.Atoi(sm[2])
		d.Column, _ = strconv.Atoi(sm[3])
		return []diag.Diagnostic{d}
	}
	for _, sm := range pathInTextRe.FindAllStringSubmatch(text, -1) {
		if inProject(sm[1]) {
			d.File, d.Line, d.Column = sm[1], 1, 1
			if sm[2] != "" {
				d.Line, _ = strconv.Atoi(sm[2])
			}
			if sm[3] != "" {
				d.Column, _ = strconv.Atoi(sm[3])
			}
			return []diag.Diagnostic{d}
		}
	}
	if sev != diag.Error {
		return nil
	}
	if fallback != "" {
		d.File, d.Line, d.Column = fallback, 1, 1
	}
	return []diag.Diagnostic{d}
}

// isReloadContext is Medusa's own framing of an error, which adds nothing on the error's line.
func isReloadContext(msg string) bool {
	return strings.HasPrefix(msg, "Reload failed with unexpected error") || strings.HasPrefix(msg, "Error starting server")
}

// cleanMessage drops ANSI colours and trailing blank lines.
func cleanMessage(s string) string {
	s = ansiRe.ReplaceAllString(s, "")
	return strings.TrimSpace(s)
}

var ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

var (
	// Node's require: "Cannot find module './x'\nRequire stack:\n- /abs/importer.ts\n- …";
	// its ESM loader: "Cannot find module '/abs/x' imported from /abs/importer.mjs".
	notFoundRe     = regexp.MustCompile(`^Cannot find (?:module|package) '([^']+)'(?: imported from (\S+))?`)
	requireStackRe = regexp.MustCompile(`(?m)^Require stack:\s*\n- (.+)$`)
)

// moduleNotFound places an import that Node could not resolve on the import itself: the first
// string literal naming it in the project file that imported it (Node's "Require stack" starts
// there). The stack's frames point into the compiled file (or into Node's resolver), and the
// require stack lists Medusa's and medusa-ls's own loaders; the message keeps what helps, as the
// embedded runtime says it: "Cannot find module './x' imported from src/api/route.ts".
func moduleNotFound(root string, e *ipc.Exception, inProject func(string) bool) (diag.Diagnostic, bool) {
	if e == nil {
		return diag.Diagnostic{}, false
	}
	sm := notFoundRe.FindStringSubmatch(e.Message)
	if sm == nil {
		return diag.Diagnostic{}, false
	}
	spec, importer := sm[1], sm[2]
	if importer == "" {
		if rs := requireStackRe.FindStringSubmatch(e.Message); rs != nil {
			importer = strings.TrimSpace(rs[1])
		}
	}
	importer = strings.TrimPrefix(importer, "file://")
	if importer == "" || !inProject(importer) {
		return diag.Diagnostic{}, false
	}
	d := diag.Diagnostic{File: importer, Line: 1, Column: 1,
		Message: fmt.Sprintf("Cannot find module '%s' imported from %s", spec, diag.RelPath(root, importer))}
	if src, err := os.ReadFile(importer); err == nil {
		if line, col, ok := literalPosition(string(src), spec); ok {
			d.Line, d.Column = line, col
		}
	}
	return d, true
}

// literalPosition is the 1-based line and UTF-16 column of the string literal (quoted with ',
// " or `) whose value is spec, at its opening quote: the one an import, export … from,
// require( or import( names, else the first (a mention in a comment comes second).
func literalPosition(src, spec string) (int, int, bool) {
	first, best := -1, -1
	for _, q := range []string{`"`, `'`, "`"} {
		lit := q + spec + q
		for from := 0; ; {
			i := strings.Index(src[from:], lit)
			if i < 0 {
				break
			}
			i += from
			from = i + len(lit)
			if first < 0 || i < first {
				first = i
			}
			before := strings.TrimRight(src[:i], " \t\r\n")
			if strings.HasSuffix(before, "from") || strings.HasSuffix(before, "require(") || strings.HasSuffix(before, "import(") || strings.HasSuffix(before, "import") {
				if best < 0 || i < best {
					best = i
				}
			}
		}
	}
	if best < 0 {
		best = first
	}
	if best < 0 {
		return 0, 0, false
	}
	before := src[:best]
	line := strings.Count(before, "\n") + 1
	lineStart := strings.LastIndex(before, "\n") + 1
	return line, len(utf16.Encode([]rune(before[lineStart:]))) + 1, true
}
