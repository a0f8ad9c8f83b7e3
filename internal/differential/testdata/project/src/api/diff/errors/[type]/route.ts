import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "@medusajs/framework/zod"

// Throws a MedusaError of the type in the path, or what the other names say.
export const GET = async (req: MedusaRequest, _res: MedusaResponse) => {
  const t = req.params.type
  if (t === "zod") {
    // A ZodError of two issues, one at a nested array path.
    z.object({ a: z.string(), items: z.array(z.object({ name: z.string() })) }).parse({ items: [{ name: "x" }, {}] })
  }
  if (t === "plain") throw new Error("plain failure")
  if (t === "status") {
    const e: any = new Error("teapot")
    e.statusCode = 418
    throw e
  }
  throw new MedusaError(t as any, `message for ${t}`)
}
