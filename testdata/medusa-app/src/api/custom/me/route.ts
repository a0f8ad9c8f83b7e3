import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"

// GET /custom/me: authenticate("user", ["session", "bearer"]) in src/api/middlewares.ts,
// so 401 without a token (routes outside /admin are not authenticated by default).
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json({
    actor_type: req.auth_context.actor_type,
    actor_id: req.auth_context.actor_id,
  })
}
