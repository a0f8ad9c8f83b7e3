import type { MedusaContainer } from "@medusajs/framework/types"
import { averageRating, reviews } from "../utils/reviews"

// Every hour, a summary of the reviews so far. Run it now with `medusa-ls run-job reviews-digest`.
export default async function reviewsDigest(container: MedusaContainer) {
  const logger = container.resolve("logger")
  const average = averageRating()
  logger.info(`Reviews digest: ${reviews.length} reviews, average ${average?.toFixed(1) ?? "n/a"}`)
}

export const config = {
  name: "reviews-digest",
  schedule: "0 * * * *",
}
