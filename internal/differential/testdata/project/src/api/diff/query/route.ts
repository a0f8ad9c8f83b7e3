import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const r: any = req
  res.json({ validatedQuery: r.validatedQuery, filterableFields: r.filterableFields, queryConfig: r.queryConfig, listConfig: r.listConfig })
}
