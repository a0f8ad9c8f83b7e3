import {
  authenticate,
  defineMiddlewares,
  validateAndTransformBody,
  validateAndTransformQuery,
} from "@medusajs/framework/http"
import { z } from "@medusajs/framework/zod"
import { createFindParams } from "@medusajs/medusa/api/utils/validators"
import { PostAdminCreateBrand } from "./admin/brands/validators"

export const GetBrandsSchema = createFindParams()

export default defineMiddlewares({
  routes: [
    {
      matcher: "/admin/brands",
      method: "GET",
      middlewares: [
        validateAndTransformQuery(GetBrandsSchema, {
          defaults: ["id", "name", "products.*"],
          isList: true,
        }),
      ],
    },
    {
      matcher: "/admin/brands",
      method: "POST",
      middlewares: [validateAndTransformBody(PostAdminCreateBrand)],
    },
    {
      // /admin routes are authenticated by default; this is what projects write anyway
      matcher: "/admin/brands*",
      middlewares: [authenticate("user", ["session", "bearer"])],
    },
    {
      matcher: "/store/brands",
      method: "GET",
      middlewares: [
        validateAndTransformQuery(GetBrandsSchema, {
          defaults: ["id", "name"],
          isList: true,
        }),
      ],
    },
    {
      matcher: "/custom/me*",
      middlewares: [authenticate("user", ["session", "bearer"])],
    },
    {
      // POST /admin/products accepts additional_data.brand_id (src/workflows/hooks/created-product.ts)
      matcher: "/admin/products",
      method: ["POST"],
      additionalDataValidator: {
        brand_id: z.string().optional(),
      },
    },
  ],
})
