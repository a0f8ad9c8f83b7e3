import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { listBrandsWorkflow } from "../../../workflows/list-brands"

// GET /store/brands (needs the x-publishable-api-key header, like every /store route):
// a route that imports and runs a project workflow.
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const { skip, take } = req.queryConfig.pagination ?? {}

  const { result } = await listBrandsWorkflow(req.scope).run({
    input: { skip, take },
  })

  res.json({
    brands: result.brands,
    count: result.metadata?.count,
    limit: result.metadata?.take,
    offset: result.metadata?.skip,
  })
}
