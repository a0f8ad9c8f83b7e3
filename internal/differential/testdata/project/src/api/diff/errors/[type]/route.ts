import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"

// Throws a MedusaError of the type in the path, or what the other names say.
export const GET = async (req: MedusaRequest, _res: MedusaResponse) => {
  const t = req.params.type
  if (t === "plain") throw new Error("plain failure")
  if (t === "status") {
    const e: any = new Error("teapot")
    e.statusCode = 418
    throw e
  }
  throw new MedusaError(t as any, `message for ${t}`)
}
