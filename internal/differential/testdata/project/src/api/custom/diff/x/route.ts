import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

// polluted: whether an earlier query string reached Object.prototype.
const echo = (req: MedusaRequest) => ({
  mw: (req as any).mw ?? [],
  query: req.query,
  queryToString: typeof (req.query as any).toString,
  polluted: ({} as any).polluted ?? null,
})

export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  res.json(echo(req))
}

export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  res.json({ ...echo(req), body: req.body })
}
