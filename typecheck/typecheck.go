// Package typecheck runs the project's own TypeScript compiler (`tsc --noEmit`) and returns its
// errors as diagnostics: what `medusa-ls check --types` adds to loading every resource. The
// runtimes strip types without checking them (esbuild, as Medusa's own ts-node/swc does), so
// this is the only place types are checked, with the project's TypeScript and tsconfig.json.
package typecheck

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/nodemodules"
)

// ErrNoTypeScript means the project (or a folder above it, as npm workspaces hoist packages)
// has no typescript package installed.
var ErrNoTypeScript = errors.New("TypeScript is not installed in this project (npm install --save-dev typescript)")

// Compiler finds the tsc of the project at root: typescript/bin/tsc in the nearest
// node_modules that has TypeScript, as Node resolves packages (nodemodules.Find). It returns
// ErrNoTypeScript when there is none.
func Compiler(root string) (string, error) {
	if tsc, ok := nodemodules.File(root, "typescript", "bin/tsc"); ok {
		return tsc, nil
	}
	return "", ErrNoTypeScript
}

// Run type-checks the project at root with its tsc and tsconfig.json, run by node (a path, or
// "" for the node on PATH), and returns one diagnostic per TypeScript error, with code "tsNNNN"
// (TypeScript's error number, as editors show it) at the line and UTF-16 column tsc reports.
// It returns an error when tsc cannot run or fails without reporting errors: no TypeScript
// (ErrNoTypeScript), no tsconfig.json, no node, or ctx done.
func Run(ctx context.Context, root, node string) ([]diag.Diagnostic, error) {
	tsc, err := Compiler(root)
	if err != nil {
		return nil, err
	}
	config := filepath.Join(root, "tsconfig.json")
	if _, err := os.Stat(config); err != nil {
		return nil, fmt.Errorf("type check: no tsconfig.json in %s", root)
	}
	if node == "" {
		node = "node"
	}
	cmd := exec.CommandContext(ctx, node, tsc, "--noEmit", "--pretty", "false", "-p", config)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("type check: %w", ctx.Err())
	}
	ds := Parse(root, out.String())
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return ds, nil
	case errors.As(runErr, &exit) && len(ds) > 0:
		return ds, nil // tsc exits 1 or 2 when it reports errors
	default:
		return nil, fmt.Errorf("type check: %s %s: %v\n%s", node, tsc, runErr, strings.TrimSpace(out.String()))
	}
}

// line is tsc's `--pretty false` form: `file(line,col): error TS2322: message`; a message's
// chain continues on the following lines, indented. A problem with no file (a bad option in
// tsconfig.json) is `error TS5023: message`.
var (
	located = regexp.MustCompile(`^(.+)\((\d+),(\d+)\): (error|warning|message) TS(\d+): (.*)$`)
	global  = regexp.MustCompile(`^(error|warning|message) TS(\d+): (.*)$`)
)

// Parse reads tsc's `--pretty false` output (paths relative to root) into diagnostics.
func Parse(root, output string) []diag.Diagnostic {
	var ds []diag.Diagnostic
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		text := strings.TrimRight(sc.Text(), "\r")
		if m := located.FindStringSubmatch(text); m != nil {
			line, _ := strconv.Atoi(m[2])
			col, _ := strconv.Atoi(m[3])
			file := m[1]
			if !filepath.IsAbs(file) {
				file = filepath.Join(root, filepath.FromSlash(file))
			}
			ds = append(ds, diag.Diagnostic{
				File: file, Line: line, Column: col, EndLine: line, EndColumn: col,
				Severity: severity(m[4]), Code: "ts" + m[5], Message: m[6],
			})
			continue
		}
		if m := global.FindStringSubmatch(text); m != nil {
			ds = append(ds, diag.Diagnostic{
				File: filepath.Join(root, "tsconfig.json"), Severity: severity(m[1]), Code: "ts" + m[2], Message: m[3],
			})
			continue
		}
		if strings.HasPrefix(text, " ") && len(ds) > 0 {
			ds[len(ds)-1].Message += "\n" + strings.TrimSpace(text)
		}
	}
	return ds
}

func severity(s string) diag.Severity {
	switch s {
	case "warning":
		return diag.Warning
	case "message":
		return diag.Info
	}
	return diag.Error
}
