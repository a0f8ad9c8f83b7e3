import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { record } from "../lib/trail"

export default async function diffFail({ event }: SubscriberArgs<any>) {
  record({ sub: "fail", event: event.name })
  throw new Error("diff-fail refuses " + event.name)
}

export const config: SubscriberConfig = { event: ["diff.fail", "diff.two"] }
