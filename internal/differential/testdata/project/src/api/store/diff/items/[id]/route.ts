import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

const echo = (req: MedusaRequest, route: string) => ({
  route,
  id: req.params.id,
  query: req.query,
  mw: (req as any).mw ?? [],
  customer: (req as any).auth_context?.actor_type ?? null,
})

export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  res.json(echo(req, "GET"))
}

export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  res.status(201).json({ ...echo(req, "POST"), body: req.body })
}

export const DELETE = async (req: MedusaRequest, res: MedusaResponse) => {
  res.status(200).json({ ...echo(req, "DELETE"), deleted: true })
}
