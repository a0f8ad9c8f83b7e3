import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"

export type SyncBrandStepInput = {
  id: string
  name?: string
}

// Pretends to push a brand to an external system; the "v1" in its result is what a test edits.
export const syncBrandStep = createStep("sync-brand-step", async (input: SyncBrandStepInput) => {
  return new StepResponse(`synced ${input.id} v1`)
})
