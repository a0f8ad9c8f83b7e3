package lsp

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Workflows are workspace symbols wherever they are defined under src/workflows, index files
// included.
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
	walkResources(root, func(path, kind string, src []byte) {
		if kind == "workflow" {
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
