package reloaders

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/oracle"
)

// runLoaders is the Node side of TestLintMatchesMedusaLoaders: it loads each case's folder
// with Medusa's own JobLoader or SubscriberLoader (ts-node compiles the .ts files, as
// @medusajs/cli registers it) and prints, per case, what the loader threw (Medusa does not
// start) and whether it logged a warning (the file is skipped), after "@@result " (Medusa logs
// on stdout too).
const runLoaders = `const path = require("path")
const fs = require("fs")
const root = process.cwd()
require(require.resolve("ts-node", { paths: [root] })).register({ transpileOnly: true })
const fw = path.join(root, "node_modules/@medusajs/framework")
const { configManager } = require("@medusajs/framework/config")
configManager.loadConfig({ projectConfig: { projectConfig: {} }, baseDir: root })
const { container } = require("@medusajs/framework")
const { asValue } = require("@medusajs/framework/awilix")
const { Modules } = require("@medusajs/framework/utils")
const { JobLoader } = require(path.join(fw, "dist/jobs/job-loader.js"))
const { SubscriberLoader } = require(path.join(fw, "dist/subscribers/subscriber-loader.js"))
let warned = []
const logger = { debug() {}, info() {}, error() {}, log() {}, warn(m) { warned.push(String(m)) } }
container.register({ logger: asValue(logger), [Modules.EVENT_BUS]: asValue({ subscribe() {} }) })
// Where a job's workflow is scheduled: the workflow engine module's storage in Medusa.
require(path.join(root, "node_modules/@medusajs/orchestration")).WorkflowScheduler.setStorage({ async schedule() {}, async remove() {}, async removeAll() {} })
;(async () => {
  const out = {}
  for (const c of JSON.parse(fs.readFileSync(process.argv[2], "utf8"))) {
    warned = []
    let threw = null
    try {
      const dir = path.join(root, c.dir)
      await (c.kind === "job" ? new JobLoader(dir, container) : new SubscriberLoader(dir, {}, container)).load()
    } catch (e) {
      threw = e.message
    }
    out[c.name] = { threw, warned: warned.length > 0 }
  }
  process.stdout.write("\n@@result " + JSON.stringify(out) + "\n")
})().catch((e) => { console.error(e); process.exit(1) })
`

// TestLintMatchesMedusaLoaders runs the static lint of job and subscriber files and Medusa's
// own loaders on the same files: the lint reports an error exactly where the loader throws,
// so that Medusa does not start, with Medusa's words; where the loader only skips the file
// with a warning, so does the lint. Cases are files whose shape the lint can read for certain.
func TestLintMatchesMedusaLoaders(t *testing.T) {
	const jobDefault = "export default async function handler() {}\n"
	const subDefault = "export default async function handler() {}\n"
	cases := []struct {
		name, kind, src string
	}{
		{"job without config", "job", jobDefault},
		{"job config without schedule", "job", jobDefault + `export const config = { name: "j2" }` + "\n"},
		{"job config without name", "job", jobDefault + `export const config = { schedule: "* * * * *" }` + "\n"},
		{"job with an empty config", "job", jobDefault + "export const config = {}\n"},
		{"job with a misspelled schedule", "job", jobDefault + `export const config = { name: "j5", schedul: "* * * * *" }` + "\n"},
		{"job with a misspelled name", "job", jobDefault + `export const config = { nmae: "j6", schedule: "* * * * *" }` + "\n"},
		{"job without a default export", "job", `export const config = { name: "j7", schedule: "* * * * *" }` + "\n"},
		{"valid job", "job", jobDefault + `export const config = { name: "j8", schedule: { cron: "* * * * *" } }` + "\n"},
		{"job with shorthand keys", "job", jobDefault + `const name = "j9", schedule = "* * * * *"` + "\nexport const config = { name, schedule }\n"},
		{"job with a spread config", "job", jobDefault + `const base = { name: "j10" }` + "\n" + `export const config = { ...base, schedule: "* * * * *" }` + "\n"},
		{"job config completed later", "job", jobDefault + `export const config: any = { schedule: "* * * * *" }` + "\nconfig.name = \"j11\"\n"},
		{"subscriber without config", "subscriber", subDefault},
		{"subscriber config without event", "subscriber", subDefault + "export const config = {}\n"},
		{"subscriber without a default export", "subscriber", `export const config = { event: "a" }` + "\n"},
		{"valid subscriber", "subscriber", subDefault + `export const config = { event: ["a", "b"] }` + "\n"},
	}
	files := map[string]string{
		"medusa-config.js": "module.exports = { projectConfig: { http: {} } }\n",
		"tsconfig.json":    `{ "compilerOptions": { "module": "commonjs", "target": "ES2021", "esModuleInterop": true } }` + "\n",
	}
	type spec struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
		Dir  string `json:"dir"`
	}
	var specs []spec
	for i, c := range cases {
		dir := fmt.Sprintf("cases/%d", i)
		files[dir+"/file.ts"] = c.src
		specs = append(specs, spec{c.name, c.kind, dir})
	}
	b, _ := json.Marshal(specs)
	files["cases.json"] = string(b)
	files["run-loaders.js"] = runLoaders
	dir := oracle.Project(t, files)
	var medusa map[string]struct {
		Threw  *string
		Warned bool
	}
	out := string(oracle.Node(t, dir, "run-loaders.js", filepath.Join(dir, "cases.json")))
	at := strings.LastIndex(out, "@@result ")
	if at < 0 {
		t.Fatalf("node printed no result: %s", out)
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out[at+len("@@result "):])), &medusa); err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, ok := medusa[c.name]
			if !ok {
				t.Fatalf("node said nothing of %q: %s", c.name, out)
			}
			file := filepath.Join(dir, fmt.Sprintf("cases/%d/file.ts", i))
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lint := LintJob
			if c.kind == "subscriber" {
				lint = LintSubscriber
			}
			var errs, warnings []string
			for _, d := range lint(file, src) {
				if d.Severity == diag.Error {
					errs = append(errs, d.Message)
				} else {
					warnings = append(warnings, d.Message)
				}
			}
			switch {
			case m.Threw != nil && (len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), *m.Threw)):
				t.Errorf("Medusa does not start (%q); the lint's errors: %q, warnings: %q", *m.Threw, errs, warnings)
			case m.Threw == nil && len(errs) > 0:
				t.Errorf("Medusa starts, yet the lint has errors: %q", errs)
			case m.Threw == nil && m.Warned && len(warnings) == 0:
				t.Errorf("Medusa skips the file with a warning; the lint has none")
			}
		})
	}
}
