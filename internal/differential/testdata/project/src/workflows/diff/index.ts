import {
  createStep,
  createWorkflow,
  parallelize,
  StepResponse,
  transform,
  when,
  WorkflowResponse,
} from "@medusajs/framework/workflows-sdk"
import { record } from "../../lib/trail"

// Steps record what ran (invoke or compensate, with what input) in the trail.
const step = (name: string, run: (input: any, attempt: number) => any, { raw, ...config }: Record<string, unknown> = {}) =>
  createStep(
    { name, ...config },
    async (input: any, context: any) => {
      record({ step: name, action: "invoke", input, attempt: context.metadata?.attempt })
      const out = await run(input, context.metadata?.attempt ?? 1)
      if (raw) return out
      return out instanceof StepResponse ? out : new StepResponse(out, { undo: name, input })
    },
    async (compensateInput: any) => {
      record({ step: name, action: "compensate", compensateInput })
    }
  )

const reserve = step("diff-reserve", (input) => ({ reserved: input.qty }))
const charge = step("diff-charge", (input) => {
  if (input.fail) throw new Error("card declined")
  return { charged: input.amount }
})
export const diffCheckout = createWorkflow("diff-checkout", (input: any) => {
  const reserved = reserve({ qty: input.qty })
  const amount = transform({ input, reserved }, ({ input, reserved }) => input.price * reserved.reserved)
  const charged = charge({ amount, fail: input.fail })
  return new WorkflowResponse({ amount, charged })
})

const bonus = step("diff-bonus", (input) => ({ bonus: input.points * 2 }))
export const diffWhen = createWorkflow("diff-when", (input: any) => {
  const b = when({ input }, ({ input }) => input.vip).then(() => bonus({ points: input.points }))
  return new WorkflowResponse({ bonus: b })
})

const left = step("diff-left", (input) => ({ left: input.n }))
const right = step("diff-right", (input) => ({ right: input.n + 1 }))
const last = step("diff-last", (input) => {
  if (input.fail) throw new Error("last failed")
  return { last: true }
})
export const diffParallel = createWorkflow("diff-parallel", (input: any) => {
  const [l, r] = parallelize(left({ n: input.n }), right({ n: input.n }))
  const done = last({ fail: input.fail })
  return new WorkflowResponse({ l, r, done })
})

const after = step("diff-after", (input) => {
  if (input.fail) throw new Error("after nested failed")
  return { after: true }
})
export const diffNested = createWorkflow("diff-nested", (input: any) => {
  const inner = diffCheckout.runAsStep({ input: { qty: input.qty, price: input.price, amount: input.price } })
  const a = after({ fail: input.failAfter })
  return new WorkflowResponse({ inner, a })
})

const refuse = step("diff-refuse", () => StepResponse.permanentFailure("refused for good", { undo: "refuse" }))
export const diffPermanent = createWorkflow("diff-permanent", (input: any) => {
  const r = reserve({ qty: input.qty })
  const x = refuse({})
  return new WorkflowResponse({ r, x })
})

// Fails until its attempt reaches input.okAt; retried maxRetries times.
const flaky = step(
  "diff-flaky",
  (input, attempt) => {
    if (attempt < input.okAt) throw new Error(`attempt ${attempt} failed`)
    return { okAt: attempt }
  },
  { maxRetries: 2 }
)
export const diffRetry = createWorkflow("diff-retry", (input: any) => {
  const f = flaky({ okAt: input.okAt })
  return new WorkflowResponse({ f })
})

// The same, retried after retryInterval seconds.
const flakyLater = step(
  "diff-flaky-later",
  (input, attempt) => {
    if (attempt < input.okAt) throw new Error(`attempt ${attempt} failed`)
    return { okAt: attempt }
  },
  { maxRetries: 1, retryInterval: 1 }
)
export const diffRetryInterval = createWorkflow("diff-retry-interval", (input: any) => {
  const f = flakyLater({ okAt: input.okAt })
  return new WorkflowResponse({ f })
})

const maybeSkip = step("diff-maybe-skip", (input) => (input.skip ? StepResponse.skip() : { ran: true }))
const skipAfter = step("diff-skip-after", (input) => {
  if (input.fail) throw new Error("after skip failed")
  return { after: true }
})
export const diffSkip = createWorkflow("diff-skip", (input: any) => {
  const s = maybeSkip({ skip: input.skip })
  const a = skipAfter({ fail: input.fail })
  return new WorkflowResponse({ s, a })
})

// The skip returned as it is (the step above wraps whatever is not a StepResponse, and
// StepResponse.skip() is not one).
const skipRaw = step("diff-skip-raw", (input) => (input.skip ? StepResponse.skip() : new StepResponse({ ran: true })), { raw: true })
export const diffSkipRaw = createWorkflow("diff-skip-raw", (input: any) => {
  const s = skipRaw({ skip: input.skip })
  const a = skipAfter({ fail: input.fail })
  return new WorkflowResponse({ s, a })
})

export const workflows: Record<string, any> = {
  "diff-skip-raw": diffSkipRaw,
  "diff-checkout": diffCheckout,
  "diff-when": diffWhen,
  "diff-parallel": diffParallel,
  "diff-nested": diffNested,
  "diff-permanent": diffPermanent,
  "diff-retry": diffRetry,
  "diff-retry-interval": diffRetryInterval,
  "diff-skip": diffSkip,
}
