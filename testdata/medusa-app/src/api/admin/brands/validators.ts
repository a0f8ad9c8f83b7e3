import { z } from "@medusajs/framework/zod"

export const PostAdminCreateBrand = z.object({
  name: z.string().min(1),
})

export type PostAdminCreateBrandType = z.infer<typeof PostAdminCreateBrand>
