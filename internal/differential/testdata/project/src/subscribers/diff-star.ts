import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { record } from "../lib/trail"

// Every event; only the suite's own ones are recorded (Medusa emits others).
export default async function diffStar({ event }: SubscriberArgs<any>) {
  if (event.name.startsWith("diff.")) record({ sub: "star", event: event.name })
}

export const config: SubscriberConfig = { event: "*" }
