package jsvm

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/medusa-ls/medusa-ls/diag"
)

// compiled is a file ready to evaluate: a goja program (shareable, runtime-independent) that
// evaluates to the CommonJS wrapper function.
type compiled struct {
	hash     [32]byte
	program  *goja.Program
	warnings []diag.Diagnostic
	err      error // the file does not compile
}

// compiler owns the transform and compile caches. It is safe for concurrent use, so a batch of
// files can be compiled in parallel off the loop.
type compiler struct {
	tr *transformer

	mu    sync.Mutex
	progs map[string]*compiled
}

func newCompiler(tsconfigRaw string, disk *diskCache) *compiler {
	return &compiler{tr: newTransformer(tsconfigRaw, disk), progs: make(map[string]*compiled)}
}

// The wrapper keeps the code on the wrapper's first line, so every line number is unchanged
// and goja's inline source-map lookup keeps working (the parser skips the trailing "})" line).
const (
	wrapperHead = "(function (exports, require, module, __filename, __dirname) {"
	wrapperTail = "\n})"
)

// compile returns the program for path with content src, from cache when the content is the
// same as last time. The error is a *LoadError carrying diagnostics.
func (c *compiler) compile(path string, src []byte) (*compiled, error) {
	sum := sha256.Sum256(src)
	c.mu.Lock()
	if p, ok := c.progs[path]; ok && p.hash == sum {
		c.mu.Unlock()
		if p.err != nil {
			return nil, p.err
		}
		return p, nil
	}
	c.mu.Unlock()
	p, err := c.build(path, src, sum)
	if err != nil {
		p = &compiled{hash: sum, err: err}
	}
	c.mu.Lock()
	c.progs[path] = p
	c.mu.Unlock()
	return p, err
}

func (c *compiler) build(path string, src []byte, sum [32]byte) (*compiled, error) {

	code, problems := c.tr.transform(path, src)
	var errs, warns []diag.Diagnostic
	for _, p := range problems {
		if p.Severity == diag.Error {
			errs = append(errs, p)
		} else {
			warns = append(warns, p)
		}
	}
	if len(errs) > 0 {
		return nil, &LoadError{Diagnostics: errs}
	}
	ast, err := goja.Parse(path, wrapperHead+code+wrapperTail, parser.WithSourceMapLoader(denySourceMapFiles))
	if err != nil {
		return nil, &LoadError{Diagnostics: []diag.Diagnostic{gojaParseDiagnostic(path, err)}}
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, &LoadError{Diagnostics: []diag.Diagnostic{gojaParseDiagnostic(path, err)}}
	}
	return &compiled{hash: sum, program: prg, warnings: warns}, nil
}

func (c *compiler) forget(path string) {
	c.mu.Lock()
	delete(c.progs, path)
	c.mu.Unlock()
}

// Inline maps are data: URLs and need no loader; refusing every other URL keeps a crafted
// sourceMappingURL from making the parser read arbitrary files.
func denySourceMapFiles(path string) ([]byte, error) {
	return nil, fmt.Errorf("external source maps are not loaded: %s", path)
}

var gojaPosRe = regexp.MustCompile(`(?:Line |:)(\d+):(\d+)`)

// gojaParseDiagnostic turns a goja compile error into a diagnostic. esbuild has already accepted
// the syntax, so this means the engine lacks a feature (e.g. a RegExp flag); say so.
func gojaParseDiagnostic(path string, err error) diag.Diagnostic {
	d := diag.Diagnostic{File: path, Severity: diag.Error, Code: diag.CodeUnsupported,
		Message: "the embedded runtime cannot run this file: " + err.Error()}
	var ce *goja.CompilerSyntaxError
	if errors.As(err, &ce) {
		d.Message = "the embedded runtime cannot run this file: " + ce.Message
		if ce.File != nil {
			pos := ce.File.Position(ce.Offset)
			d.Line, d.Column = pos.Line, pos.Column
		}
		return d
	}
	if m := gojaPosRe.FindStringSubmatch(err.Error()); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		d.Column, _ = strconv.Atoi(m[2])
	}
	return d
}

// LoadError is a failure to load a file, with the diagnostics that explain it.
type LoadError struct {
	Diagnostics []diag.Diagnostic
}

func (e *LoadError) Error() string {
	if len(e.Diagnostics) == 0 {
		return "load failed"
	}
	return e.Diagnostics[0].String()
}
