package report

import (
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

func TestReloadSaysWhatFailedAndWhatReloaded(t *testing.T) {
	a, b := "/p/src/api/a/route.ts", "/p/src/api/b/route.ts"
	broken := diag.Diagnostic{File: a, Line: 2, Column: 3, Severity: diag.Error, Code: diag.CodeSyntax, Message: "Expression expected"}
	for _, tt := range []struct {
		name string
		res  ipc.Result
		want []string
	}{
		{"success", ipc.Result{Success: true, Applied: true, Files: []string{a}, DurationMs: 2,
			Reloaded: []reloaders.Resource{{Kind: "route", Name: "GET /a"}}},
			[]string{"[HMR] reloaded src/api/a/route.ts (route GET /a) in 2.0 ms"}},
		{"all failed", ipc.Result{Files: []string{a}, DurationMs: 2, Errors: []diag.Diagnostic{broken}},
			[]string{"[HMR] reload of src/api/a/route.ts failed in 2.0 ms; still serving the previous code", "src/api/a/route.ts:2:3: error: Expression expected"}},
		{"one of two failed, the other reloaded (node runtime)", ipc.Result{Files: []string{a, b}, DurationMs: 2, Errors: []diag.Diagnostic{broken},
			Reloaded: []reloaders.Resource{{Kind: "route", Name: "GET /b"}}},
			[]string{"[HMR] reload of src/api/a/route.ts failed in 2.0 ms; still serving its previous code", "src/api/a/route.ts:2:3: error: Expression expected", "[HMR] reloaded src/api/b/route.ts (route GET /b)"}},
		// a link saved: Medusa restarts, which says whether it worked; nothing "reloaded" before
		{"restart", ipc.Result{Success: true, Applied: true, Restart: true, Files: []string{"/p/src/links/x.ts"}, DurationMs: 5,
			Note: "src/links/x.ts: links are read at boot; restarting Medusa"}, nil},
	} {
		got := strings.Join(Reload("[HMR]", "/p", tt.res), "\n")
		if tt.want == nil && got != "" {
			t.Errorf("%s: %s", tt.name, got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", tt.name, w, got)
			}
		}
		if tt.want != nil && tt.name != "success" && strings.Count(got, "[HMR] reload of") != 1 {
			t.Errorf("%s: %s", tt.name, got)
		}
	}
}
