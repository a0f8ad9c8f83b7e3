import type { MedusaContainer } from "@medusajs/framework/types"

export default async function tickJob(container: MedusaContainer) {
  const logger = container.resolve("logger")
  logger.info("FIXTURE-JOB v1 tick")
}

export const config = {
  name: "fixture-tick",
  schedule: "* * * * *", // every minute
}
