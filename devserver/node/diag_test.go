package node

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
)

func TestLogDiagnostics(t *testing.T) {
	const root = "/home/me/shop"
	tests := []struct {
		name     string
		log      ipc.Envelope
		fallback string
		want     string // "file:line:col severity message [code]", "" for none
	}{
		{"first project frame of the stack",
			ipc.Envelope{Level: "error", Message: "[HMR] Reload failed with unexpected error", Exception: &ipc.Exception{Name: "TypeError", Message: "x is not a function",
				Stack: "TypeError: x is not a function\n    at helper (/home/me/shop/node_modules/lib/index.js:1:1)\n    at GET (/home/me/shop/src/api/a/route.ts:7:12)\n    at next (/home/me/shop/src/api/b/route.ts:1:1)"}},
			"", "/home/me/shop/src/api/a/route.ts:7:12 error TypeError: x is not a function [load-error]"},
		{"swc code frame",
			ipc.Envelope{Level: "error", Exception: &ipc.Exception{Message: "  x Expected ',', got '<eof>'\n   ╭─[/home/me/shop/src/api/a/route.ts:2:1]\n 2 │ res.json({", Stack: "Error: \n    at Compiler.transformSync (/home/me/shop/node_modules/@swc/core/index.js:241:29)"}},
			"", "/home/me/shop/src/api/a/route.ts:2:1 error Expected ',', got '<eof>' [syntax-error]"},
		{"a path in the text, relative in the message",
			ipc.Envelope{Level: "error", Message: "[HMR] Failed to register subscriber from /home/me/shop/src/subscribers/s.ts: Error: boom"},
			"", "/home/me/shop/src/subscribers/s.ts:1:1 error Failed to register subscriber from src/subscribers/s.ts: Error: boom [load-error]"},
		{"a warning that names a file",
			ipc.Envelope{Level: "warn", Message: "The subscriber in /home/me/shop/src/subscribers/s.ts is missing a config. skipped."},
			"", "/home/me/shop/src/subscribers/s.ts:1:1 warning The subscriber in src/subscribers/s.ts is missing a config. skipped. [convention]"},
		{"a warning that names no file is not a diagnostic",
			ipc.Envelope{Level: "warn", Message: "Local Event Bus installed. This is not recommended for production."}, "", ""},
		{"an error with nothing to place goes to the fallback",
			ipc.Envelope{Level: "error", Message: "\x1b[31mWorkflowManager not available\x1b[39m"},
			"/home/me/shop/src/workflows/w.ts", "/home/me/shop/src/workflows/w.ts:1:1 error WorkflowManager not available [load-error]"},
		{"paths outside the project are not places",
			ipc.Envelope{Level: "error", Exception: &ipc.Exception{Message: "nope", Stack: "Error: nope\n    at x (/usr/lib/node/a.js:1:1)"}},
			"", ":0:0 error nope [load-error]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := logDiagnostics(root, tt.log, tt.fallback, diag.CodeLoad)
			got := ""
			if len(ds) > 0 {
				d := ds[0]
				got = d.File + ":" + strconv.Itoa(d.Line) + ":" + strconv.Itoa(d.Column) + " " + string(d.Severity) + " " + d.Message + " [" + d.Code + "]"
			}
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPlanTargets(t *testing.T) {
	in := []target{
		{action: ipc.ActionChange, file: "/p/src/jobs/j.ts", kind: "jobs"},
		{action: ipc.ActionChange, file: "/p/src/api/a/route.ts", kind: "routes"},
		{action: ipc.ActionChange, file: "/p/src/api/b/route.ts", kind: "routes"},
		{action: ipc.ActionChange, file: "/p/src/modules/m/service.ts", kind: "modules"},
		{action: ipc.ActionChange, file: "/p/src/workflows/w.ts", kind: "workflows"},
		{action: ipc.ActionUnlink, file: "/p/src/workflows/w.ts", kind: "workflows"},
	}
	var got []string
	for _, t := range planTargets(in) {
		got = append(got, string(t.action)+" "+t.file)
	}
	want := []string{
		"change /p/src/modules/m/service.ts",
		"unlink /p/src/workflows/w.ts",
		"change /p/src/api/a/route.ts",
		"change /p/src/jobs/j.ts",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A module Node cannot find is placed on the import that names it, in the project file that
// imports it, with a message cut to what helps, whichever loader required it.
func TestModuleNotFoundPlacesTheImport(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"src/api/nope/route.ts":  "import type { MedusaRequest } from \"@medusajs/framework/http\"\nimport { x } from \"../../lib/nope\"\n\nexport async function GET() {}\n",
		"src/api/middlewares.ts": "// see \"./lib/nope\" below\nimport {\n  a,\n} from \"x\"\nconst m = require('./lib/nope')\n",
		"src/lib/é.ts":           "const s = \"é\"; import(`./gone`)\n",
	}
	for rel, src := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	tests := []struct {
		name string
		exc  ipc.Exception
		want string // "rel:line:col message"
	}{
		{"require, from a route (node develop)",
			ipc.Exception{Name: "Error", Code: "MODULE_NOT_FOUND", Message: "Cannot find module '../../lib/nope'\nRequire stack:\n- " + abs("src/api/nope/route.ts") + "\n- " + root + "/node_modules/@medusajs/framework/dist/http/router.js\n- /home/me/.cache/medusa-ls/node-helper-1.js",
				Stack: "Error: Cannot find module '../../lib/nope'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n    at Object.<anonymous> (" + abs("src/api/nope/route.ts") + ":11:15)"},
			"src/api/nope/route.ts:2:19 Cannot find module '../../lib/nope' imported from src/api/nope/route.ts"},
		{"require with single quotes, a mention in a comment is not the import",
			ipc.Exception{Message: "Cannot find module './lib/nope'\nRequire stack:\n- " + abs("src/api/middlewares.ts") + "\n- /tmp/medusa-ls-check-1/check.js"},
			"src/api/middlewares.ts:5:19 Cannot find module './lib/nope' imported from src/api/middlewares.ts"},
		{"ESM form, UTF-16 column",
			ipc.Exception{Code: "ERR_MODULE_NOT_FOUND", Message: "Cannot find module '" + root + "/src/lib/gone' imported from " + abs("src/lib/é.ts")},
			"src/lib/é.ts:1:1 Cannot find module '" + root + "/src/lib/gone' imported from src/lib/é.ts"},
		{"dynamic import with a template literal",
			ipc.Exception{Message: "Cannot find module './gone'\nRequire stack:\n- " + abs("src/lib/é.ts")},
			"src/lib/é.ts:1:23 Cannot find module './gone' imported from src/lib/é.ts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := logDiagnostics(root, ipc.Envelope{Level: "error", Exception: &tt.exc}, "", diag.CodeLoad)
			if len(ds) != 1 {
				t.Fatalf("%+v", ds)
			}
			d := ds[0]
			got := diag.RelPath(root, d.File) + ":" + strconv.Itoa(d.Line) + ":" + strconv.Itoa(d.Column) + " " + d.Message
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	// an importer outside the project (a package missing its own dependency) is not placed here
	ds := logDiagnostics(root, ipc.Envelope{Level: "error", Exception: &ipc.Exception{Message: "Cannot find module 'left-pad'\nRequire stack:\n- " + root + "/node_modules/x/index.js\n- " + abs("src/api/nope/route.ts"),
		Stack: "Error: x\n    at Object.<anonymous> (" + abs("src/api/nope/route.ts") + ":2:1)"}}, "", diag.CodeLoad)
	if len(ds) != 1 || diag.RelPath(root, ds[0].File) != "src/api/nope/route.ts" || ds[0].Line != 2 {
		t.Fatalf("%+v", ds)
	}
}
