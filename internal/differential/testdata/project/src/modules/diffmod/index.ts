import { Module } from "@medusajs/framework/utils"
import DiffModuleService from "./service"
import prefixLoader from "./loaders/prefix"

export const DIFF_MODULE = "diffmod"

export default Module(DIFF_MODULE, { service: DiffModuleService, loaders: [prefixLoader] })
