import { MedusaService } from "@medusajs/framework/utils"
import { Brand } from "./models/brand"

// MedusaService generates createBrands, listBrands, listAndCountBrands, retrieveBrand,
// updateBrands, deleteBrands, softDeleteBrands and restoreBrands.
class BrandModuleService extends MedusaService({
  Brand,
}) {}

export default BrandModuleService
