//go:build unix

package devserver_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
)

// check on a real project loads its files in Node with its own Medusa: data models, core-flow
// imports and providers load (the embedded runtime cannot run them), and a file that throws
// while loading is reported at its line.
func TestCheckRealProjectInNode(t *testing.T) {
	clean := medusafixture.ForTest(t, nil)
	report, err := devserver.Check(context.Background(), clean, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if n := report.Errors(); n != 0 {
		t.Fatalf("%d errors on the fixture: %+v", n, report.Diagnostics)
	}
	for _, d := range report.Diagnostics {
		if strings.Contains(d.Message, "not listed") || d.Code == "unsupported" {
			t.Fatalf("false problem: %+v", d)
		}
	}
	if len(report.Resources) == 0 {
		t.Fatal("no resources")
	}

	broken := medusafixture.ForTest(t, map[string]string{
		"src/workflows/steps/broken.ts": "import { createStep } from \"@medusajs/framework/workflows-sdk\"\n\nconst limit = Number(\"x\")\nif (Number.isNaN(limit)) throw new Error(\"broken step config\")\nexport const s = createStep(\"broken\", async () => {})\n",
		// a missing import: on the import, without Node's require stack (check's own loader)
		"src/api/nope/route.ts": "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\nimport { x } from \"../../lib/nope\"\n\nexport async function GET(req: MedusaRequest, res: MedusaResponse) {\n  res.json({ x })\n}\n",
	})
	report, err = devserver.Check(context.Background(), broken, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	found, missing := false, false
	for _, d := range report.Diagnostics {
		if d.File == filepath.ToSlash("src/workflows/steps/broken.ts") && d.Line == 4 && strings.Contains(d.Message, "broken step config") {
			found = true
		}
		if d.File == filepath.ToSlash("src/api/nope/route.ts") && d.Line == 2 && d.Column == 19 &&
			d.Message == "Cannot find module '../../lib/nope' imported from src/api/nope/route.ts" {
			missing = true
		}
	}
	if !found || !missing || report.Errors() != 2 {
		t.Fatalf("want an error at src/workflows/steps/broken.ts:4 and one at src/api/nope/route.ts:2:19; got %+v", report.Diagnostics)
	}

	// A medusa-config that cannot load stops Medusa before anything else: an error on its line.
	cfg, err := os.ReadFile(filepath.Join(clean, "medusa-config.ts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, from, to string }{
		{"syntax error", "admin: {", "admin: {{"},
		{"throw", "module.exports = defineConfig({", "throw new Error(\"config boom\")\nmodule.exports = defineConfig({"},
	} {
		if !strings.Contains(string(cfg), tt.from) {
			t.Fatalf("medusa-config.ts lacks %q", tt.from)
		}
		src := strings.Replace(string(cfg), tt.from, tt.to, 1)
		line := 1 + strings.Count(src[:strings.Index(src, tt.to)], "\n")
		root := medusafixture.ForTest(t, map[string]string{"medusa-config.ts": src})
		report, err := devserver.Check(context.Background(), root, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, d := range report.Diagnostics {
			if d.File == "medusa-config.ts" && d.Severity == "error" && (d.Line == line || d.Line == line+1) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s in medusa-config.ts (line %d): no error there; got %+v", tt.name, line, report.Diagnostics)
		}
	}
}

// check --types adds the project's own tsc errors to what loading found, and a file that does
// not parse is reported once, by the loader, not again by tsc.
func TestCheckTypes(t *testing.T) {
	root := medusafixture.ForTest(t, map[string]string{
		"src/api/store/typed/route.ts":    "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\n\nexport async function GET(req: MedusaRequest, res: MedusaResponse) {\n  const n: number = req.params.id\n  res.json({ n })\n}\n",
		"src/api/store/unparsed/route.ts": "export async function GET(req, res) {\n  res.json({ ok: true )\n}\n",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	report, err := devserver.CheckProject(ctx, root, devserver.CheckOptions{Types: true, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range report.Diagnostics {
		if d.Severity == "error" || d.Code == "types" {
			got = append(got, d.File+":"+strconv.Itoa(d.Line)+":"+d.Code)
		}
	}
	// tsc checks no types while a file does not parse: the syntax error, once, and a note.
	want := []string{"src/api/store/unparsed/route.ts:2:syntax-error", "tsconfig.json:1:types"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("errors %v, want %v; all: %+v", got, want, report.Diagnostics)
	}

	// On the character, as develop's pre-check (esbuild) places it, not at the start of swc's
	// code frame.
	for _, d := range report.Diagnostics {
		if d.Code == "syntax-error" && d.Column != 23 {
			t.Fatalf("syntax error at column %d, want 23 (the \")\"): %+v", d.Column, d)
		}
	}

	// Once it parses, the type error.
	os.WriteFile(filepath.Join(root, "src/api/store/unparsed/route.ts"), []byte("export async function GET(req, res) {\n  res.json({ ok: true })\n}\n"), 0o644)
	report, err = devserver.CheckProject(ctx, root, devserver.CheckOptions{Types: true, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, d := range report.Diagnostics {
		if d.Severity == "error" {
			got = append(got, d.File+":"+strconv.Itoa(d.Line)+":"+d.Code)
		}
	}
	if want := []string{"src/api/store/typed/route.ts:4:ts2322"}; !slices.Equal(got, want) {
		t.Fatalf("errors %v, want %v; all: %+v", got, want, report.Diagnostics)
	}
}

// In a monorepo, workspaces hoist the project's packages to the workspace root: Medusa is found
// there as Node finds it, and the project is loaded in Node with it (not in the embedded
// runtime, which cannot run its data models).
func TestCheckHoistedWorkspace(t *testing.T) {
	app := medusafixture.ForTest(t, nil)
	workspace := t.TempDir()
	backend := filepath.Join(workspace, "apps", "backend")
	if err := os.MkdirAll(filepath.Dir(backend), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(app, backend); err != nil {
		t.Fatal(err)
	}
	// node_modules moves up a level, as npm install in the workspace root leaves it.
	modules, err := os.Readlink(filepath.Join(backend, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(backend, "node_modules"))
	if err := os.Symlink(modules, filepath.Join(workspace, "node_modules")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(workspace, "package.json"), []byte(`{"name":"shop","private":true,"workspaces":["apps/*"]}`), 0o644)

	if !devserver.UseNodeRuntime(backend) {
		t.Fatal("Medusa hoisted to the workspace root was not found")
	}
	report, err := devserver.Check(context.Background(), backend, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if n := report.Errors(); n != 0 || len(report.Resources) < 10 {
		t.Fatalf("%d errors, %d resources: %+v", n, len(report.Resources), report.Diagnostics)
	}
}
