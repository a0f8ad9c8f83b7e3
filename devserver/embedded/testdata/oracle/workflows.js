// Workflow scenarios run by both runtimes: the embedded one (through a route of a test project)
// and real Medusa's @medusajs/framework/workflows-sdk in Node. Each scenario returns what can be
// compared: the trail of invokes and compensations with their inputs, the transaction state, the
// result, the shape of `errors`, and what run() threw. CommonJS so that both load it as is.
const { createStep, createWorkflow, StepResponse, WorkflowResponse, transform, when, parallelize } = require("@medusajs/framework/workflows-sdk")
const { MedusaError } = require("@medusajs/framework/utils")

// norm makes undefined visible (JSON drops it) and errors comparable.
function norm(v) {
  if (v === undefined) return "<undefined>"
  if (v === null || typeof v !== "object") return v
  if (Array.isArray(v)) return v.map(norm)
  const out = {}
  for (const k of Object.keys(v)) out[k] = norm(v[k])
  return out
}

function errorShape(e) {
  if (!e || typeof e !== "object") return { value: norm(e) }
  const out = { message: e.message }
  if (e.type) out.type = e.type
  return out
}

const defs = []
function scenario(name, build, runs) {
  defs.push({ name, build, runs: runs || [{ input: { n: 1 } }] })
}

const rec = (trail, name, fail) => async (input, ctx) => {
  trail.push([name, norm(input)])
  if (typeof fail === "function") return fail(input, ctx)
  if (fail) throw new Error(name + " failed")
  return new StepResponse({ from: name, n: input && input.n }, { undo: name })
}
const comp = (trail, name) => async (c) => { trail.push([name + ":compensate", norm(c)]) }

scenario("failing-step-compensates-itself-first", (t, id) => {
  const reserve = createStep(id + "reserve", rec(t, "reserve"), comp(t, "reserve"))
  const charge = createStep(id + "charge", rec(t, "charge", true), comp(t, "charge"))
  return createWorkflow(id, (input) => {
    const r = reserve(input)
    const c = charge(r)
    return new WorkflowResponse({ r, c })
  })
})

scenario("first-step-fails", (t, id) => {
  const a = createStep(id + "a", rec(t, "a", true), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  return createWorkflow(id, (input) => new WorkflowResponse(b(a(input))))
})

scenario("three-steps-reverse-order", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c"), comp(t, "c"))
  const d = createStep(id + "d", rec(t, "d", true), comp(t, "d"))
  return createWorkflow(id, (input) => { a(input); b(input); c(input); return new WorkflowResponse(d(input)) })
})

scenario("success-result-and-transform", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  return createWorkflow(id, (input) => {
    const r = a(input)
    const doubled = transform({ r, input }, ({ r, input }) => ({ twice: input.n * 2, from: r.from }))
    return new WorkflowResponse({ r, doubled })
  })
})

scenario("plain-return-compensate-input", (t, id) => {
  const a = createStep(id + "a", async (input) => { t.push(["a", norm(input)]); return { plain: 1 } }, comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b", true), comp(t, "b"))
  return createWorkflow(id, (input) => { const x = a(input); return new WorkflowResponse(b(x)) })
})

scenario("step-response-without-compensate-input", (t, id) => {
  const a = createStep(id + "a", async (input) => { t.push(["a", norm(input)]); return new StepResponse({ out: 1 }) }, comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b", true), comp(t, "b"))
  return createWorkflow(id, (input) => { a(input); return new WorkflowResponse(b(input)) })
})

scenario("permanent-failure", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep({ name: id + "b", maxRetries: 3 }, rec(t, "b", () => StepResponse.permanentFailure("no way", { partial: true })), comp(t, "b"))
  return createWorkflow(id, (input) => { a(input); return new WorkflowResponse(b(input)) })
})

scenario("permanent-failure-default-message", (t, id) => {
  const b = createStep(id + "b", rec(t, "b", () => StepResponse.permanentFailure()), comp(t, "b"))
  return createWorkflow(id, (input) => new WorkflowResponse(b(input)))
})

scenario("max-retries-exhausted-last-error", (t, id) => {
  let attempt = 0
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep({ name: id + "b", maxRetries: 2 }, rec(t, "b", () => { attempt++; throw new Error("attempt " + attempt) }), comp(t, "b"))
  return createWorkflow(id, (input) => { a(input); return new WorkflowResponse(b(input)) })
})

scenario("max-retries-then-success", (t, id) => {
  let attempt = 0
  const b = createStep({ name: id + "b", maxRetries: 3 }, rec(t, "b", () => { attempt++; if (attempt < 3) throw new Error("attempt " + attempt); return new StepResponse(attempt) }), comp(t, "b"))
  return createWorkflow(id, (input) => new WorkflowResponse(b(input)))
})

scenario("skip-step", (t, id) => {
  const a = createStep(id + "a", rec(t, "a", () => StepResponse.skip()), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", true), comp(t, "c"))
  return createWorkflow(id, (input) => { const x = a(input); const y = b(input); c(input); return new WorkflowResponse({ x, y }) })
})

scenario("skip-step-success", (t, id) => {
  const a = createStep(id + "a", rec(t, "a", () => StepResponse.skip()), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  return createWorkflow(id, (input) => { const x = a(input); const y = b(x); return new WorkflowResponse({ x, y }) })
})

scenario("parallel-one-fails", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", true), comp(t, "c"))
  return createWorkflow(id, (input) => { a(input); const [x, y] = parallelize(b(input), c(input)); return new WorkflowResponse({ x, y }) })
})

scenario("parallel-success-then-fail", (t, id) => {
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c"), comp(t, "c"))
  const d = createStep(id + "d", rec(t, "d", true), comp(t, "d"))
  return createWorkflow(id, (input) => { const [x, y] = parallelize(b(input), c(input)); d(input); return new WorkflowResponse({ x, y }) })
})

scenario("when-branches", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", (input) => { if (input.n > 2) throw new Error("too big"); return new StepResponse("c ok", "c undo") }), comp(t, "c"))
  return createWorkflow(id, (input) => {
    a(input)
    const w = when({ input }, ({ input }) => input.n > 1).then(() => { const x = b(input); return x })
    const r = c(input)
    return new WorkflowResponse({ w, r })
  })
}, [{ input: { n: 1 } }, { input: { n: 2 } }, { input: { n: 3 } }])

scenario("nested-workflow-parent-fails", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", true), comp(t, "c"))
  const inner = createWorkflow(id + "-inner", (input) => { const x = b(input); return new WorkflowResponse(x) })
  return createWorkflow(id, (input) => { a(input); const i = inner.runAsStep({ input }); c(i); return new WorkflowResponse(i) })
})

scenario("nested-workflow-inner-fails", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", true), comp(t, "c"))
  const inner = createWorkflow(id + "-inner", (input) => { b(input); return new WorkflowResponse(c(input)) })
  return createWorkflow(id, (input) => { a(input); const i = inner.runAsStep({ input }); return new WorkflowResponse(i) })
})

scenario("compensation-throws", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), async (c) => { t.push(["a:compensate", norm(c)]); throw new Error("cannot undo a") })
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", true), comp(t, "c"))
  return createWorkflow(id, (input) => { a(input); b(input); return new WorkflowResponse(c(input)) })
})

scenario("medusa-error-type", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"), comp(t, "a"))
  const b = createStep(id + "b", rec(t, "b", () => { throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "not allowed here") }), comp(t, "b"))
  return createWorkflow(id, (input) => { a(input); return new WorkflowResponse(b(input)) })
})

scenario("throws-string", (t, id) => {
  const b = createStep(id + "b", rec(t, "b", () => { throw "plain string" }), comp(t, "b"))
  return createWorkflow(id, (input) => new WorkflowResponse(b(input)))
})

scenario("no-compensation-defined", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"))
  const b = createStep(id + "b", rec(t, "b"), comp(t, "b"))
  const c = createStep(id + "c", rec(t, "c", true))
  return createWorkflow(id, (input) => { a(input); b(input); return new WorkflowResponse(c(input)) })
})

scenario("returns-input-as-is", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"))
  return createWorkflow(id, (input) => { a(input); return input })
})

scenario("returns-step-output-as-is", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"))
  return createWorkflow(id, (input) => a(input))
})

scenario("returns-nothing", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"))
  return createWorkflow(id, (input) => { a(input) })
})

scenario("returns-a-property-of-a-step-output", (t, id) => {
  const a = createStep(id + "a", rec(t, "a"))
  return createWorkflow(id, (input) => a(input).from)
})

scenario("step-context", (t, id) => {
  let attempts = 0
  const shape = (ctx) => ({
    keys: Object.keys(ctx).sort(),
    workflowId: ctx.workflowId,
    stepName: ctx.stepName,
    action: ctx.action,
    attempt: ctx.attempt,
    idempotencyKey: typeof ctx.idempotencyKey === "string" ? ctx.idempotencyKey.replace(ctx.transactionId, "<tx>") : ctx.idempotencyKey,
    transactionIsString: typeof ctx.transactionId === "string",
    eventGroupIsTx: ctx.eventGroupId === ctx.transactionId,
    resolves: typeof ctx.container.resolve,
    contextKeys: Object.keys(ctx.context || {}).sort(),
  })
  const a = createStep({ name: id + "a", maxRetries: 1 }, async (input, ctx) => {
    t.push(["a", shape(ctx)])
    if (++attempts === 1) throw new Error("first attempt fails")
    return new StepResponse("ok", "undo")
  }, async (c, ctx) => { t.push(["a:compensate", shape(ctx)]) })
  const b = createStep(id + "b", rec(t, "b", true))
  return createWorkflow(id, (input) => { a(input); return new WorkflowResponse(b(input)) })
}, [{ input: { n: 1 } }])

// run executes every scenario, each run once with throwOnError false and once with the default
// (throwOnError true), and returns { name: outcome }.
async function run(container) {
  const out = {}
  for (const d of defs) {
    const t = []
    const wf = d.build(t, "oracle-" + d.name)
    const runs = []
    for (const r of d.runs) {
      for (const throwOnError of [false, true]) {
        t.length = 0
        const o = { input: norm(r.input), throwOnError }
        try {
          const res = await wf(container).run({ input: r.input, throwOnError })
          o.state = res.transaction && typeof res.transaction.getState === "function" ? res.transaction.getState() : res.transaction && res.transaction.state
          o.result = norm(res.result)
          o.errors = (res.errors || []).map((e) => ({ action: e.action, handlerType: e.handlerType, error: errorShape(e.error),
            name: e.error && e.error.name, keys: e.error && typeof e.error === "object" ? Object.keys(e.error).sort() : typeof e.error }))
          o.keys = Object.keys(res).sort()
          o.thrownError = res.thrownError === null ? null : errorShape(res.thrownError)
        } catch (e) {
          o.thrown = errorShape(e)
        }
        o.trail = t.slice()
        runs.push(o)
      }
    }
    out[d.name] = runs
  }
  return out
}

module.exports = { run }
