import { createProductsWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse } from "@medusajs/framework/workflows-sdk"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { LinkDefinition } from "@medusajs/framework/types"
import { BRAND_MODULE } from "../../modules/brand"
import BrandModuleService from "../../modules/brand/service"

// POST /admin/products with additional_data.brand_id links the new products to that brand
// (src/api/middlewares.ts declares brand_id in additionalDataValidator).
createProductsWorkflow.hooks.productsCreated(
  async ({ products, additional_data }, { container }) => {
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
    logger.info(`FIXTURE-HOOK v1 productsCreated ${products.map((p) => p.id).join(",")}`)

    if (!additional_data?.brand_id) {
      return new StepResponse([], [])
    }

    const brandModuleService: BrandModuleService = container.resolve(BRAND_MODULE)
    // throws a not-found error when the brand does not exist
    await brandModuleService.retrieveBrand(additional_data.brand_id as string)

    const link = container.resolve(ContainerRegistrationKeys.LINK)
    const links: LinkDefinition[] = products.map((product) => ({
      [Modules.PRODUCT]: {
        product_id: product.id,
      },
      [BRAND_MODULE]: {
        brand_id: additional_data.brand_id,
      },
    }))

    await link.create(links)
    logger.info(`FIXTURE-HOOK v1 linked ${links.length} product(s) to ${additional_data.brand_id}`)

    return new StepResponse(links, links)
  },
  async (links, { container }) => {
    if (!links?.length) {
      return
    }
    const link = container.resolve(ContainerRegistrationKeys.LINK)
    await link.dismiss(links)
  }
)
