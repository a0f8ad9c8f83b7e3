import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

export const CORS = false

export const GET = async (_req: MedusaRequest, res: MedusaResponse) => {
  res.json({ cors: false })
}
