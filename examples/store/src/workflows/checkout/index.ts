import { createWorkflow, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { reserveStockStep } from "./steps/reserve-stock"
import { awardPointsStep } from "./steps/award-points"

type CheckoutInput = { product_id: string; quantity: number; customer: string; unit_price: number }

// POST /store/checkout runs this. If awarding points fails, the reserved stock is released.
export const checkoutWorkflow = createWorkflow("checkout", (input: CheckoutInput) => {
  const reservation = reserveStockStep({ product_id: input.product_id, quantity: input.quantity })
  const total = transform({ input }, ({ input }) => input.quantity * input.unit_price)
  const loyalty = awardPointsStep({ customer: input.customer, total })
  return new WorkflowResponse({ total, remaining: reservation.remaining, points: loyalty.points, balance: loyalty.balance })
})
