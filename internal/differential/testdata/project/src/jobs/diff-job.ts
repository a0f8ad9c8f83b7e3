import type { MedusaContainer } from "@medusajs/framework/types"
import { record } from "../lib/trail"

export default async function diffJob(container: MedusaContainer) {
  const svc: any = container.resolve("diffmod")
  record({ job: "diff-job", greeting: svc.greet("job") })
}

// Weekly: the suite runs it with run-job. (Not yearly: Medusa's scheduler waits with one
// setTimeout, and a next run more than 24.8 days away overflows it into an immediate run, again
// and again.)
export const config = { name: "diff-job", schedule: "0 0 * * 0" }
