import { Module } from "@medusajs/framework/utils"
import GreeterModuleService from "./service"

export const GREETER_MODULE = "greeter"

export default Module(GREETER_MODULE, {
  service: GreeterModuleService,
})
