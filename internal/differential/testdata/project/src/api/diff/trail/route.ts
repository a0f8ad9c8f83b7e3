import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { take } from "../../../lib/trail"

// What subscribers, jobs and steps recorded since the last call.
export const GET = async (_req: MedusaRequest, res: MedusaResponse) => {
  res.json(take())
}
