import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { checkoutWorkflow } from "../../../workflows/checkout"

type Body = { product_id?: string; quantity?: number; customer?: string }

const prices: Record<string, number> = { prod_shirt: 1999, prod_mug: 1250 }

export async function POST(req: MedusaRequest<Body>, res: MedusaResponse) {
  const { product_id, quantity = 1, customer = "guest" } = req.body
  if (!product_id || !(product_id in prices)) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, "product_id must be prod_shirt or prod_mug")
  }
  const { result } = await checkoutWorkflow(req.scope).run({
    input: { product_id, quantity, customer, unit_price: prices[product_id] },
  })
  res.status(201).json({ order: result })
}
