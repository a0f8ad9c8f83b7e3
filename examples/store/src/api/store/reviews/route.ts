import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"

type ReviewBody = { product_id?: string; rating?: number; text?: string }

const reviews: Array<Required<ReviewBody> & { id: string }> = []

export async function POST(req: MedusaRequest<ReviewBody>, res: MedusaResponse) {
  const { product_id, rating, text } = req.body
  if (!product_id || typeof rating !== "number" || rating < 1 || rating > 5) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, "product_id and a rating from 1 to 5 are required")
  }
  const review = { id: `rev_${reviews.length + 1}`, product_id, rating, text: text ?? "" }
  reviews.push(review)
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  logger.info(`Review ${review.id} added for ${product_id}`)
  res.status(201).json({ review })
}

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  res.json({ reviews, count: reviews.length })
}
