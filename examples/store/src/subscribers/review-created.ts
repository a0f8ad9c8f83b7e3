import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { averageRating } from "../utils/reviews"

// Runs on every review.created event. Try `medusa-ls emit review.created --data '{"product_id":"prod_mug","rating":4}'`.
export default async function reviewCreatedHandler({ event, container }: SubscriberArgs<{ product_id: string; rating: number }>) {
  const logger = container.resolve("logger")
  const average = averageRating(event.data.product_id)
  logger.info(`New ${event.data.rating}★ review for ${event.data.product_id} (average ${average?.toFixed(1) ?? "n/a"})`)
}

export const config: SubscriberConfig = {
  event: "review.created",
}
