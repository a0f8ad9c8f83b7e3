import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"

// POST /emit?id=<id> emits product.created with data {id}; src/subscribers/product-created.ts logs it.
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const eventBus: any = req.scope.resolve(Modules.EVENT_BUS)
  const id = String(req.query.id ?? Date.now())
  await eventBus.emit({ name: "product.created", data: { id } })
  res.json({ emitted: id })
}
