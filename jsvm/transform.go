package jsvm

import (
	"crypto/sha256"
	"path/filepath"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/medusa-ls/medusa-ls/diag"
)

// transformer turns TypeScript and modern JavaScript into CommonJS that goja runs, with an
// inline source map so that every error points into the original file. Results are cached by
// content hash: an unchanged file is never transformed twice.
type transformer struct {
	tsconfig string // raw tsconfig.json; Transform never reads it by itself

	mu    sync.Mutex
	cache map[string]transformResult // key: path + "\x00" + content hash
}

type transformResult struct {
	code     string
	problems []diag.Diagnostic
}

func newTransformer(tsconfigRaw string) *transformer {
	return &transformer{tsconfig: tsconfigRaw, cache: make(map[string]transformResult)}
}

// goja lacks these; esbuild lowers them (see reference/goja-runtime.md §2.2).
var gojaUnsupported = map[string]bool{
	"async-generator": false,
	"for-await":       false,
	"using":           false,
	"decorators":      false,
	"dynamic-import":  false,
}

func loaderFor(path string) api.Loader {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ts", ".mts", ".cts":
		return api.LoaderTS
	case ".tsx":
		return api.LoaderTSX
	case ".jsx":
		return api.LoaderJSX
	default:
		return api.LoaderJS
	}
}

// transform returns CommonJS code for src, or the problems that stop it from loading.
// Warnings come back alongside code.
func (t *transformer) transform(path string, src []byte) (string, []diag.Diagnostic) {
	sum := sha256.Sum256(src)
	key := path + "\x00" + string(sum[:])
	t.mu.Lock()
	if r, ok := t.cache[key]; ok {
		t.mu.Unlock()
		return r.code, r.problems
	}
	t.mu.Unlock()

	res := api.Transform(string(src), api.TransformOptions{
		Loader:         loaderFor(path),
		Format:         api.FormatCommonJS,
		Target:         api.ESNext,
		Platform:       api.PlatformNeutral,
		Sourcemap:      api.SourceMapInline,
		SourcesContent: api.SourcesContentExclude,
		Sourcefile:     path,
		Supported:      gojaUnsupported,
		TsconfigRaw:    t.tsconfig,
		LogLevel:       api.LogLevelSilent,
		Charset:        api.CharsetUTF8,
	})
	var problems []diag.Diagnostic
	for _, m := range res.Errors {
		problems = append(problems, esbuildDiagnostic(path, m, diag.Error))
	}
	for _, m := range res.Warnings {
		problems = append(problems, esbuildDiagnostic(path, m, diag.Warning))
	}
	code := ""
	if len(res.Errors) == 0 {
		code = string(res.Code)
	}
	t.mu.Lock()
	// The cache keeps one entry per path: older versions of a file are never asked for again.
	for k := range t.cache {
		if strings.HasPrefix(k, path+"\x00") {
			delete(t.cache, k)
		}
	}
	t.cache[key] = transformResult{code: code, problems: problems}
	t.mu.Unlock()
	return code, problems
}

func (t *transformer) forget(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.cache {
		if strings.HasPrefix(k, path+"\x00") {
			delete(t.cache, k)
		}
	}
}

func esbuildDiagnostic(path string, m api.Message, sev diag.Severity) diag.Diagnostic {
	d := diag.Diagnostic{File: path, Severity: sev, Code: classifyEsbuild(m.Text), Message: m.Text}
	if sev == diag.Warning {
		d.Code = diag.CodeConvention
	}
	if loc := m.Location; loc != nil {
		if loc.File != "" {
			d.File = loc.File
		}
		d.Line = loc.Line
		d.Column = diag.UTF16Column(loc.LineText, loc.Column)
		d.EndLine = loc.Line
		d.EndColumn = diag.UTF16Column(loc.LineText, loc.Column+max(loc.Length, 1))
		d.LineText = loc.LineText
	}
	for _, n := range m.Notes {
		if n.Text != "" {
			d.Message += "\n" + n.Text
		}
	}
	return d
}

func classifyEsbuild(text string) string {
	lower := strings.ToLower(text)
	switch {
	case strings.Contains(lower, "top-level await"), strings.Contains(lower, "not supported"),
		strings.Contains(lower, "is not available in the configured target"):
		return diag.CodeUnsupported
	case strings.Contains(lower, "typescript"), strings.Contains(lower, "type annotation"),
		strings.Contains(lower, "type parameter"), strings.Contains(lower, "enum"),
		strings.Contains(lower, "\"declare\""), strings.Contains(lower, "abstract"):
		return diag.CodeType
	default:
		return diag.CodeSyntax
	}
}
