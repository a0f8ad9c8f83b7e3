import { Module } from "@medusajs/framework/utils"
import DiffModuleService from "./service"

export const DIFF_MODULE = "diffmod"

export default Module(DIFF_MODULE, { service: DiffModuleService })
