import type { MedusaContainer } from "@medusajs/framework/types"
import { listBrandsWorkflow } from "../workflows/list-brands"

export default async function syncBrandsJob(container: MedusaContainer) {
  const logger = container.resolve("logger")
  const { result } = await listBrandsWorkflow(container).run({
    input: {},
  })
  logger.info(`FIXTURE-SYNC-JOB v1 ${result.brands.length} brands`)
}

export const config = {
  name: "fixture-sync-brands",
  schedule: "0 * * * *", // hourly
}
