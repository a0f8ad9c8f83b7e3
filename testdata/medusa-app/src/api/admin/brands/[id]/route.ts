import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { BRAND_MODULE } from "../../../../modules/brand"
import type BrandModuleService from "../../../../modules/brand/service"

// GET /admin/brands/:id (404 when missing)
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data: brands } = await query.graph({
    entity: "brand",
    fields: ["id", "name", "products.id"],
    filters: { id: req.params.id },
  })
  if (!brands.length) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Brand with id: ${req.params.id} was not found`)
  }
  res.json({ brand: brands[0] })
}

// DELETE /admin/brands/:id
export const DELETE = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const brandModuleService: BrandModuleService = req.scope.resolve(BRAND_MODULE)
  await brandModuleService.deleteBrands(req.params.id)
  res.json({ id: req.params.id, object: "brand", deleted: true })
}
