import { AbstractFulfillmentProviderService } from "@medusajs/framework/utils"
import type {
  CalculatedShippingOptionPrice,
  CreateFulfillmentResult,
  FulfillmentOption,
  Logger,
} from "@medusajs/framework/types"

type InjectedDependencies = {
  logger: Logger
}

type Options = {
  label?: string
}

// A fulfillment provider module: registered under the Fulfillment Module's options.providers
// in medusa-config.ts (not in `modules` itself). Its provider id in the database is
// my-fulfillment_my-fulfillment (<identifier>_<id>; no "fp_" prefix, whatever the type docs say).
class MyFulfillmentProviderService extends AbstractFulfillmentProviderService {
  static identifier = "my-fulfillment"

  protected logger_: Logger
  protected options_: Options

  constructor({ logger }: InjectedDependencies, options: Options) {
    super()
    this.logger_ = logger
    this.options_ = options
  }

  async getFulfillmentOptions(): Promise<FulfillmentOption[]> {
    return [
      { id: "fixture-standard", name: `${this.options_.label ?? "Fixture"} standard` },
      { id: "fixture-return", name: `${this.options_.label ?? "Fixture"} return`, is_return: true },
    ]
  }

  async validateFulfillmentData(optionData: Record<string, unknown>, data: Record<string, unknown>): Promise<any> {
    return data
  }

  async validateOption(data: Record<string, unknown>): Promise<boolean> {
    return true
  }

  async canCalculate(): Promise<boolean> {
    return true
  }

  async calculatePrice(): Promise<CalculatedShippingOptionPrice> {
    return { calculated_amount: 5, is_calculated_price_tax_inclusive: false }
  }

  async createFulfillment(): Promise<CreateFulfillmentResult> {
    this.logger_.info("FIXTURE-FULFILLMENT v1 create")
    return { data: {}, labels: [] }
  }

  async cancelFulfillment(): Promise<any> {
    return {}
  }

  async createReturnFulfillment(): Promise<CreateFulfillmentResult> {
    return { data: {}, labels: [] }
  }
}

export default MyFulfillmentProviderService
