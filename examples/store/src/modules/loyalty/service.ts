import type { Logger } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"

type InjectedDependencies = { logger: Logger }
type LoyaltyOptions = { pointsPerEuro: number; maxPointsPerOrder: number }

// A plain-class module service: constructed with the container and the options from
// medusa-config.ts, and resolved by its module name ("loyalty") in routes, steps and jobs.
export default class LoyaltyService {
  protected logger: Logger
  protected pointsPerEuro: number
  protected maxPointsPerOrder: number
  protected balances = new Map<string, number>()

  constructor({ logger }: InjectedDependencies, options: LoyaltyOptions) {
    this.logger = logger
    this.pointsPerEuro = options.pointsPerEuro
    this.maxPointsPerOrder = options.maxPointsPerOrder
  }

  award(customer: string, amountInCents: number): number {
    const points = Math.floor((amountInCents / 100) * this.pointsPerEuro)
    if (points > this.maxPointsPerOrder) {
      // Fails the checkout's second step, so the first one's compensation puts the stock back.
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `An order earns at most ${this.maxPointsPerOrder} points; this one would earn ${points}`
      )
    }
    this.balances.set(customer, this.balance(customer) + points)
    return points
  }

  revoke(customer: string, points: number) {
    this.balances.set(customer, Math.max(0, this.balance(customer) - points))
    this.logger.info(`Revoked ${points} points from ${customer}`)
  }

  balance(customer: string): number {
    return this.balances.get(customer) ?? 0
  }
}
