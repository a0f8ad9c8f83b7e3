package lsp

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/project/scan"
	"go.lsp.dev/protocol"
)

// Workflows are workspace symbols wherever Medusa's workflow loader finds them under
// src/workflows, index files included.
func TestWorkflowFilesAreWalked(t *testing.T) {
	wf := func(name string) string {
		return "import { createWorkflow } from \"@medusajs/framework/workflows-sdk\"\nexport default createWorkflow(\"" + name + "\", () => {})\n"
	}
	tests := []struct {
		rel, src string
		want     string // the workflow found, "" for none
	}{
		{"src/workflows/hello.ts", wf("hello"), "hello"},
		{"src/workflows/index.ts", wf("top-index"), "top-index"},
		{"src/workflows/checkout/index.ts", wf("checkout"), "checkout"},
		{"src/workflows/orders/index.js", wf("orders-js"), "orders-js"},
		{"src/workflows/__tests__/index.ts", wf("in-tests"), ""},
		{"src/workflows/checkout/index.spec.ts", wf("a-spec"), ""},
		{"src/workflows/types.d.ts", wf("declared"), ""},
		// Medusa's resource filter: folders starting with "_" are read, names starting with "_"
		// and other extensions are not.
		{"src/workflows/_shared/flow.ts", wf("in-underscore-folder"), "in-underscore-folder"},
		{"src/workflows/_private.ts", wf("underscore-name"), ""},
		{"src/workflows/module.mts", wf("mts"), ""},
	}
	root := t.TempDir()
	var want []string
	for _, tc := range tests {
		p := filepath.Join(root, filepath.FromSlash(tc.rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		if tc.want != "" {
			want = append(want, tc.want)
		}
	}
	var got []string
	walkResources(root, func(f scan.File, src []byte) {
		if f.Kind == scan.Workflow {
			for _, w := range named(src, createWorkflowRe) {
				got = append(got, w.name)
			}
		}
	})
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("workflows %v, want %v", got, want)
	}
}

// medusa-config's module paths are checked in the editor, and again when the config is saved.
func TestConfigModulePathsInTheEditor(t *testing.T) {
	cfg := func(resolve string) string {
		return "module.exports = {\n  projectConfig: { http: {} },\n  modules: [{ resolve: \"" + resolve + "\" }],\n}\n"
	}
	root := newProject(t, "store", map[string]string{
		"medusa-config.ts":          cfg("./src/modules/missing"),
		"src/modules/ok/index.ts":   "export default { service: class {} }\n",
		"src/modules/ok/service.ts": "export default class {}\n",
		"src/api/hello/route.ts":    "export const GET = (req: any, res: any) => res.json({})\n",
	})
	c := newClient(t)
	c.start(root, nil, protocol.ClientCapabilities{})
	config := filepath.Join(root, "medusa-config.ts")
	ds := c.waitDiagnostics(config, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if d := ds[0]; d.Code != "config-error" || d.Range.Start.Line != 2 || d.Range.Start.Character != 24 || !strings.Contains(d.Message, "./src/modules/missing") {
		t.Fatalf("%+v", ds)
	}
	c.save(config, cfg("./src/modules/ok"))
	c.waitDiagnostics(config, func(ds []protocol.Diagnostic) bool {
		for _, d := range ds {
			if d.Code == "config-error" && strings.Contains(d.Message, "cannot find") {
				return false
			}
		}
		return true
	})
}
