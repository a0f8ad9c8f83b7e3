import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

// The response helpers routes use.
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  switch (req.params.kind) {
    case "text":
      return res.send("plain text")
    case "empty":
      return res.sendStatus(204)
    case "end":
      return res.status(202).end()
    case "redirect":
      return res.redirect("/custom/diff/x")
    case "typed":
      res.set("x-diff", "yes")
      res.type("text/csv")
      return res.send("a,b\n1,2\n")
    case "created":
      return res.status(201).json({ created: true })
    case "array":
      return res.json([1, "two", null])
    default:
      return res.status(418).json({ kind: req.params.kind })
  }
}
