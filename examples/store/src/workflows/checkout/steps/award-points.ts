import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { LOYALTY_MODULE } from "../../../modules/loyalty"
import type LoyaltyService from "../../../modules/loyalty/service"

type Input = { customer: string; total: number }

export const awardPointsStep = createStep(
  "award-points",
  async ({ customer, total }: Input, { container }) => {
    const loyalty: LoyaltyService = container.resolve(LOYALTY_MODULE)
    const points = loyalty.award(customer, total)
    return new StepResponse({ points, balance: loyalty.balance(customer) }, { customer, points })
  },
  async (awarded: { customer: string; points: number } | undefined, { container }) => {
    // As in Medusa, a step that fails is compensated too, with undefined: nothing to revoke.
    if (!awarded) return
    const { customer, points } = awarded
    const loyalty: LoyaltyService = container.resolve(LOYALTY_MODULE)
    loyalty.revoke(customer, points)
  }
)
