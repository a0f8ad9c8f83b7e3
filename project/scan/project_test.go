package scan

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Project lists the resource files folder by folder, each in lexical order, with their kinds;
// it enters neither hidden folders, node_modules nor links to folders, and lists links to files.
func TestProject(t *testing.T) {
	root := t.TempDir()
	files := []string{
		"src/api/store/hello/route.ts",
		"src/api/middlewares.ts",
		"src/api/store/hello/validators.ts",
		"src/api/.hidden/route.ts",
		"src/subscribers/b.ts",
		"src/subscribers/a.ts",
		"src/subscribers/_lib/helper.ts",
		"src/subscribers/node_modules/x.ts",
		"src/jobs/sync.ts",
		"src/workflows/checkout/index.ts",
		"src/workflows/steps/step.ts",
		"src/modules/brand/index.ts",
		"src/modules/brand/service.ts",
		"src/links/product-brand.ts",
		"src/lib/util.ts",
		"elsewhere/x.ts",
	}
	for _, rel := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("export default 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link to a file is listed; a link to a folder is not entered.
	if err := os.Symlink(filepath.Join(root, "elsewhere", "x.ts"), filepath.Join(root, "src", "jobs", "linked.ts")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(root, "src", "jobs", "dir")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Project(root) {
		if f.Path != filepath.Join(root, filepath.FromSlash(f.Rel)) {
			t.Errorf("%s: path %s", f.Rel, f.Path)
		}
		got = append(got, string(f.Kind)+" "+f.Rel)
	}
	want := []string{
		"middlewares src/api/middlewares.ts",
		"route src/api/store/hello/route.ts",
		"subscriber src/subscribers/_lib/helper.ts",
		"subscriber src/subscribers/a.ts",
		"subscriber src/subscribers/b.ts",
		"job src/jobs/linked.ts",
		"job src/jobs/sync.ts",
		"workflow src/workflows/checkout/index.ts",
		"workflow src/workflows/steps/step.ts",
		"module src/modules/brand/index.ts",
		"link src/links/product-brand.ts",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q,\nwant %q", got, want)
	}
	if src, err := Project(root)[5].Read(); err != nil || string(src) != "export default 1\n" {
		t.Fatalf("reading a linked file: %q, %v", src, err)
	}
}
