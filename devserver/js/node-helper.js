// medusa-ls node helper: preloaded (`node -r`) into the project's own Medusa dev server when
// medusa-ls runs it with the node runtime. Medusa's IPC says only `{type:"hmr-result", success}`;
// this adds, over the same channel:
//   - medusa-ls:log      every error and warning Medusa logs, with the error's stack and the
//                        request it happened in, so that the editor can show it on its line;
//   - medusa-ls:hello    once, so that the supervisor knows the helper is in;
//   - command-result     answers to commands: invalidate (import-graph invalidation that
//                        Medusa lacks), emit-event, run-job, jobs.
// and it makes route reloads atomic: Medusa empties the Express stack, then loads the routes
// again (every route answers 404 meanwhile, and all of them stay gone when the load fails); with
// the helper the old routes serve until the new ones are in, and stay when the load fails.
// Everything it patches is checked first; what does not look as expected is left alone.
// Grandchild node processes do not run it.
"use strict"

if (typeof process.send === "function" && process.env.MEDUSA_LS_HELPER === "1") {
  delete process.env.MEDUSA_LS_HELPER
  install()
}

function install() {
  const Module = require("module")
  const path = require("path")
  const http = require("http")
  const net = require("net")
  const { AsyncLocalStorage } = require("async_hooks")

  const root = process.cwd()
  const requests = new AsyncLocalStorage()
  const nodeModules = path.sep + "node_modules" + path.sep

  function send(msg) {
    try {
      if (process.connected) process.send(msg)
    } catch (_) {
      // the supervisor went away; the disconnect handler stops the server
    }
  }

  function errorInfo(e) {
    if (!e || typeof e !== "object") return undefined
    return {
      name: String(e.name || "Error"),
      message: String(e.message || ""),
      stack: typeof e.stack === "string" ? e.stack : "",
      code: e.code !== undefined ? String(e.code) : undefined,
    }
  }

  // The last project file that threw while loading. Medusa sometimes logs only the error's
  // text ("Failed to register subscriber from <file>: Error: …"); the stack is here.
  let loadError = null
  function loadErrorFor(message) {
    const e = loadError
    if (!e || Date.now() - e.at > 5000 || typeof e.error.stack !== "string") return undefined
    const paths = message.match(/(?:\/|[A-Za-z]:\\)[^\s:'"()]+/g) || []
    return paths.some((p) => e.error.stack.includes(p)) ? e.error : undefined
  }

  function report(level, messageOrError, err) {
    let message = messageOrError
    let error = err
    if (messageOrError && typeof messageOrError === "object") {
      error = messageOrError
      message = ""
    }
    if (typeof message !== "string") message = String(message)
    if (level === "error") {
      if (!error) {
        error = loadErrorFor(message)
      } else if (loadError && loadError.error !== error && Date.now() - loadError.at < 5000 &&
        typeof error.message === "string" && loadError.error.message && error.message.includes(loadError.error.message)) {
        // Medusa wraps a file's load error in its own ("An error occurred while registering
        // API Routes. Error: …") and drops the stack that says where it happened.
        error = loadError.error
      }
    }
    send({
      type: "medusa-ls:log",
      level,
      message,
      exception: errorInfo(error),
      request: requests.getStore(),
    })
  }

  // Remember which request each piece of work belongs to.
  const emit = http.Server.prototype.emit
  http.Server.prototype.emit = function (event, req) {
    if (event === "request" && req && typeof req.method === "string") {
      const store = { method: req.method, path: String(req.url || "").split("?")[0] }
      return requests.run(store, () => emit.apply(this, arguments))
    }
    return emit.apply(this, arguments)
  }

  // Medusa logs through one Reporter (@medusajs/cli/dist/reporter); hook its error and warn as
  // it loads, whichever copy that is.
  const hooked = new WeakSet()
  const load = Module._load
  Module._load = function (request) {
    let exported
    try {
      exported = load.apply(this, arguments)
    } catch (e) {
      if (e && typeof e === "object") loadError = { error: e, at: Date.now() }
      throw e
    }
    if (typeof request !== "string" || !exported) return exported
    if (request.endsWith("reporter") && exported.Reporter) {
      hookReporter(exported.Reporter.prototype)
    } else if (request === "express" && exported.application) {
      hookExpress(exported.application)
    } else if (/(^|[\\/])(http|router|routes-loader)(\.js)?$/.test(request)) {
      if (exported.ApiLoader) hookApiLoader(exported.ApiLoader.prototype)
      if (exported.RoutesLoader) hookRoutesLoader(exported.RoutesLoader.prototype)
    }
    return exported
  }
  function hookReporter(proto) {
    if (!proto || hooked.has(proto) || typeof proto.error !== "function") return
    hooked.add(proto)
    const error = proto.error
    proto.error = function (messageOrError, err) {
      report("error", messageOrError, err)
      return error.apply(this, arguments)
    }
    const warn = proto.warn
    if (typeof warn === "function") {
      proto.warn = function (message) {
        report("warn", message)
        return warn.apply(this, arguments)
      }
    }
  }

  // The Express app each ApiLoader loads into, learnt from its first app.use during load().
  const appOf = new WeakMap()
  let loading = null
  function hookExpress(application) {
    if (hooked.has(application) || typeof application.use !== "function") return
    hooked.add(application)
    const use = application.use
    application.use = function () {
      if (loading && !appOf.has(loading)) appOf.set(loading, this)
      return use.apply(this, arguments)
    }
  }
  function hookApiLoader(proto) {
    if (!proto || hooked.has(proto) || typeof proto.load !== "function" || typeof proto.clearAllResources !== "function") return
    hooked.add(proto)
    const load = proto.load
    const clear = proto.clearAllResources
    const cleared = new WeakSet()
    proto.clearAllResources = function () {
      const app = appOf.get(this)
      if (!app || !app._router || !Array.isArray(app._router.stack)) return clear.apply(this, arguments)
      cleared.add(this) // load() swaps the layers once the new ones are in
    }
    proto.load = async function () {
      const app = appOf.get(this)
      const stack = app && app._router && app._router.stack
      loading = this
      try {
        if (!cleared.has(this) || !Array.isArray(stack)) return await load.apply(this, arguments)
        cleared.delete(this)
        const keep = global.__MEDUSA_HMR_INITIAL_STACK_LENGTH__ ?? 0
        const oldEnd = stack.length
        try {
          await load.apply(this, arguments)
        } catch (e) {
          stack.splice(oldEnd) // drop what the failed load added; the old routes keep serving
          throw e
        }
        stack.splice(keep, oldEnd - keep) // the new routes take over in one step
      } finally {
        loading = null
      }
    }
  }

  // Medusa re-reads every route of its own (about 330 files under node_modules) on each route
  // reload, though nothing there changes while it runs (node_modules modules never leave the
  // require cache). Scan those directories once and register copies of what they gave.
  function hookRoutesLoader(proto) {
    if (!proto || hooked.has(proto) || typeof proto.scanDir !== "function" || typeof proto.getRoutes !== "function" ||
      typeof proto.registerRoute !== "function") return
    hooked.add(proto)
    const scanDir = proto.scanDir
    const scanned = new Map()
    proto.scanDir = async function (sourceDir) {
      if (typeof sourceDir !== "string" || !sourceDir.includes(nodeModules)) return scanDir.apply(this, arguments)
      const cached = scanned.get(sourceDir)
      if (cached) {
        for (const route of cached) this.registerRoute({ ...route })
        return
      }
      const before = new Set(this.getRoutes())
      await scanDir.apply(this, arguments)
      scanned.set(sourceDir, this.getRoutes().filter((r) => !before.has(r)).map((r) => ({ ...r })))
    }
  }

  process.on("uncaughtExceptionMonitor", (e) => report("error", "Uncaught exception", e))

  // The supervisor is gone: stop like Ctrl-C would, rather than keep the port and the database
  // (Medusa ignores the channel closing). A request that never ends must not keep it alive.
  process.on("disconnect", () => {
    setTimeout(() => process.exit(0), 5000).unref()
    process.kill(process.pid, "SIGTERM")
  })
  // With the supervisor gone, every log write fails with EPIPE, and @medusajs/cli's
  // uncaughtException handler logs into the same dead pipe: the process spins at 100% CPU and
  // ignores SIGTERM. Exit instead.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e) => {
      if (e && (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED")) process.exit(0)
    })
  }
  // Medusa has no 'error' listener on its server and @medusajs/cli swallows uncaught
  // exceptions: a port taken between the supervisor's choice and the bind would leave a
  // process without a server. Exit, so the supervisor sees it.
  const listen = net.Server.prototype.listen
  let bound = false
  net.Server.prototype.listen = function () {
    if (!bound) {
      this.once("listening", () => (bound = true))
      this.once("error", (e) => {
        if (bound) return
        report("error", `Medusa could not listen: ${e.message}`)
        setTimeout(() => process.exit(1), 100)
      })
    }
    return listen.apply(this, arguments)
  }

  // ts-node's source-map-support caches each file's source map by path and never drops it, so
  // after a reload the frames of a recompiled file map through the old map (wrong lines). Drop
  // the caches before anything is reloaded. This listener runs before Medusa's, which is
  // installed after boot.
  function clearSourceMapCaches() {
    const shared = globalThis[Symbol.for("source-map-support/sharedData")]
    if (shared && shared.sourceMapCache) {
      shared.sourceMapCache = Object.create(null)
      shared.fileContentsCache = Object.create(null)
    }
  }

  process.on("message", (msg) => {
    if (msg && msg.type === "hmr-reload") return clearSourceMapCaches()
    if (!msg || msg.type !== "command") return
    Promise.resolve()
      .then(() => run(msg.name, msg.args || {}))
      .then(
        (data) => send({ type: "command-result", id: msg.id, data: data === undefined ? null : data }),
        (e) => send({ type: "command-result", id: msg.id, error: String((e && e.message) || e) })
      )
  })

  function resolveFromProject(name) {
    return require(require.resolve(name, { paths: [root] }))
  }

  function container() {
    const c = resolveFromProject("@medusajs/framework").container
    if (!c) throw new Error("the Medusa container is not available yet")
    return c
  }

  function jobs() {
    const { WorkflowManager } = resolveFromProject("@medusajs/framework/orchestration")
    const out = []
    for (const [id, wf] of WorkflowManager.getWorkflows()) {
      if (!id.startsWith("job-")) continue
      const schedule = (wf && wf.options && wf.options.schedule) || {}
      out.push({
        name: id.slice(4),
        cron: typeof schedule === "string" ? schedule : schedule.cron || "",
        interval: typeof schedule === "object" && schedule.interval ? schedule.interval : 0,
      })
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  // The answers have the shapes of medusa-ls's own commands (devserver/host/commands.go).
  async function run(name, args) {
    switch (name) {
      case "invalidate":
        return invalidate(args.files || [])
      case "emit-event": {
        const eventName = String(args.name || "").trim()
        if (!eventName) throw new Error("an event name is required (e.g. product.created)")
        const bus = container().resolve("event_bus")
        const listeners = (bus.eventToSubscribersMap && bus.eventToSubscribersMap.get(eventName)) || []
        const wildcard = (bus.eventToSubscribersMap && bus.eventToSubscribersMap.get("*")) || []
        await bus.emit({ name: eventName, data: args.data === undefined ? {} : args.data })
        const subscribers = [...listeners, ...wildcard].map((s) => String(s.id)).sort()
        return { name: eventName, subscribers }
      }
      case "run-job": {
        const names = jobs().map((j) => j.name)
        if (!names.includes(args.name)) {
          throw new Error(`no scheduled job named "${args.name}" (jobs: ${names.join(", ") || "none"})`)
        }
        const engine = container().resolve("workflows")
        const started = performance.now()
        const { errors } = await engine.run(`job-${args.name}`, {
          input: { scheduledFor: new Date().toISOString() },
          throwOnError: false,
          logOnError: true,
        })
        if (errors && errors.length) {
          const e = errors[0].error || errors[0]
          throw new Error(`job ${args.name} failed: ${(e && e.message) || e}`)
        }
        return { name: args.name, durationMs: performance.now() - started }
      }
      case "jobs":
        return jobs()
      default:
        throw new Error(`unknown command "${name}"`)
    }
  }

  // invalidate removes the given files and every project module that imports them, directly or
  // not, from require's cache, and returns those importers. Medusa clears only the file it is
  // told about, so a change to a shared helper would otherwise leave its importers on the old
  // code; the supervisor reloads the resources among the importers next.
  function invalidate(files) {
    clearSourceMapCaches()
    const importers = new Map()
    for (const [id, mod] of Object.entries(require.cache)) {
      if (!mod || id.includes(nodeModules)) continue
      for (const child of mod.children || []) {
        if (!importers.has(child.id)) importers.set(child.id, [])
        importers.get(child.id).push(id)
      }
    }
    const seen = new Set()
    const queue = files.map((f) => path.resolve(root, f))
    while (queue.length) {
      const id = queue.pop()
      if (seen.has(id)) continue
      seen.add(id)
      for (const parent of importers.get(id) || []) queue.push(parent)
    }
    for (const id of seen) delete require.cache[id]
    return { importers: [...seen].filter((id) => !files.includes(id) && id.startsWith(root + path.sep)) }
  }

  send({ type: "medusa-ls:hello", pid: process.pid, node: process.version })
}
