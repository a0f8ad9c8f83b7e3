// Node side of the events oracle: loads the project's src/subscribers with Medusa's own
// SubscriberLoader onto @medusajs/event-bus-local, runs src/lib/driver.js's emits on that bus,
// waits until every handler has finished, and prints the trail the subscribers recorded.
const path = require("path")
const root = process.cwd()
const fw = path.join(root, "node_modules/@medusajs/framework")
const { configManager } = require("@medusajs/framework/config")
configManager.loadConfig({ projectConfig: { projectConfig: {} }, baseDir: root })
const { container } = require("@medusajs/framework")
const { asValue } = require("@medusajs/framework/awilix")
const { Modules } = require("@medusajs/framework/utils")
const LocalEventBusService = require(path.join(root, "node_modules/@medusajs/event-bus-local/dist/services/event-bus-local.js")).default
const { SubscriberLoader } = require(path.join(fw, "dist/subscribers/subscriber-loader.js"))

const quiet = { debug() {}, info() {}, warn() {}, error() {}, log() {} }
const eventBus = new LocalEventBusService({ logger: quiet }, {}, {})
container.register({ [Modules.EVENT_BUS]: asValue(eventBus), logger: asValue(quiet) })

;(async () => {
  await new SubscriberLoader(path.join(root, "src/subscribers"), {}, container).load()
  const starts = await require(path.join(root, "src/lib/driver.js")).run(eventBus)
  process.stdout.write("\n@@trail " + JSON.stringify(starts) + "\n")
})().catch((e) => { console.error(e); process.exit(1) })
