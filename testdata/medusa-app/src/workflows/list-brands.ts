import { createWorkflow, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { useQueryGraphStep } from "@medusajs/medusa/core-flows"

type ListBrandsInput = {
  fields?: string[]
  skip?: number
  take?: number
}

// Lists brands through Query (used by GET /store/brands and the sync-brands job).
export const listBrandsWorkflow = createWorkflow("list-brands", (input: ListBrandsInput) => {
  const { data: brands, metadata } = useQueryGraphStep({
    entity: "brand",
    fields: ["id", "name"],
    pagination: {
      skip: input.skip,
      take: input.take,
    },
  })

  return new WorkflowResponse({ brands, metadata })
})
