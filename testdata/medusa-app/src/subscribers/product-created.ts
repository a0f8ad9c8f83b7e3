import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"

export default async function productCreatedHandler({ event, container }: SubscriberArgs<{ id: string }>) {
  const logger = container.resolve("logger")
  logger.info(`FIXTURE-SUB v1 product.created ${event.data.id}`)
}

export const config: SubscriberConfig = {
  event: "product.created",
}
