import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { MedusaError } from "@medusajs/framework/utils"
import { stock } from "../../../utils/stock"

type Input = { product_id: string; quantity: number }

// Takes the items out of stock; if a later step fails, the compensation puts them back.
export const reserveStockStep = createStep(
  "reserve-stock",
  async ({ product_id, quantity }: Input) => {
    const available = stock[product_id] ?? 0
    if (available < quantity) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Only ${available} of ${product_id} left`)
    }
    stock[product_id] = available - quantity
    return new StepResponse({ remaining: stock[product_id] }, { product_id, quantity })
  },
  async (reserved: Input | undefined, { container }) => {
    // As in Medusa, a step that fails is compensated too, with undefined: nothing to put back.
    if (!reserved) return
    stock[reserved.product_id] += reserved.quantity
    container
      .resolve("logger")
      .info(`Released ${reserved.quantity} × ${reserved.product_id} (checkout compensated; ${stock[reserved.product_id]} in stock)`)
  }
)
