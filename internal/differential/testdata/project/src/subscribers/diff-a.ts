import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { record } from "../lib/trail"

// Recorded when the handler starts: the trail shows the order handlers started in.
export default async function diffA({ event }: SubscriberArgs<any>) {
  record({ sub: "a", event: event.name, data: event.data })
}

export const config: SubscriberConfig = { event: ["diff.one", "diff.two"] }
