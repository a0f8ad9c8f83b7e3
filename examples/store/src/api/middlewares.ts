import { defineMiddlewares } from "@medusajs/framework/http"
import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

// Adds a header to every /store response, so you can see middleware edits take effect.
function storeHeader(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  res.setHeader("x-powered-by-store", "medusa-ls example")
  next()
}

export default defineMiddlewares({
  routes: [
    {
      matcher: "/store*",
      middlewares: [storeHeader],
    },
  ],
})
