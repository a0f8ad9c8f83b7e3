import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { formatPrice } from "../../../../utils/format"

const catalog: Record<string, { title: string; amount: number }> = {
  prod_shirt: { title: "Medusa T-Shirt", amount: 1999 },
  prod_mug: { title: "Medusa Mug", amount: 1250 },
}

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const product = catalog[req.params.id]
  if (!product) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Product with id ${req.params.id} was not found`)
  }
  res.json({
    product: { id: req.params.id, title: product.title, price: formatPrice(product.amount) },
  })
}
