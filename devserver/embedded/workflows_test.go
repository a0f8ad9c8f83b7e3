package embedded

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

const moduleConfig = `import { defineConfig } from "@medusajs/framework/utils"
module.exports = defineConfig({
  projectConfig: { http: {} },
  modules: [{ resolve: "./src/modules/greeter", options: { greeting: "Hello" } }],
})
`

func greeterService(v string) string {
	return fmt.Sprintf(`export default class GreeterService {
  private greeting: string
  private logger: any
  constructor({ logger }: any, options: { greeting: string }) {
    this.logger = logger
    this.greeting = options.greeting
  }
  greet(name: string) { return this.greeting + ", " + name + " (%s)" }
}
`, v)
}

const greeterIndex = `import { Module } from "@medusajs/framework/utils"
import GreeterService from "./service"
export const GREETER = "greeter"
export default Module(GREETER, { service: GreeterService })
`

func stepsFile(v string) string {
	return fmt.Sprintf(`import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { record } from "../../lib/seen"

export const greetStep = createStep("greet", async (input: { name: string }, { container }: any) => {
  const greeter = container.resolve("greeter")
  return new StepResponse({ text: greeter.greet(input.name) + " %s" })
})

export const reserveStep = createStep("reserve", async (input: { n: number }) => {
  record("reserve", input.n)
  return new StepResponse({ reserved: input.n }, { release: input.n })
}, async (compensation?: { release: number }) => {
  if (!compensation) return // as in Medusa, a failing step's own compensation gets undefined
  record("release", compensation.release)
})

export const chargeStep = createStep("charge", async (input: { n: number }) => {
  record("charge", input.n)
  if (input.n > 5) throw new Error("card declined for " + input.n)
  return new StepResponse({ charged: input.n }, { refund: input.n * 10 })
}, async (compensation?: { refund: number }) => {
  if (!compensation) return // as in Medusa, a failing step's own compensation gets undefined
  record("refund", compensation.refund)
})

let flaky = 0
export const flakyStep = createStep({ name: "flaky", maxRetries: 2 }, async () => {
  flaky++
  if (flaky < 3) throw new Error("not yet")
  return new StepResponse(flaky)
})
`, v)
}

const workflowFile = `import { createWorkflow, WorkflowResponse, transform, when, parallelize } from "@medusajs/framework/workflows-sdk"
import { greetStep, reserveStep, chargeStep, flakyStep } from "./steps"

export const greetWorkflow = createWorkflow("greet-workflow", (input: { name: string }) => {
  const greeting = greetStep({ name: input.name })
  const loud = transform({ greeting }, ({ greeting }) => greeting.text.toUpperCase())
  return new WorkflowResponse({ greeting: greeting.text, loud })
})

export const orderWorkflow = createWorkflow("order-workflow", (input: { n: number; extra: boolean }) => {
  const [a, b] = parallelize(reserveStep({ n: input.n }), flakyStep())
  const doubled = transform({ input }, ({ input }) => ({ n: input.n * 2 }))
  const bonus = when({ input }, ({ input }) => input.extra).then(() => {
    return transform({ input }, ({ input }) => "extra " + input.n)
  })
  const charged = chargeStep(doubled)
  return new WorkflowResponse({ reserved: a.reserved, attempts: b, charged: charged.charged, bonus })
})
`

const workflowRoutes = `import { greetWorkflow, orderWorkflow } from "../../workflows/hello/workflow"
export async function GET(req: any, res: any) {
  const { result } = await greetWorkflow(req.scope).run({ input: { name: String(req.query.name ?? "you") } })
  res.json(result)
}
export async function POST(req: any, res: any) {
  const { result, errors, transaction } = await orderWorkflow(req.scope).run({
    input: { n: Number(req.query.n), extra: req.query.extra === "1" }, throwOnError: false,
  })
  res.json({ result, errors: errors.map((e: any) => e.action + ": " + (e.error?.message ?? e.error)), state: transaction.state })
}
`

func workflowFixture(t *testing.T) *fixture {
	f := newFixture(t, map[string]string{
		"medusa-config.ts":                moduleConfig,
		"src/lib/seen.ts":                 seenModule,
		"src/api/seen/route.ts":           seenRoute,
		"src/modules/greeter/index.ts":    greeterIndex,
		"src/modules/greeter/service.ts":  greeterService("v1"),
		"src/workflows/hello/steps.ts":    stepsFile("s1"),
		"src/workflows/hello/workflow.ts": workflowFile,
		"src/api/wf/route.ts":             workflowRoutes,
	})
	f.write("medusa-config.ts", moduleConfig)
	if res := f.load(); !res.Success {
		t.Fatalf("%+v", res.Errors)
	}
	return f
}

func TestWorkflowComposition(t *testing.T) {
	f := workflowFixture(t)
	f.expect("GET", "/wf?name=Ada", "", 200, `{"greeting":"Hello, Ada (v1) s1","loud":"HELLO, ADA (V1) S1"}`)
	f.expect("POST", "/wf?n=2&extra=1", "", 200, `{"result":{"reserved":2,"attempts":3,"charged":4,"bonus":"extra 2"},"errors":[],"state":"done"}`)
	// when's condition is false: its result is undefined, so JSON leaves "bonus" out.
	f.expect("POST", "/wf?n=1", "", 200, `"charged":2},"errors":[],"state":"done"}`)
}

func TestWorkflowCompensation(t *testing.T) {
	f := workflowFixture(t)
	// n=3: doubled to 6, the charge step fails; reserve is compensated with its compensateInput.
	f.expect("POST", "/wf?n=3", "", 200, `"errors":["charge: card declined for 6"],"state":"reverted"`)
	s := f.seen()
	if fmt.Sprint(s["reserve"]) != "[3]" || fmt.Sprint(s["release"]) != "[3]" || s["refund"] != nil {
		t.Fatalf("compensation: %v", s)
	}
	// The step's failure is reported at the throwing line of the step file.
	f.waitReported("step error", func(e reloaders.RuntimeError) bool {
		for _, p := range e.Problems {
			if strings.HasSuffix(p.File, "src/workflows/hello/steps.ts") && p.Line == 19 && strings.Contains(p.Message, "workflow order-workflow step charge: Error: card declined for 6") {
				return true
			}
		}
		return false
	})
}

func TestCompensationRunsInReverseOrder(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":       seenModule,
		"src/api/seen/route.ts": seenRoute,
		"src/workflows/three.ts": `import { createStep, createWorkflow, StepResponse } from "@medusajs/framework/workflows-sdk"
import { record } from "../lib/seen"
const mk = (n: number) => createStep("s" + n, async () => new StepResponse(n, n * 100), async (c: number) => { record("undo", c) })
const boom = createStep("boom", async () => { throw new Error("boom") })
export const three = createWorkflow("three", () => { mk(1)(); mk(2)(); mk(3)(); boom() })
`,
		"src/api/three/route.ts": `import { three } from "../../workflows/three"
export async function POST(req: any, res: any) {
  try { await three(req.scope).run({ input: {} }) } catch (e: any) { return res.status(500).json({ thrown: e.message }) }
  res.json({})
}
`,
	})
	f.load()
	f.expect("POST", "/three", "", 500, `{"thrown":"boom"}`)
	if got := fmt.Sprint(f.seen()["undo"]); got != "[300 200 100]" {
		t.Fatalf("compensations ran in order %s, want [300 200 100]", got)
	}
}

func TestWorkflowAndModuleReloads(t *testing.T) {
	f := workflowFixture(t)
	f.expect("GET", "/wf?name=Ada", "", 200, "(v1) s1")
	t.Run("step file", func(t *testing.T) {
		f.write("src/workflows/hello/steps.ts", stepsFile("s2"))
		res := f.reload(ipc.ActionChange, "src/workflows/hello/steps.ts")
		if !res.Success {
			t.Fatal(res.Errors)
		}
		f.expect("GET", "/wf?name=Ada", "", 200, "(v1) s2")
	})
	t.Run("workflow file", func(t *testing.T) {
		f.write("src/workflows/hello/workflow.ts", strings.Replace(workflowFile, "toUpperCase()", "toLowerCase()", 1))
		if res := f.reload(ipc.ActionChange, "src/workflows/hello/workflow.ts"); !res.Success {
			t.Fatal(res.Errors)
		}
		f.expect("GET", "/wf?name=Ada", "", 200, `"loud":"hello, ada (v1) s2"`)
	})
	t.Run("module service", func(t *testing.T) {
		f.write("src/modules/greeter/service.ts", greeterService("v2"))
		res := f.reload(ipc.ActionChange, "src/modules/greeter/service.ts")
		if !res.Success || !strings.Contains(fmt.Sprint(res.Reloaded), "module greeter") {
			t.Fatalf("%+v", res)
		}
		f.expect("GET", "/wf?name=Ada", "", 200, "(v2) s2")
	})
}

func TestRecoveryFromABrokenStep(t *testing.T) {
	f := workflowFixture(t)
	f.write("src/workflows/hello/steps.ts", strings.Replace(stepsFile("s3"), `return new StepResponse({ text`, `return new StepResponse({ text:`, 1))
	res := f.reload(ipc.ActionChange, "src/workflows/hello/steps.ts")
	if res.Success || len(res.Errors) == 0 || !strings.HasSuffix(res.Errors[0].File, "steps.ts") || res.Errors[0].Line != 6 {
		t.Fatalf("want the syntax error at steps.ts:6, got %+v", res.Errors)
	}
	f.expect("GET", "/wf?name=Ada", "", 200, "(v1) s1") // the old code still answers
	f.write("src/workflows/hello/steps.ts", stepsFile("s4"))
	if res := f.reload(ipc.ActionChange, "src/workflows/hello/steps.ts"); !res.Success || len(res.Problems) != 0 {
		t.Fatalf("%+v", res)
	}
	f.expect("GET", "/wf?name=Ada", "", 200, "(v1) s4")
}

func TestRunInProgressFinishesOnItsDefinition(t *testing.T) {
	// The step runs until the marker goes, and says when it has started.
	marker := filepath.Join(t.TempDir(), "hold")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	slow := func(v string) string {
		return fmt.Sprintf(`import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import fs from "fs"
const wait = createStep("wait", async () => {
  console.log("the slow step started")
  while (fs.existsSync(%q)) await new Promise((r) => setTimeout(r, 5))
  return new StepResponse("%s")
})
export const slow = createWorkflow("slow", () => new WorkflowResponse(wait()))
`, marker, v)
	}
	f := newFixture(t, map[string]string{
		"src/workflows/slow.ts": slow("old"),
		"src/api/slow/route.ts": "import { slow } from \"../../workflows/slow\"\nexport const GET = async (req: any, res: any) => res.json((await slow(req.scope).run({})).result)\n",
	})
	f.load()
	got := make(chan string, 1)
	go func() {
		_, body := f.get("GET", "/slow", "")
		got <- body
	}()
	f.out.Wait(t, 30*time.Second, func(out string) string {
		if !strings.Contains(out, "the slow step started") {
			return "the slow step has not started"
		}
		return ""
	})
	f.write("src/workflows/slow.ts", slow("new"))
	if res := f.reload(ipc.ActionChange, "src/workflows/slow.ts"); !res.Success {
		t.Fatal(res.Errors)
	}
	os.Remove(marker)
	if body := <-got; body != `"old"` {
		t.Fatalf("the run in progress answered %s", body)
	}
	f.expect("GET", "/slow", "", 200, `"new"`)
}

func TestWorkflowAndModuleErrors(t *testing.T) {
	f := newFixture(t, map[string]string{
		"medusa-config.ts": `import { defineConfig } from "@medusajs/framework/utils"
module.exports = defineConfig({ modules: [{ resolve: "./src/modules/blog" }, { resolve: "@medusajs/medusa/payment" }] })
`,
		"src/workflows/a.ts":          "import { createWorkflow } from \"@medusajs/framework/workflows-sdk\"\nexport const a = createWorkflow(\"same-name\", () => {})\n",
		"src/workflows/b.ts":          "import { createWorkflow } from \"@medusajs/framework/workflows-sdk\"\nexport const b = createWorkflow(\"same-name\", () => {})\n",
		"src/workflows/hook.ts":       "import { createHook } from \"@medusajs/framework/workflows-sdk\"\nexport const h = createHook(\"x\", {})\n",
		"src/modules/blog/index.ts":   "import { Module } from \"@medusajs/framework/utils\"\nimport BlogService from \"./service\"\nexport default Module(\"blog\", { service: BlogService })\n",
		"src/modules/blog/service.ts": "import { MedusaService, model } from \"@medusajs/framework/utils\"\nconst Post = model.define(\"post\", { id: model.id() })\nexport default class BlogService extends MedusaService({ Post }) {}\n",
	})
	f.write("medusa-config.ts", `import { defineConfig } from "@medusajs/framework/utils"
module.exports = defineConfig({ modules: [{ resolve: "./src/modules/blog" }, { resolve: "@medusajs/medusa/payment" }] })
`)
	res := f.load()
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%s:%d [%s] %s", e.File[len(f.root)+1:], e.Line, e.Code, e.Message))
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`a workflow named "same-name" is already defined in`,
		"src/workflows/hook.ts:2 [unsupported] createHook (workflow hooks) is not supported by the embedded runtime yet",
		"src/modules/blog/service.ts:2 [unsupported] model.id() needs Medusa's data layer",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}

func TestDeletedModuleOrWorkflowRestarts(t *testing.T) {
	f := workflowFixture(t)
	os.Remove(f.path("src/workflows/hello/workflow.ts"))
	os.Remove(f.path("src/api/wf/route.ts"))
	res := f.reload(ipc.ActionUnlink, "src/workflows/hello/workflow.ts", "src/api/wf/route.ts")
	if !res.Restart || !strings.Contains(res.Note, "workflow file src/workflows/hello/workflow.ts was deleted") {
		t.Fatalf("%+v", res)
	}
	f2 := workflowFixture(t)
	os.Remove(f2.path("src/modules/greeter/index.ts"))
	res = f2.reload(ipc.ActionUnlink, "src/modules/greeter/index.ts")
	if !res.Restart || !strings.Contains(res.Note, "module greeter was deleted") {
		t.Fatalf("%+v", res)
	}
}

func TestStepsEmitEventsAndCallWorkflows(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":       seenModule,
		"src/api/seen/route.ts": seenRoute,
		"src/subscribers/placed.ts": `import { record } from "../lib/seen"
export default async function ({ event }: any) { record("placed", event.data.n) }
export const config = { event: "order.placed" }
`,
		"src/workflows/orders.ts": `import { createStep, createWorkflow, StepResponse, WorkflowResponse, transform } from "@medusajs/framework/workflows-sdk"
import { Modules } from "@medusajs/framework/utils"
const announce = createStep("announce", async (input: { n: number }, { container, context }: any) => {
  await container.resolve(Modules.EVENT_BUS).emit({ name: "order.placed", data: { n: input.n }, metadata: { eventGroupId: context.eventGroupId } })
  return new StepResponse(input.n)
})
const maybeFail = createStep("maybe-fail", async (input: { n: number }) => {
  if (input.n < 0) throw new Error("negative")
  return new StepResponse(input.n)
})
export const inner = createWorkflow("inner", (input: { n: number }) => {
  const doubled = transform({ input }, ({ input }) => input.n * 2)
  return new WorkflowResponse(doubled)
})
const callInner = createStep("call-inner", async (input: { n: number }, { container }: any) => {
  const { result } = await inner(container).run({ input })
  return new StepResponse(result)
})
export const place = createWorkflow("place", (input: { n: number }) => {
  announce(input)
  const viaStep = callInner(input)
  const nested = inner.runAsStep({ input })
  maybeFail(input)
  return new WorkflowResponse({ viaStep, nested })
})
`,
		"src/api/place/route.ts": `import { place } from "../../workflows/orders"
export async function POST(req: any, res: any) {
  const out = await place(req.scope).run({ input: { n: Number(req.query.n) }, throwOnError: false })
  res.json({ result: out.result, state: out.transaction.state })
}
`,
	})
	if res := f.load(); !res.Success {
		t.Fatal(res.Errors)
	}
	f.expect("POST", "/place?n=4", "", 200, `{"result":{"viaStep":8,"nested":8},"state":"done"}`)
	f.drain()
	if got := fmt.Sprint(f.seen()["placed"]); got != "[4]" {
		t.Fatalf("the event released when the workflow finished: %s", got)
	}
	f.expect("POST", "/place?n=-1", "", 200, `"state":"reverted"`)
	f.drain()
	if got := fmt.Sprint(f.seen()["placed"]); got != "[4]" {
		t.Fatalf("an event of a failed workflow was delivered: %s", got)
	}
}

func TestBrokenModuleKeepsTheLastGoodService(t *testing.T) {
	f := workflowFixture(t)
	f.write("src/modules/greeter/service.ts", strings.Replace(greeterService("v9"), "this.logger = logger", "throw new Error(\"bad constructor\")", 1))
	res := f.reload(ipc.ActionChange, "src/modules/greeter/service.ts")
	if res.Success || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "bad constructor") {
		t.Fatalf("%+v", res)
	}
	f.expect("GET", "/wf?name=Ada", "", 200, "(v1)")
}

// TestRetryIntervalReturnsEarly: as Medusa's orchestrator with its workflow engine, a step that
// fails and waits retryInterval seconds for its next attempt makes run() return at once with
// the transaction "invoking", no errors and the result so far; the retry comes at least
// retryInterval later, in the background, and when the retries run out the step is compensated
// there (internal/differential compares this with Medusa itself).
func TestRetryIntervalReturnsEarly(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/workflows/later.ts": `import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
export const trail: any[] = []
const later = createStep({ name: "later", maxRetries: 1, retryInterval: 1 },
  async (input: any, { metadata }: any) => {
    trail.push({ attempt: metadata.attempt, at: Date.now() })
    if (metadata.attempt < input.okAt) throw new Error("attempt " + metadata.attempt)
    return new StepResponse({ ok: metadata.attempt })
  },
  async () => { trail.push({ compensated: true }) })
export const laterWorkflow = createWorkflow("later", (input: any) => new WorkflowResponse({ r: later(input) }))
`,
		"src/api/later/route.ts": `import { laterWorkflow, trail } from "../../workflows/later"
export async function POST(req: any, res: any) {
  const { result, errors, transaction } = await laterWorkflow(req.scope).run({ input: req.body })
  res.json({ result, errors, state: transaction.getState() })
}
export async function GET(req: any, res: any) { res.json(trail.splice(0)) }
`,
	})
	if res := f.load(); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	type entry struct {
		Attempt     int   `json:"attempt"`
		At          int64 `json:"at"`
		Compensated bool  `json:"compensated"`
	}
	collect := func(want func([]entry) bool) []entry {
		var all []entry
		testutil.Eventually(t, 30*time.Second, func() string {
			_, body := f.get("GET", "/later", "")
			var part []entry
			if err := json.Unmarshal([]byte(body), &part); err != nil {
				return body
			}
			all = append(all, part...)
			if !want(all) {
				return fmt.Sprintf("trail so far %+v", all)
			}
			return ""
		})
		return all
	}
	for _, tt := range []struct {
		name, input string
		done        func([]entry) bool
		last        entry
	}{
		{"the retry succeeds", `{"okAt":2}`, func(e []entry) bool { return len(e) >= 2 }, entry{Attempt: 2}},
		{"the retries run out", `{"okAt":9}`, func(e []entry) bool { return len(e) >= 3 }, entry{Compensated: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.expect("POST", "/later", tt.input, 200, `{"result":{},"errors":[],"state":"invoking"}`)
			got := collect(tt.done)
			if got[0].Attempt != 1 || got[1].Attempt != 2 {
				t.Fatalf("trail %+v: want attempt 1, then 2", got)
			}
			if gap := got[1].At - got[0].At; gap < 1000 {
				t.Errorf("the retry came %d ms after the first attempt; retryInterval is 1 s", gap)
			}
			if last := got[len(got)-1]; last.Compensated != tt.last.Compensated || (tt.last.Attempt != 0 && last.Attempt != tt.last.Attempt) {
				t.Errorf("trail %+v ends with %+v, want %+v", got, last, tt.last)
			}
		})
	}
}
