import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import MyFulfillmentProviderService from "./service"

export default ModuleProvider(Modules.FULFILLMENT, {
  services: [MyFulfillmentProviderService],
})
