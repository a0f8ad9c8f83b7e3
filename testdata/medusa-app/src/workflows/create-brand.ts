import { createWorkflow, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { emitEventStep } from "@medusajs/medusa/core-flows"
import { createBrandStep } from "./steps/create-brand"

type CreateBrandInput = {
  name: string
}

// Creates a brand and emits brand.created (src/subscribers/brand-created.ts handles it).
export const createBrandWorkflow = createWorkflow("create-brand", (input: CreateBrandInput) => {
  const brand = createBrandStep(input)

  emitEventStep({
    eventName: "brand.created",
    data: {
      id: brand.id,
    },
  })

  return new WorkflowResponse(brand)
})
