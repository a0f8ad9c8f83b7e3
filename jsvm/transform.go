package jsvm

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/medusa-ls/medusa-ls/diag"
)

// transformer turns TypeScript and modern JavaScript into CommonJS that goja runs, with an
// inline source map so that every error points into the original file. The compiler caches
// its output by content hash, so an unchanged file is never transformed twice.
type transformer struct {
	tsconfig string // raw tsconfig.json; Transform never reads it by itself
	disk     *diskCache
}

func newTransformer(tsconfigRaw string, disk *diskCache) *transformer {
	return &transformer{tsconfig: tsconfigRaw, disk: disk}
}

// goja lacks these syntax features (as of goja 2026-09); esbuild lowers them to what it runs.
var gojaUnsupported = map[string]bool{
	"async-generator": false,
	"for-await":       false,
	"using":           false,
	"decorators":      false,
	"dynamic-import":  false,
	// goja's RegExp never matches \p{…}: esbuild moves such literals into a RegExp
	// constructor call, which the prelude refuses with a clear error.
	"regexp-unicode-property-escapes": false,
}

func loaderFor(path string) api.Loader {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ts", ".mts", ".cts":
		return api.LoaderTS
	case ".tsx":
		return api.LoaderTSX
	case ".jsx":
		return api.LoaderJSX
	case ".json":
		return api.LoaderJSON
	default:
		return api.LoaderJS
	}
}

// transform returns CommonJS code for src, or the problems that stop it from loading.
// Warnings come back alongside code.
func (t *transformer) transform(path string, src []byte) (string, []diag.Diagnostic) {
	// Without the byte-order mark, which editors do not show: esbuild would count it in the
	// first line's columns and source map.
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	var key string
	if t.disk != nil {
		key = t.disk.key(t.tsconfig, path, src)
		if e, ok := t.disk.get(key); ok {
			t.disk.touch(key)
			return e.Code, e.Warnings
		}
	}
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
	if len(res.Errors) > 0 {
		return "", problems
	}
	if t.disk != nil {
		t.disk.put(key, cacheEntry{Code: string(res.Code), Warnings: problems})
	}
	return string(res.Code), problems
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

// CheckSyntax transforms src with esbuild, as the runtime would, and returns the problems that
// would stop it from loading. It runs no code: the node runtime uses it to keep a file with a
// syntax error away from Medusa's child, which cannot survive one.
func CheckSyntax(path string, src []byte, tsconfigRaw string) []diag.Diagnostic {
	// JSON with comments that TypeScript reads, not code: nothing loads it as a module.
	if base := strings.ToLower(filepath.Base(path)); strings.HasSuffix(base, ".json") &&
		(strings.HasPrefix(base, "tsconfig") || strings.HasPrefix(base, "jsconfig")) {
		return nil
	}
	_, problems := newTransformer(tsconfigRaw, nil).transform(path, src)
	var errs []diag.Diagnostic
	for _, p := range problems {
		if p.Severity == diag.Error {
			errs = append(errs, p)
		}
	}
	return errs
}
