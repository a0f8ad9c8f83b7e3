// Node side of the HTTP oracle: serves the project in process.cwd() with Medusa's own API loader
// (@medusajs/framework/http ApiLoader: route and middleware loading, sorting, CORS, body
// parsers, error handler) on Express, sends the requests listed in the JSON file argv[2] and writes
// what came back to argv[3] (Medusa logs on stdout). Only the publishable-key check of /store is stubbed (it needs the
// database: see below); everything else is Medusa's code.
const path = require("path")
const fs = require("fs")
const express = require("express")
const { configManager } = require("@medusajs/framework/config")
const { createMedusaContainer } = require("@medusajs/framework/utils")
const { asValue } = require("@medusajs/framework/awilix")

const root = process.cwd()
const fw = path.join(root, "node_modules/@medusajs/framework")
const projectConfig = require(path.join(root, "medusa-config.js"))
configManager.loadConfig({ projectConfig, baseDir: root })
// The publishable key check queries the database for the key: stand in for that query only.
// A missing key goes through Medusa's own middleware; the key argv[4] is a valid key (the one
// medusa-ls accepts); any other is what Medusa answers for an unknown key.
const pkModule = require(path.join(fw, "dist/http/middlewares/ensure-publishable-api-key.js"))
const realPk = pkModule.ensurePublishableApiKeyMiddleware
const { MedusaError } = require("@medusajs/framework/utils")
pkModule.ensurePublishableApiKeyMiddleware = (req, res, next) => {
  const key = req.get("x-publishable-api-key")
  if (!key) return realPk(req, res, next)
  if (key === process.argv[4]) {
    req.publishable_key_context = { key, sales_channel_ids: [] }
    return next()
  }
  return next(new MedusaError(MedusaError.Types.NOT_ALLOWED, "A valid publishable key is required to proceed with the request"))
}
const { ApiLoader } = require(path.join(fw, "dist/http/router.js"))

const quiet = { debug() {}, info() {}, warn() {}, error() {}, log() {}, activity() {}, progress() {}, success() {}, failure() {}, shouldLog() { return false }, setLogLevel() {}, unsetLogLevel() {} }
const container = createMedusaContainer()
container.register({ logger: asValue(quiet), configModule: asValue(configManager.config) })

;(async () => {
  const app = express()
  app.use((req, res, next) => { req.scope = container.createScope(); next() })
  // @medusajs/medusa's loaders/api.js parses the query string again before the API loader.
  const qs = require("qs")
  app.use((req, res, next) => {
    const parsedUrl = req.url.split("?")
    parsedUrl.shift()
    const queryParamsStr = parsedUrl.join("?")
    if (queryParamsStr) req.query = qs.parse(queryParamsStr, { arrayLimit: Infinity })
    next()
  })
  // As @medusajs/medusa's loaders/api.js constructs it.
  const { restrictedFields, storeRelationsLimit } = configManager.config.projectConfig.http
  await new ApiLoader({ app, sourceDir: path.join(root, "src/api"), baseRestrictedFields: restrictedFields?.store, storeRelationsLimit, container }).load()
  const requests = JSON.parse(fs.readFileSync(process.argv[2], "utf8"))
  const srv = app.listen(0, "127.0.0.1", async () => {
    const base = `http://127.0.0.1:${srv.address().port}`
    const out = []
    for (const r of requests) {
      const res = await fetch(base + r.path, { method: r.method, headers: r.headers || {}, body: r.body, redirect: "manual" })
      out.push({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() })
    }
    fs.writeFileSync(process.argv[3], JSON.stringify(out))
    srv.close()
  })
})().catch((e) => { console.error(e); process.exit(1) })
