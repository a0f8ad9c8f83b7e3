import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { DIFF_MODULE } from "../../../modules/diffmod"

export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const svc: any = req.scope.resolve(DIFF_MODULE)
  res.json({ greeting: svc.greet(String(req.query.name ?? "you")), options: svc.options() })
}

// Every option key the service got: Medusa adds its own (intended.json).
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const svc: any = req.scope.resolve(DIFF_MODULE)
  res.json({ keys: svc.optionKeys() })
}
