import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { storeName } from "../../../utils/format"

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  res.json({
    message: `Hello from ${storeName()}`,
  })
}
