import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { syncBrandWorkflow } from "../workflows/sync-brand"

// Runs a project workflow for every brand.created (emitted by the create-brand workflow).
export default async function brandCreatedHandler({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  const logger = container.resolve("logger")
  const { result } = await syncBrandWorkflow(container).run({
    input: {
      id: data.id,
    },
  })
  logger.info(`FIXTURE-BRAND-SUB v1 ${data.id} ${result}`)
}

export const config: SubscriberConfig = {
  event: "brand.created",
}
