import { defineMiddlewares, validateAndTransformBody, validateAndTransformQuery, authenticate } from "@medusajs/framework/http"
import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "@medusajs/framework/zod"

// Each middleware leaves its name on the request, so that routes show which ones ran.
const mark = (name: string) => (req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) => {
  const r = req as any
  ;(r.mw = r.mw ?? []).push(name)
  next()
}

const Body = z.object({ name: z.string(), qty: z.number().min(1), kind: z.enum(["a", "b"]).optional() })
const Query = z.object({ fields: z.string().optional(), limit: z.coerce.number().optional(), offset: z.coerce.number().optional(), order: z.string().optional(), q: z.string().optional() })

export default defineMiddlewares({
  routes: [
    { matcher: "/store/diff/items*", middlewares: [mark("items-star")] },
    { matcher: "/store/diff/items/:id", middlewares: [mark("items-id")] },
    { matcher: "/store/diff/items/:id", methods: ["POST"], middlewares: [mark("items-id-post")] },
    { matcher: /^\/custom\/diff\/r[a-z]+/, middlewares: [mark("regexp")] },
    { matcher: /^\/store\/diff\/gx\/.*/g, middlewares: [mark("global-flag")] },
    { matcher: "/custom/diff", middlewares: [mark("custom-prefix")] },
    { matcher: "/custom/diff/x", methods: ["POST"], middlewares: [mark("custom-x-post")] },
    { matcher: "/admin/diff/*", middlewares: [mark("admin-star")] },
    { matcher: "/store/diff/items/:id", methods: ["GET"], middlewares: [authenticate("customer", ["bearer"], { allowUnauthenticated: true })] },
    { matcher: "/diff/validated", method: "POST", middlewares: [validateAndTransformBody(Body)] },
    { matcher: "/diff/query", method: "GET", middlewares: [validateAndTransformQuery(Query, { defaults: ["id", "title", "*variants"], allowed: ["id", "title", "handle", "variants"], isList: true, defaultLimit: 10 })] },
  ],
})
