package node

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

//go:embed js/node-check.js
var nodeCheckJS []byte

// Check loads every resource file of a project that has Medusa installed in Node, as
// Medusa's loaders require them (ts-node with the project's tsconfig), without a database and
// without serving. It returns the load errors at the line that raised them, the static lint, and
// the resources found. Errors: node or the project's packages missing, node killed after timeout.
func Check(ctx context.Context, root, nodeBin string, timeout time.Duration) ([]diag.Diagnostic, []reloaders.Resource, error) {
	if nodeBin == "" {
		nodeBin = "node"
	}
	bin, err := exec.LookPath(nodeBin)
	if err != nil {
		return nil, nil, fmt.Errorf("check runs the project's files in Node.js, but %q was not found (install Node.js, or use --runtime embedded): %w", nodeBin, err)
	}
	dir, err := os.MkdirTemp("", "medusa-ls-check-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "check.js")
	list := filepath.Join(dir, "files.json")
	out := filepath.Join(dir, "result.json")
	files := resourceFiles(root)
	b, _ := json.Marshal(files)
	if err := os.WriteFile(script, nodeCheckJS, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(list, b, 0o600); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, max(timeout, 2*time.Minute))
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, script, out, list)
	cmd.Dir = root
	env, _ := project.Environment(root, dotenv.Environ(os.Environ()))
	if env["NODE_ENV"] == "" {
		env["NODE_ENV"] = "development"
	}
	delete(env, "RUST_BACKTRACE")
	cmd.Env = dotenv.Lines(env)
	output, runErr := cmd.CombinedOutput()
	raw, err := os.ReadFile(out)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the project in Node failed (%v):%s", runErr, child.IndentTail(string(output)))
	}
	var res struct {
		Loaded int `json:"loaded"`
		Errors []struct {
			File  string         `json:"file"`
			Error *ipc.Exception `json:"error"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, nil, fmt.Errorf("the check's answer: %w", err)
	}
	var ds []diag.Diagnostic
	for _, e := range res.Errors {
		if e.File == "" && e.Error != nil {
			return nil, nil, fmt.Errorf("%s", e.Error.Message)
		}
		ds = append(ds, logDiagnostics(root, ipc.Envelope{Level: "error", Exception: e.Error}, e.File, diag.CodeLoad)...)
	}
	return dedupe(exactSyntaxErrors(root, ds)), reloaders.StaticResources(root), nil
}

// exactSyntaxErrors replaces swc's syntax errors, placed at the start of its code frame, with
// esbuild's for the same file, placed on the character (as develop's pre-check places them).
func exactSyntaxErrors(root string, ds []diag.Diagnostic) []diag.Diagnostic {
	tsconfig, _ := os.ReadFile(filepath.Join(root, "tsconfig.json"))
	var out []diag.Diagnostic
	done := map[string]bool{}
	for _, d := range ds {
		if d.Code != diag.CodeSyntax || d.File == "" {
			out = append(out, d)
			continue
		}
		if done[d.File] {
			continue
		}
		src, err := os.ReadFile(d.File)
		if err != nil {
			out = append(out, d)
			continue
		}
		if exact := syntaxErrors(d.File, src, string(tsconfig)); len(exact) > 0 {
			out = append(out, exact...)
			done[d.File] = true
			continue
		}
		out = append(out, d)
	}
	return out
}

// resourceFiles lists the files Medusa's loaders require: API routes and middlewares,
// subscribers, jobs, workflows, module entry points and links.
func resourceFiles(root string) []string {
	var out []string
	for _, f := range scan.Project(root) {
		out = append(out, f.Path)
	}
	return out
}
