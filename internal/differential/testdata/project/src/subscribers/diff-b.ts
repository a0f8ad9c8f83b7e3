import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { record } from "../lib/trail"

export default async function diffB({ event, container }: SubscriberArgs<any>) {
  const svc: any = container.resolve("diffmod")
  record({ sub: "b", event: event.name, data: event.data, greeting: svc.greet("b") })
}

export const config: SubscriberConfig = { event: "diff.one", context: { subscriberId: "diff-b-handler" } }
