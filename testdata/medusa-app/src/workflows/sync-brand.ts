import { createWorkflow, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { useQueryGraphStep } from "@medusajs/medusa/core-flows"
import { syncBrandStep } from "./steps/sync-brand"

type SyncBrandInput = {
  id: string
}

// Run by src/subscribers/brand-created.ts for every brand.created event.
export const syncBrandWorkflow = createWorkflow("sync-brand", (input: SyncBrandInput) => {
  const { data: brands } = useQueryGraphStep({
    entity: "brand",
    fields: ["id", "name"],
    filters: {
      id: input.id,
    },
  })

  const stepInput = transform({ input, brands }, ({ input, brands }) => ({
    id: input.id,
    name: brands[0]?.name,
  }))

  const result = syncBrandStep(stepInput)

  return new WorkflowResponse(result)
})
