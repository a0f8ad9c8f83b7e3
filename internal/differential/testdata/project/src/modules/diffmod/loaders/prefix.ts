import { asValue } from "@medusajs/framework/awilix"

// A module loader registers a value in the module's container; the service receives it.
export default async function prefixLoader({ container, options }: any) {
  container.register("diffPrefix", asValue(`[${options?.greeting ?? "?"}]`))
}
