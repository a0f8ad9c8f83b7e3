import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"

export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json({ actor_type: req.auth_context.actor_type, mw: (req as any).mw ?? [] })
}
