package devserver

import (
	"strconv"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver/host"
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
		{action: host.ActionChange, file: "/p/src/jobs/j.ts", kind: "jobs"},
		{action: host.ActionChange, file: "/p/src/api/a/route.ts", kind: "routes"},
		{action: host.ActionChange, file: "/p/src/api/b/route.ts", kind: "routes"},
		{action: host.ActionChange, file: "/p/src/modules/m/service.ts", kind: "modules"},
		{action: host.ActionChange, file: "/p/src/workflows/w.ts", kind: "workflows"},
		{action: host.ActionUnlink, file: "/p/src/workflows/w.ts", kind: "workflows"},
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
