package nodemodules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("{}"), 0o644)
	}
	// A workspace: @medusajs/medusa hoisted to the root, zod in the app's own node_modules, and
	// an empty folder (a failed install) that must not count.
	write("node_modules/@medusajs/medusa/package.json")
	write("node_modules/@medusajs/cli/cli.js")
	write("node_modules/@medusajs/cli/package.json")
	write("apps/backend/node_modules/zod/package.json")
	os.MkdirAll(filepath.Join(root, "apps/backend/node_modules/typescript"), 0o755)
	app := filepath.Join(root, "apps", "backend")
	os.MkdirAll(filepath.Join(app, "src"), 0o755)

	tests := []struct {
		from, name, want string
	}{
		{app, "@medusajs/medusa", "node_modules/@medusajs/medusa"},
		{filepath.Join(app, "src"), "@medusajs/medusa", "node_modules/@medusajs/medusa"},
		{app, "zod", "apps/backend/node_modules/zod"},
		{root, "zod", ""},
		{app, "typescript", ""},
		{app, "missing", ""},
	}
	for _, tc := range tests {
		got, ok := Find(tc.from, tc.name)
		want := ""
		if tc.want != "" {
			want = filepath.Join(root, filepath.FromSlash(tc.want))
		}
		if got != want || ok != (tc.want != "") {
			t.Errorf("Find(%s, %q) = %q, %v; want %q", tc.from, tc.name, got, ok, want)
		}
	}
	if p, ok := File(app, "@medusajs/cli", "cli.js"); !ok || p != filepath.Join(root, "node_modules/@medusajs/cli/cli.js") {
		t.Errorf("File cli.js = %q, %v", p, ok)
	}
	if _, ok := File(app, "@medusajs/medusa", "cli.js"); ok {
		t.Error("File found a file that is not there")
	}
}
