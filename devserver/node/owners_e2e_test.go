//go:build unix

package node_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
)

// byIDRoute runs the workflow ?id= through Medusa's workflow engine, as a job or another workflow
// does: by id, whatever file defines it.
const byIDRoute = `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const engine: any = req.scope.resolve(Modules.WORKFLOW_ENGINE)
  try {
    const { result } = await engine.run(String(req.query.id), { input: { name: "x" } })
    res.json({ result })
  } catch (e: any) {
    res.status(404).json({ error: String(e && e.message) })
  }
}
`

// TestNodeDefinitionsFollowTheirFiles: a workflow, a job or a subscriber belongs to the file that
// defines it now. Renaming the file, copying it to start another one, or adding a second
// definition of the same id and deleting it again never removes what another file still
// defines, and a second definition is refused or accepted as Medusa does at boot.
func TestNodeDefinitionsFollowTheirFiles(t *testing.T) {
	d := startNode(t, map[string]string{
		"src/api/wf-by-id/route.ts":           byIDRoute,
		"src/api/ren-a/[id]/route.ts":         "export const GET = (req: any, res: any) => res.json({ item: req.params.id })\n",
		"src/lib/tag.ts":                      "export const tag = \"t1\"\n",
		"src/api/tag-one/route.ts":            "import { tag } from \"../../lib/tag\"\nexport const GET = (req: any, res: any) => res.json({ one: tag })\n",
		"src/api/tag-two/route.ts":            "import { tag } from \"../../lib/tag\"\nexport const GET = (req: any, res: any) => res.json({ two: tag })\n",
		"src/modules/greeter/index.ts":        "import { Module } from \"@medusajs/framework/utils\"\nimport GreeterModuleService from \"./service\"\nimport initLoader from \"./loaders/init\"\n\nexport default Module(\"greeter\", {\n  service: GreeterModuleService,\n  loaders: [initLoader],\n})\n",
		"src/modules/greeter/loaders/init.ts": greeterLoader("v1", ""),
		"src/api/greeter-loaded/route.ts":     "export const GET = (req: any, res: any) => res.json({ loaded: req.scope.resolve(\"greeter\") ? \"yes\" : \"no\" })\n",
		"src/lib/data.json":                   `{ "label": "json v1" }` + "\n",
		"src/api/jsondata/route.ts":           "const data = require(\"../../lib/data.json\")\nexport const GET = (req: any, res: any) => res.json(data)\n",
		"src/subscribers/tag.ts":              "import { tag } from \"../lib/tag\"\nexport default async function tagSub() { console.log(tag) }\nexport const config = { event: \"tag.never\" }\n",
		// what Medusa reads at boot, through a file it imports (b2b-starter-medusa's shapes)
		"medusa-config.ts":                  configImporting(t),
		"src/lib/cors-extra.ts":             "export const EXTRA_STORE_CORS = \",http://probe-a.test\"\nexport const UNUSED = 1\n",
		"src/lib/brand-defaults.ts":         "export const BRAND_NOTE = \"n1\"\n",
		"src/modules/brand/models/brand.ts": strings.Replace(fixtureFile(t, "src/modules/brand/models/brand.ts"), "\n\n", "\nimport { BRAND_NOTE } from \"../../../lib/brand-defaults\"\nexport const BRAND_NOTE_USED = BRAND_NOTE\n\n", 1),
		// a route and the file it imports, deleted later
		"src/api/dep-gone/helper.ts": "export const greeting = \"dep v1\"\n",
		"src/api/dep-gone/route.ts":  "import { greeting } from \"./helper\"\n\nexport const GET = (req: any, res: any) => res.json({ greeting })\n",
	})
	hello := func(want string) {
		d.T.Helper()
		d.mustEventually(realReq{"GET", "/wf-by-id?id=fixture-hello", nil, ""}, want)
	}
	succeeded := func(what string, res ipc.Result) {
		d.T.Helper()
		if !res.Success || len(res.Errors) > 0 {
			d.T.Fatalf("%s: %+v\n%s", what, res, tail(d.Out.String(), 40))
		}
	}
	// rename renames from to to and waits for the reload of wait (to, or a file under it)
	rename := func(from, to, wait string) ipc.Result {
		d.T.Helper()
		n := len(d.Results("reload"))
		if err := os.Rename(filepath.Join(d.Root, from), filepath.Join(d.Root, to)); err != nil {
			d.T.Fatal(err)
		}
		res := d.WaitReloadOf(n, wait)
		// the deletion of the old name may come in the same batch or the next one
		for _, r := range d.Results("reload")[n:] {
			succeeded("rename "+from+" → "+to, r)
		}
		return res
	}
	runJob := func(name, want string) {
		d.T.Helper()
		before := strings.Count(d.Out.String(), want)
		if _, err := d.Sup.Call(context.Background(), ipc.CmdRunJob, ipc.RunJobArgs{Name: name}); err != nil {
			d.T.Fatalf("run-job %s: %v\n%s", name, err, tail(d.Out.String(), 20))
		}
		d.Until(waitFor, func() string {
			if strings.Count(d.Out.String(), want) <= before {
				return fmt.Sprintf("run-job %s: no new %q", name, want)
			}
			return ""
		})
		raw, err := d.Sup.Call(context.Background(), ipc.CmdJobs, nil)
		if err != nil || strings.Count(string(raw), `"`+name+`"`) != 1 {
			d.T.Fatalf("jobs: %s (%v); want %s once", raw, err, name)
		}
	}
	hello("hello x v1")
	// one Medusa for all (it takes seconds to start); the cases run in order
	run := func(name string, f func(t *testing.T)) {
		if !t.Run(name, func(st *testing.T) {
			d.T = st
			defer func() { d.T = t }()
			f(st)
		}) {
			t.FailNow()
		}
	}

	// refusesDup adds file, a copy of from defining fixture-hello with another step, and wants
	// Medusa's "already exists" on it, fixture-hello unchanged, before and after its deletion
	refusesDup := func(t *testing.T, from, file, name string) {
		t.Helper()
		dup := strings.NewReplacer(`"fixture-hello-step"`, `"fixture-`+name+`-step"`, "v1", name).Replace(d.read(from))
		res := d.Edit(file, dup)
		if res.Success || len(res.Errors) == 0 || !strings.HasSuffix(res.Errors[0].File, file) ||
			!strings.Contains(res.Errors[0].Message, "already exists") {
			t.Fatalf("want Medusa's \"already exists\" on %s; got %+v", file, res)
		}
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello", nil, ""}, 200, "hello x v1")
		succeeded(file+" deleted", d.remove(file))
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello", nil, ""}, 200, "hello x v1")
	}
	// before any reload: what the workflow's own file defines is known from Medusa's boot only
	run("a second workflow of the same id with other steps, first save", func(t *testing.T) {
		refusesDup(t, "src/workflows/hello.ts", "src/workflows/dup0.ts", "dup0")
	})
	run("workflow file renamed", func(t *testing.T) {
		rename("src/workflows/hello.ts", "src/workflows/hello-renamed.ts", "src/workflows/hello-renamed.ts")
		hello("hello x v1")
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello", nil, ""}, 200, "hello x v1")
	})
	run("workflow file copied to start another", func(t *testing.T) {
		src := d.read("src/workflows/hello-renamed.ts")
		// the copy defines the same workflow with the same steps: Medusa takes the last one
		succeeded("copy", d.Edit("src/workflows/hello-copy.ts", src))
		hello("hello x v1")
		// then it becomes a workflow of its own: fixture-hello comes back from the original
		next := strings.NewReplacer(`"fixture-hello"`, `"fixture-hello-2"`, `"fixture-hello-step"`, `"fixture-hello-2-step"`, "v1", "v2").Replace(src)
		succeeded("copy edited", d.Edit("src/workflows/hello-copy.ts", next))
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello", nil, ""}, 200, "hello x v1")
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello-2", nil, ""}, 200, "hello x v2")
		succeeded("copy deleted", d.remove("src/workflows/hello-copy.ts"))
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello-2", nil, ""}, 404, "not found")
		d.must(realReq{"GET", "/wf-by-id?id=fixture-hello", nil, ""}, 200, "hello x v1")
	})
	run("a second workflow of the same id with other steps", func(t *testing.T) {
		refusesDup(t, "src/workflows/hello-renamed.ts", "src/workflows/dup.ts", "dup")
	})
	run("job file renamed", func(t *testing.T) {
		rename("src/jobs/tick.ts", "src/jobs/tick-renamed.ts", "src/jobs/tick-renamed.ts")
		runJob("fixture-tick", "FIXTURE-JOB v1 tick")
	})
	run("a second job of the same name, then deleted", func(t *testing.T) {
		dup := strings.Replace(d.read("src/jobs/tick-renamed.ts"), "FIXTURE-JOB v1 tick", "FIXTURE-JOB dup tick", 1)
		succeeded("dup job", d.Edit("src/jobs/tick-dup.ts", dup))
		runJob("fixture-tick", "FIXTURE-JOB dup tick") // the last one loaded, as at Medusa's boot
		succeeded("dup job deleted", d.remove("src/jobs/tick-dup.ts"))
		runJob("fixture-tick", "FIXTURE-JOB v1 tick")
	})
	run("route folder renamed, then changed inside", func(t *testing.T) {
		rename("src/api/ren-a", "src/api/ren-b", "src/api/ren-b/[id]/route.ts")
		d.must(realReq{"GET", "/ren-b/7", nil, ""}, 200, `"item":"7"`)
		d.must(realReq{"GET", "/ren-a/7", nil, ""}, 404, "")
		succeeded("new subfolder", d.Edit("src/api/ren-b/special/route.ts", "export const GET = (req: any, res: any) => res.json({ special: true })\n"))
		d.must(realReq{"GET", "/ren-b/special", nil, ""}, 200, `"special":true`)
		succeeded("new route", d.Edit("src/api/ren-b/route.ts", "export const GET = (req: any, res: any) => res.json({ list: true })\n"))
		d.must(realReq{"GET", "/ren-b", nil, ""}, 200, `"list":true`)
		removed := func(res ipc.Result, want string) {
			d.T.Helper()
			succeeded("delete", res)
			if len(res.Removed) != 1 || res.Removed[0].Name != want || len(res.Reloaded) != 0 {
				d.T.Fatalf("removed %+v, reloaded %+v; want the route %s removed", res.Removed, res.Reloaded, want)
			}
		}
		removed(d.remove("src/api/ren-b/route.ts"), "GET /ren-b")
		d.must(realReq{"GET", "/ren-b", nil, ""}, 404, "")
		removed(d.remove("src/api/ren-b/[id]/route.ts"), "GET /ren-b/:id")
		d.must(realReq{"GET", "/ren-b/7", nil, ""}, 404, "")
	})
	run("a shared file that throws is one error, on its line", func(t *testing.T) {
		res := d.Edit("src/lib/tag.ts", "export const tag = \"t2\"\nthrow new Error(\"tag boom\")\n")
		if res.Success || len(res.Errors) != 1 || !strings.HasSuffix(res.Errors[0].File, "src/lib/tag.ts") || res.Errors[0].Line != 2 {
			t.Fatalf("want one error, at src/lib/tag.ts:2, for its three importers; got %+v", res.Errors)
		}
		d.must(realReq{"GET", "/tag-one", nil, ""}, 200, `"one":"t1"`)
		succeeded("fixed", d.Edit("src/lib/tag.ts", "export const tag = \"t3\"\n"))
		d.must(realReq{"GET", "/tag-two", nil, ""}, 200, `"two":"t3"`)
	})
	run("a module loader that throws is shown where it threw", func(t *testing.T) {
		res := d.Edit("src/modules/greeter/loaders/init.ts", greeterLoader("v2", `throw new Error("greeter loader boom")`))
		if res.Success || len(res.Errors) != 1 || !strings.HasSuffix(res.Errors[0].File, "src/modules/greeter/loaders/init.ts") || res.Errors[0].Line != 4 {
			t.Fatalf("want the error at src/modules/greeter/loaders/init.ts:4, where the loader threw; got %+v", res.Errors)
		}
		d.must(realReq{"GET", "/greeter-loaded", nil, ""}, 200, `"loaded":"yes"`)
		succeeded("fixed", d.Edit("src/modules/greeter/loaders/init.ts", greeterLoader("v3", "")))
		d.must(realReq{"GET", "/greeter-loaded", nil, ""}, 200, `"loaded":"yes"`)
	})
	run("a JSON file a route requires", func(t *testing.T) {
		d.must(realReq{"GET", "/jsondata", nil, ""}, 200, `"json v1"`)
		succeeded("JSON saved", d.Edit("src/lib/data.json", `{ "label": "json v2" }`+"\n"))
		d.must(realReq{"GET", "/jsondata", nil, ""}, 200, `"json v2"`)
		res := d.Edit("src/lib/data.json", "{\n  \"label\": \"json v3\",\n}\n")
		if res.Success || len(res.Errors) != 1 || !strings.HasSuffix(res.Errors[0].File, "src/lib/data.json") || res.Errors[0].Line != 2 {
			t.Fatalf("want one error at src/lib/data.json:2, on the trailing comma; got %+v", res.Errors)
		}
		d.must(realReq{"GET", "/jsondata", nil, ""}, 200, `"json v2"`)
		// TypeScript's own JSON with comments is no module: no syntax error
		n := len(d.Results("reload"))
		writeFile(t, d.Root, "tsconfig.json", strings.Replace(d.read("tsconfig.json"), "{", "{\n  // a comment, as tsconfig allows\n", 1))
		if res := d.WaitReloadOf(n, "tsconfig.json"); len(res.Errors) != 0 {
			t.Fatalf("tsconfig.json with a comment: %+v", res.Errors)
		}
		succeeded("JSON fixed", d.Edit("src/lib/data.json", `{ "label": "json v4" }`+"\n"))
		d.must(realReq{"GET", "/jsondata", nil, ""}, 200, `"json v4"`)
	})
	run("a data model saved restarts Medusa and says how to migrate", func(t *testing.T) {
		n := len(d.Results("restart"))
		res := d.Edit("src/modules/brand/models/brand.ts", d.read("src/modules/brand/models/brand.ts")+"\n// a field to come\n")
		if !res.Restart || !strings.Contains(res.Note, "npx medusa db:generate brand && npx medusa db:migrate") {
			t.Fatalf("want a restart that says how to migrate; got restart %v, note %q", res.Restart, res.Note)
		}
		if res := d.WaitResultWithin("restart", 3*time.Minute, n); !res.Success {
			t.Fatalf("the restart: %+v", res)
		}
		d.must(realReq{"GET", "/jsondata", nil, ""}, 200, `"json v4"`)
	})
	run("a data model that does not load waits for its fix before Medusa restarts", func(t *testing.T) {
		restarts := strings.Count(d.Out.String(), "restarting dev server")
		n := len(d.Results("restart"))
		good := d.read("src/modules/brand/models/brand.ts")
		// a syntax error never reaches Medusa; this one throws as the model loads
		res := d.Edit("src/modules/brand/models/brand.ts", strings.Replace(good, "model.text()", "model.text().notAThing()", 1))
		if res.Restart || res.Success || len(res.Errors) != 1 || !strings.HasSuffix(res.Errors[0].File, "src/modules/brand/models/brand.ts") ||
			res.Errors[0].Line != 7 || !strings.Contains(res.Errors[0].Message, "notAThing") {
			t.Fatalf("want the error at brand.ts:7 and no restart; got %+v", res)
		}
		d.must(realReq{"GET", "/jsondata", nil, ""}, 200, `"json v4"`) // the Medusa serving goes on
		res = d.Edit("src/modules/brand/models/brand.ts", good)
		if !res.Restart {
			t.Fatalf("the fix: want the restart; got %+v", res)
		}
		if res := d.WaitResultWithin("restart", 3*time.Minute, n); !res.Success {
			t.Fatalf("the restart: %+v", res)
		}
		if got := strings.Count(d.Out.String(), "restarting dev server") - restarts; got != 1 {
			t.Fatalf("%d restarts for the broken save and its fix, want 1 (the fix's)", got)
		}
	})
	run("a file medusa-config imports, changed without changing the config", func(t *testing.T) {
		res := d.replace("src/lib/cors-extra.ts", "UNUSED = 1", "UNUSED = 2")
		if res.Restart || !res.Success {
			t.Fatalf("want a reload without a restart; got %+v", res)
		}
	})
	// restartsFor saves rel with old replaced by new, and wants a restart whose note has each of
	// notes, and the new Medusa serving
	restartsFor := func(t *testing.T, rel, old, new string, notes ...string) {
		t.Helper()
		n := len(d.Results("restart"))
		res := d.replace(rel, old, new)
		for _, want := range notes {
			if !res.Restart || !strings.Contains(res.Note, want) {
				t.Fatalf("want a restart saying %q; got restart %v, note %q", want, res.Restart, res.Note)
			}
		}
		if res := d.WaitResultWithin("restart", 3*time.Minute, n); !res.Success {
			t.Fatalf("the restart: %+v", res)
		}
	}
	run("a file medusa-config imports, changing the config", func(t *testing.T) {
		restartsFor(t, "src/lib/cors-extra.ts", "probe-a", "probe-b", "medusa-config.ts", "src/lib/cors-extra.ts")
	})
	run("a file a data model imports", func(t *testing.T) {
		restartsFor(t, "src/lib/brand-defaults.ts", "n1", "n2", "src/modules/brand/models/brand.ts", "data models")
	})
	run("a new migration changes nothing in Medusa, and says how to apply it", func(t *testing.T) {
		const rel = "src/modules/brand/migrations/Migration20990101000000.ts"
		mig := "import { Migration } from \"@medusajs/framework/mikro-orm/migrations\"\n\nexport class Migration20990101000000 extends Migration {\n  override async up(): Promise<void> {\n    this.addSql(`select 1;`)\n  }\n\n  override async down(): Promise<void> {}\n}\n"
		for _, res := range []ipc.Result{d.Edit(rel, mig), d.remove(rel)} {
			if !res.Success || res.Restart || res.Applied || !strings.Contains(res.Note, "nothing to reload") || len(res.Reloaded) > 0 {
				t.Fatalf("want nothing reloaded and no restart; got %+v", res)
			}
		}
		d.waitOutput("a new migration: apply it with npx medusa db:migrate")
	})
	run("a file nothing imports", func(t *testing.T) {
		res := d.Edit("probe.json", "{\"a\": 1}\n")
		if !res.Success || res.Applied || res.Restart || !strings.Contains(res.Note, "nothing loaded imports probe.json") {
			t.Fatalf("want nothing reloaded, and the note saying so; got %+v", res)
		}
		d.waitOutput("nothing loaded imports probe.json")
	})
	run("a file another file imports, deleted", func(t *testing.T) {
		d.must(realReq{"GET", "/dep-gone", nil, ""}, 200, "dep v1")
		res := d.remove("src/api/dep-gone/helper.ts")
		if res.Success || len(res.Errors) != 1 || !strings.HasSuffix(res.Errors[0].File, "src/api/dep-gone/route.ts") ||
			res.Errors[0].Line != 1 || !strings.Contains(res.Errors[0].Message, "Cannot find module") {
			t.Fatalf("want Cannot find module at src/api/dep-gone/route.ts:1; got %+v", res)
		}
		d.must(realReq{"GET", "/dep-gone", nil, ""}, 200, "dep v1") // the last good code serves
	})
	run("subscriber file renamed", func(t *testing.T) {
		rename("src/subscribers/product-created.ts", "src/subscribers/product-created-renamed.ts", "src/subscribers/product-created-renamed.ts")
		for i := range 4 {
			id := fmt.Sprintf("owners-%d", i)
			d.must(realReq{"POST", "/emit?id=" + id, nil, ""}, 200, id)
			d.waitOutput("FIXTURE-SUB v1 product.created " + id)
		}
		// the last one handled: the others have been, as often as they will be
		for i := range 3 {
			line := fmt.Sprintf("FIXTURE-SUB v1 product.created owners-%d\n", i)
			if n := strings.Count(d.Out.String(), line); n != 1 {
				t.Fatalf("%q handled %d times, want once", line, n)
			}
		}
	})
}

// greeterLoader is a loader of the greeter module that logs version, then runs extra (line 4).
func greeterLoader(version, extra string) string {
	return "export default async function initLoader({ container }: any) {\n" +
		"  const logger = container.resolve(\"logger\")\n" +
		"  logger.info(\"GREETER-LOADER " + version + "\")\n" +
		"  " + extra + "\n" +
		"}\n"
}

// fixtureFile is a file of the fixture as it is in the repository.
func fixtureFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(medusafixture.Dir(), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// configImporting is the fixture's medusa-config with a store CORS origin from
// src/lib/cors-extra.ts.
func configImporting(t *testing.T) string {
	t.Helper()
	cfg := fixtureFile(t, "medusa-config.ts")
	out := strings.Replace(cfg, "storeCors: process.env.STORE_CORS!,", "storeCors: process.env.STORE_CORS! + EXTRA_STORE_CORS,", 1)
	if out == cfg {
		t.Fatal("the fixture's medusa-config.ts has no storeCors line to extend")
	}
	return "import { EXTRA_STORE_CORS } from \"./src/lib/cors-extra\"\n" + out
}
