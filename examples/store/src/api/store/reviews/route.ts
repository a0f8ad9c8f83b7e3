import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import { reviews } from "../../../utils/reviews"

type ReviewBody = { product_id?: string; rating?: number; text?: string }

export async function POST(req: MedusaRequest<ReviewBody>, res: MedusaResponse) {
  const { product_id, rating, text } = req.body
  if (!product_id || typeof rating !== "number" || rating < 1 || rating > 5) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, "product_id and a rating from 1 to 5 are required")
  }
  const review = { id: `rev_${reviews.length + 1}`, product_id, rating, text: text ?? "" }
  reviews.push(review)

  // Subscribers of review.created (src/subscribers/review-created.ts) run after the response.
  const eventBus = req.scope.resolve(Modules.EVENT_BUS)
  await eventBus.emit({ name: "review.created", data: { id: review.id, product_id, rating } })

  res.status(201).json({ review })
}

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  res.json({ reviews, count: reviews.length })
}
