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
  const fs = require("fs")
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

  // cut keeps a long text's head and tail (a stack's frames are at its end), so that one message
  // stays far below the supervisor's IPC line limit (16 MiB) whatever an error carries.
  function cut(s, max = 16 << 10) {
    if (typeof s !== "string" || s.length <= max) return s
    const tail = Math.floor(max * 0.75)
    const head = max - tail
    return `${s.slice(0, head)}… [${s.length - max} characters cut] …${s.slice(-tail)}`
  }

  // describe turns whatever was thrown into {name, message, stack, code}: an Error or Medusa's
  // MedusaError, an error that crossed a serialization (a plain object with a message, as
  // workflow steps' errors are), a workflow's errors array ([{action, handlerType, error}]), a
  // string, anything else. Never "[object Object]".
  function describe(v, depth = 0) {
    if (v && typeof v === "object" && depth < 4) {
      if (typeof v.message === "string" && (v.message || v instanceof Error)) {
        let name = typeof v.name === "string" && v.name ? v.name : (v.constructor && v.constructor.name) || "Error"
        if (name === "Object") name = "Error"
        return { name, message: v.message, stack: typeof v.stack === "string" ? v.stack : "", code: v.code !== undefined && v.code !== null ? String(v.code) : (typeof v.type === "string" ? v.type : undefined) }
      }
      if (Array.isArray(v) && v.length) {
        const first = describe(v[0] && typeof v[0] === "object" && "error" in v[0] ? v[0].error : v[0], depth + 1)
        if (v.length > 1) first.message += ` (and ${v.length - 1} more error${v.length > 2 ? "s" : ""})`
        return first
      }
      if ("error" in v && v.error) return describe(v.error, depth + 1)
    }
    if (typeof v === "string") return { name: "Error", message: v, stack: "" }
    let text
    try {
      text = JSON.stringify(v)
    } catch (_) {
      text = undefined
    }
    if (text === undefined) text = String(v)
    return { name: "Error", message: `a value that is not an Error was thrown: ${text}`, stack: "" }
  }

  function errorInfo(e) {
    if (e === undefined || e === null) return undefined
    const d = describe(e)
    return {
      name: cut(String(d.name), 256),
      message: cut(String(d.message)),
      stack: cut(d.stack),
      code: d.code !== undefined ? cut(d.code, 256) : undefined,
    }
  }

  // projectPosition is "src/…:line:col" of the first project frame of a stack (ts-node's
  // source maps make it the .ts line), or "".
  function projectPosition(stack) {
    for (const line of String(stack || "").split("\n")) {
      const m = line.match(/\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):(\d+)\)?$/)
      if (m && isProjectFile(m[1])) return `${path.relative(root, m[1]).split(path.sep).join("/")}:${m[2]}:${m[3]}`
    }
    return ""
  }

  // outcomeError records what a subscriber threw on its outcome: the message and where.
  function outcomeError(outcome, v) {
    const d = describe(v)
    outcome.error = cut(d.name && d.name !== "Error" ? `${d.name}: ${d.message}` : d.message, 4096)
    const at = projectPosition(d.stack)
    if (at) outcome.source = at
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

  // Medusa also logs and rethrows errors it caught as text: a module's loader that threw is
  // "Loaders for module X failed: <message>" (modules-sdk's runLoaders), built from the error it
  // passed to stringifyCircular. The errors stringifyCircular saw lately, to find where a
  // wrapped message came from.
  const stringified = []
  function hookStringifyCircular(exported) {
    const original = exported.stringifyCircular
    if (hooked.has(original)) return
    const wrapped = function (value) {
      if (value instanceof Error && typeof value.stack === "string") {
        stringified.push({ error: value, at: Date.now() })
        if (stringified.length > 8) stringified.shift()
      }
      return original.apply(this, arguments)
    }
    hooked.add(wrapped)
    try {
      exported.stringifyCircular = wrapped
    } catch (_) {
      // read-only: the wrapped errors keep Medusa's text only
    }
  }

  // originOf is the error that e wraps, when e has no frame in the project and an error seen
  // in the last 5 s (a load error, or one Medusa stringified) has, and its message is in e's.
  function originOf(e) {
    if (!e || typeof e.message !== "string" || hasProjectFrame(e)) return e
    for (let i = stringified.length - 1; i >= -1; i--) {
      const c = i >= 0 ? stringified[i] : loadError
      if (!c || c.error === e || Date.now() - c.at > 5000) continue
      const m = c.error.message
      if (typeof m === "string" && m && e.message.includes(m) && hasProjectFrame(c.error)) return c.error
    }
    return e
  }

  const hasProjectFrame = (e) => projectFileInStack(e.stack) !== null

  // projectFileInStack is the project file of a stack's first frame in the project, or null.
  function projectFileInStack(stack) {
    for (const line of String(stack || "").split("\n")) {
      const m = line.match(/\(?((?:\/|[A-Za-z]:\\)[^():]+):\d+:\d+\)?$/)
      if (m && isProjectFile(m[1])) return m[1]
    }
    return null
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
        error = loadErrorFor(message) || originOf({ message, stack: "" })
        if (error && !error.stack) error = undefined
      } else if (loadError && loadError.error !== error && Date.now() - loadError.at < 5000 &&
        typeof error.message === "string" && loadError.error.message && error.message.includes(loadError.error.message)) {
        // Medusa wraps a file's load error in its own ("An error occurred while registering
        // API Routes. Error: …") and drops the stack that says where it happened.
        error = loadError.error
      }
    }
    const request = requests.getStore()
    if (request && request.file === undefined) request.file = routeFileFor(request.method, request.path)
    send({
      type: "medusa-ls:log",
      level,
      message: cut(message),
      exception: errorInfo(error),
      request,
    })
  }

  // Remember which request each piece of work belongs to, and when the last one (or the last
  // command from the supervisor) came.
  let lastRequestAt = 0
  const emit = http.Server.prototype.emit
  http.Server.prototype.emit = function (event, req) {
    if (event === "request" && req && typeof req.method === "string") {
      lastRequestAt = Date.now()
      const store = { method: req.method, path: String(req.url || "").split("?")[0] }
      return requests.run(store, () => emit.apply(this, arguments))
    }
    return emit.apply(this, arguments)
  }

  const endBootRandomPool = poolSmallRandomBytes()
  let saveResolveCache = () => {}
  installResolveCache()
  let saveCodeCache = () => {}
  installCodeCache()
  // Both are written once Medusa is up and quiet (compactWhenIdle), or at exit if it never was:
  // a server stopped or restarted right after its boot still leaves them for the next one.
  // Both writes are synchronous, as an exit listener must be.
  function saveCaches() {
    saveResolveCache()
    saveCodeCache()
  }
  process.on("exit", saveCaches)

  // writeWhole writes chunks to file through a temporary file and a rename: a server starting
  // beside this one reads the whole file or the previous one, never half of it.
  function writeWhole(file, chunks) {
    const tmp = `${file}.${process.pid}.tmp`
    try {
      const fd = fs.openSync(tmp, "w", 0o600)
      try {
        for (const c of chunks) fs.writeSync(fd, c)
      } finally {
        fs.closeSync(fd)
      }
      fs.renameSync(tmp, file)
    } catch (_) {
      try {
        fs.unlinkSync(tmp)
      } catch (_) {}
    }
  }

  // Medusa logs through one Reporter (@medusajs/cli/dist/reporter); hook its error and warn as
  // it loads, whichever copy that is.
  const hooked = new WeakSet()
  const load = Module._load
  Module._load = function (request, parent) {
    if (request === "./dist/index.js" && parent && startWithoutYargs(parent.filename)) return {}
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
      if (!hot.express && typeof exported.Router === "function") hot.express = exported
    } else if (/(^|[\\/])(http|router|routes-loader)(\.js)?$/.test(request)) {
      if (exported.ApiLoader) hookApiLoader(exported)
      if (exported.RoutesLoader) hookRoutesLoader(exported.RoutesLoader.prototype)
    } else if (exported.WorkflowManager && /workflow-manager(\.js)?$|orchestration/.test(request)) {
      hookWorkflowManager(exported.WorkflowManager)
    } else if (request.endsWith("create-step-handler") && typeof exported.createStepHandler === "function") {
      hookCreateStepHandler(exported)
    } else if (request.endsWith("stringify-circular") && typeof exported.stringifyCircular === "function") {
      hookStringifyCircular(exported)
    }
    return exported
  }
  // `medusa start` the way @medusajs/cli runs it (dist/index.js, create-cli.js), without
  // loading the CLI's other commands and yargs to parse the three options the supervisor passes:
  // `new` alone requires ~0.1 s of code that no server uses. cli.js itself (ts-node,
  // tsconfig-paths, dotenv) has run before it requires dist/index.js. Anything unexpected — another
  // CLI major, other arguments, not a Medusa project — is left to the CLI.
  function startWithoutYargs(cliFile) {
    const cliDir = path.dirname(cliFile)
    if (path.basename(cliFile) !== "cli.js" || path.basename(cliDir) !== "cli") return false
    try {
      if (fs.realpathSync(process.argv[1]) !== cliFile) return false
    } catch (_) {
      return false
    }
    const argv = process.argv.slice(2)
    if (argv[0] !== "start") return false
    const opts = { types: false }
    for (let i = 1; i < argv.length; i++) {
      if (argv[i] === "--types") opts.types = true
      else if ((argv[i] === "--port" || argv[i] === "--host") && i + 1 < argv.length) opts[argv[i].slice(2)] = argv[++i]
      else return false
    }
    if (opts.port === undefined || opts.host === undefined) return false
    let sitePackageJson, start
    const directory = path.resolve(".")
    try {
      if (!/^2\./.test(require(path.join(cliDir, "package.json")).version)) return false
      sitePackageJson = require(path.join(directory, "package.json"))
      const { dependencies: d, devDependencies: dd } = sitePackageJson
      const dep = (m) => !!(m && (m["@medusajs/medusa"] || m["@medusajs/cli"]))
      if (!dep(d) && !dep(dd)) return false
      const cmd = Module.createRequire(path.join(directory, "index.js")).resolve("@medusajs/medusa/commands/start")
      start = require(cmd).default
    } catch (_) {
      return false
    }
    if (typeof start !== "function") return false
    // dist/index.js
    process.on("unhandledRejection", (reason) => {
      if (!(reason instanceof Error)) reason = new Error(require("util").format(reason))
      console.log(reason)
    })
    process.on("uncaughtException", (error) => {
      console.log(error)
    })
    // create-cli.js: the arguments yargs gives the start command, and its handler
    const args = {
      _: ["start"],
      types: opts.types,
      port: opts.port,
      p: opts.port,
      host: opts.host,
      H: opts.host,
      verbose: false,
      "no-color": false,
      "no-colors": false,
      noColors: false,
      noColor: false,
      json: false,
      workers: "0",
      servers: "0",
      $0: "medusa",
      directory,
      sitePackageJson,
      useYarn: fs.existsSync(path.join(directory, "yarn.lock")),
    }
    process.env.NODE_ENV = process.env.NODE_ENV || "production"
    try {
      start(args)
    } catch (e) {
      console.error(e)
      process.exit(1)
    }
    return true
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

  // ---- Targeted reloads ------------------------------------------------------------------
  // Medusa's HMR reloads a route by emptying the whole API and loading it again (its
  // clearAllResources also drops the layers ApiLoader's constructor added, such as the one that
  // sets req.allowed, so every validateAndTransformQuery route answers 500 afterwards), and a
  // workflow by unregistering it before registering the new one (a run started in between fails
  // with "Workflow … not found"). The helper reloads instead, on the supervisor's "reload"
  // command, exactly the files that changed and their project importers, and swaps what they
  // produced in one synchronous step each:
  //   - the API lives in its own express.Router behind one dispatcher layer; a route file whose
  //     methods and flags are unchanged swaps its handlers in a table the registered layers read
  //     through; anything else (middlewares.ts, a new or deleted route, changed exports) builds a
  //     new Router with Medusa's own ApiLoader off to the side and swaps it in when it is complete;
  //   - a workflow re-registered from a reloading file replaces the old definition (no window);
  //   - a hook handler re-registered from a reloading file replaces the old one;
  //   - a subscriber's subscriptions are swapped synchronously, and kept if the new file fails.
  const hot = {
    express: null,
    api: null, // { Base, opts, outer, router, first }
    routeTable: new Map(), // "<file>\0<METHOD>" → the project's handler
    routeShapes: new Map(), // file → what Medusa derives from it besides the handlers
    trampolines: new Map(),
    staging: null, // { table, shapes } while a new Router is built
    capture: null, // route descriptors read by the fast path, not registered
    WorkflowManager: null,
    reloading: false, // true while the helper re-requires files
    registered: null, // workflow ids registered during the current file's load
    hooks: [], // { ctx, name, noop, file }
    hookedNow: null, // hook entries registered during the current file's load
    currentFile: null,
    // "workflow:<id>" (jobs' `job-<name>` workflows too) and "subscriber:<id>" → the project
    // file that defines it now. Medusa's dev-server registry only ever adds (a file that once
    // defined an id, or was renamed, still lists it), so removing "what a file defined" from it
    // alone removed what another file defines now.
    owners: new Map(),
    unlinking: new Set(), // files the current batch deletes
    dropped: null, // workflow ids unregistered during the current file's reload
    journal: null, // undo functions of what the file being loaded registered (requireFresh)
  }

  function isProjectFile(f) {
    return typeof f === "string" && f.startsWith(root + path.sep) && !f.includes(nodeModules)
  }

  function routeKey(file, method) {
    return file + "\0" + method
  }

  function trampoline(key, name) {
    let t = hot.trampolines.get(key)
    if (!t) {
      // Medusa's wrapHandler awaits what this returns and passes a rejection to next().
      t = function (req, res, next) {
        const handler = hot.routeTable.get(key)
        if (typeof handler !== "function") return next()
        return handler.apply(this, arguments)
      }
      // Medusa names the wrapped handler after it (stack traces, tracing)
      if (name) Object.defineProperty(t, "name", { value: name })
      hot.trampolines.set(key, t)
    }
    return t
  }

  // routeFileFor is the project route file whose matcher serves method and path, if any (so that
  // a request failing inside Medusa's own code is shown on the route it was for).
  function routeFileFor(method, p) {
    let found = null
    for (const [file, shapes] of hot.routeShapes) {
      for (const shape of shapes) {
        const [m, matcher] = shape.split("|")
        if (m !== method && !(method === "HEAD" && m === "GET")) continue
        const re = new RegExp("^" + matcher.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\*/g, ".*").replace(/:\w+/g, "[^/]+") + "/?$", "i")
        if (re.test(p)) {
          // static segments win over parameters, as Medusa sorts them
          if (!found || (matcher.match(/:/g) || []).length < found.params) found = { file, params: (matcher.match(/:/g) || []).length }
        }
      }
    }
    return found ? found.file : undefined
  }

  function shapeOf(route) {
    return [route.method, String(route.matcher), !!route.optedOutOfAuth, !!route.shouldAppendAdminCors,
      !!route.shouldAppendAuthCors, !!route.shouldAppendStoreCors].join("|")
  }

  // ApiLoader is replaced by a subclass that loads into an express.Router of its own, which one
  // layer of the app dispatches to. Its load() builds a whole new Router after the first, so
  // that Medusa's own HMR (which calls clearAllResources then load) is atomic too.
  function hookApiLoader(exported) {
    const Base = exported.ApiLoader
    if (hooked.has(Base) || typeof Base !== "function" || typeof Base.prototype.load !== "function") return
    class MedusaLsApiLoader extends Base {
      constructor(opts) {
        const express = hot.express
        const app = opts && opts.app
        if (!express || !app || typeof app.use !== "function" || hot.api) {
          super(opts)
          return
        }
        const router = express.Router()
        super({ ...opts, app: router })
        const api = { Base, opts, outer: this, router: null, pending: router, first: true }
        hot.api = api
        app.use(function medusaLsApi(req, res, next) {
          const r = api.router
          if (!r) return next()
          return r(req, res, next)
        })
      }
      clearAllResources() {
        if (!hot.api || hot.api.outer !== this) return super.clearAllResources()
        // load() swaps in a complete new Router; nothing is cleared before it is ready
      }
      async load() {
        const api = hot.api
        if (!api || api.outer !== this) return super.load()
        if (api.first) {
          api.first = false
          await super.load()
          api.router = api.pending
          api.pending = null
          return
        }
        await rebuildApi()
      }
    }
    hooked.add(MedusaLsApiLoader)
    hooked.add(Base)
    try {
      exported.ApiLoader = MedusaLsApiLoader
    } catch (_) {
      // a read-only export: Medusa's own loader stays
    }
  }

  // rebuildApi loads the whole API with Medusa's ApiLoader into a new Router and swaps it in
  // once it is complete; if loading throws, the current Router keeps serving.
  async function rebuildApi() {
    const api = hot.api
    const router = hot.express.Router()
    const staging = { table: new Map(), shapes: new Map() }
    const outer = global.__MEDUSA_HMR_API_LOADER__
    hot.staging = staging
    try {
      await new api.Base({ ...api.opts, app: router }).load()
    } finally {
      hot.staging = null
      global.__MEDUSA_HMR_API_LOADER__ = outer // Medusa's HMR keeps reloading through the outer one
    }
    hot.routeTable = staging.table
    hot.routeShapes = staging.shapes
    api.router = router
  }

  // Medusa re-reads every route of its own (about 330 files under node_modules) on each API
  // load, though nothing there changes while it runs (node_modules modules never leave the
  // require cache). Scan those directories once and register copies of what they gave. The
  // project's routes are registered through trampolines that read the route table.
  function hookRoutesLoader(proto) {
    if (!proto || hooked.has(proto) || typeof proto.scanDir !== "function" || typeof proto.getRoutes !== "function" ||
      typeof proto.registerRoute !== "function") return
    hooked.add(proto)
    const scanDir = proto.scanDir
    const registerRoute = proto.registerRoute
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
    proto.registerRoute = function (route) {
      if (!route || typeof route.handler !== "function" || !isProjectFile(route.absolutePath) || !route.method) {
        return registerRoute.apply(this, arguments)
      }
      if (hot.capture) {
        hot.capture.push(route)
        return
      }
      const key = routeKey(route.absolutePath, route.method)
      const target = hot.staging || { table: hot.routeTable, shapes: hot.routeShapes }
      target.table.set(key, route.handler)
      const shapes = target.shapes.get(route.absolutePath) || []
      shapes.push(shapeOf(route))
      target.shapes.set(route.absolutePath, shapes)
      return registerRoute.call(this, { ...route, handler: trampoline(key, route.handler.name) })
    }
    hot.RoutesLoader = proto.constructor
  }

  // ownerOf is the project file that defines the workflow or subscriber id now: the last one a
  // reload loaded it from, else (defined at boot) the last project file Medusa's registry lists
  // for it that is loaded (one whose load threw is not: at boot, a second definition with other
  // steps throws and the first stays; one with the same steps replaces it).
  function ownerOf(type, id) {
    const key = type + ":" + id
    if (hot.owners.has(key)) return hot.owners.get(key)
    let owner
    for (const f of listedFor(type, id)) if (loaded(f)) owner = f
    return owner
  }

  // listedFor is the project files Medusa's inverse dev-server registry lists for id of type, in
  // the order they last registered it (the registry only ever adds).
  function listedFor(type, id) {
    let inverse
    try {
      inverse = resolveFromProject("@medusajs/framework/utils").inverseDevServerRegistry
    } catch (_) {
      return []
    }
    if (!(inverse instanceof Map)) return []
    const out = []
    for (const k of type === "workflow" ? inverseKeys(id) : [type + ":" + id]) {
      for (const f of inverse.get(k) || []) if (isProjectFile(f)) out.push(f)
    }
    return out.filter((f, i) => out.lastIndexOf(f) === i)
  }

  // loaded tells whether project file f is loaded now, or was until this reload dropped it.
  function loaded(f) {
    return !!(require.cache[f] || (hot.previous && hot.previous.has(f)))
  }

  // inverseKeys are the keys of Medusa's inverse registry for workflow id: a job's workflow is
  // `job-<name>`, listed under "job:<name>".
  function inverseKeys(id) {
    const keys = ["workflow:" + id]
    if (typeof id === "string" && id.startsWith("job-")) keys.push("job:" + id.slice(4))
    return keys
  }

  // definedElsewhere tells whether id is defined by a project file other than file that stays.
  // For an id no reload has claimed yet, any other file Medusa's registry lists for it counts:
  // createWorkflow lists the file being loaded before it registers, so "the last file listed"
  // would be file itself, and a copy defining another file's workflow would replace it silently.
  function definedElsewhere(type, id, file) {
    const stays = (f) => f !== file && !hot.unlinking.has(f) && fs.existsSync(f)
    const known = hot.owners.get(type + ":" + id)
    if (known !== undefined) return stays(known)
    return listedFor(type, id).some((f) => loaded(f) && stays(f))
  }

  // claimants are the other project files that defined id at some point and still exist: where
  // a definition comes back from when the file that replaced it drops it (a workflow file
  // copied to start a new one, then renamed inside).
  function claimants(id, file) {
    return listedFor("workflow", id).filter((f) => f !== file && !hot.unlinking.has(f) && fs.existsSync(f))
  }

  // unregisterOwned removes workflow id if file defines it now, and says whether it did.
  function unregisterOwned(id, file) {
    const WM = hot.WorkflowManager
    if (!WM || !WM.workflows.has(id) || ownerOf("workflow", id) !== file) return false
    WM.unregister(id)
    hot.owners.delete("workflow:" + id)
    if (hot.dropped) hot.dropped.add(id)
    return true
  }

  function hookWorkflowManager(WM) {
    WM = global.WorkflowManager || WM
    if (!WM || hooked.has(WM) || typeof WM.register !== "function" || !(WM.workflows instanceof Map)) return
    hooked.add(WM)
    hot.WorkflowManager = WM
    const register = WM.register
    WM.register = function (id, flow) {
      if (hot.registered) hot.registered.add(id)
      const old = WM.workflows.get(id)
      const file = hot.reloading ? hot.currentFile : null
      const owner = hot.owners.get("workflow:" + id)
      const journal = hot.journal
      let result
      if (!file || !old || !flow || definedElsewhere("workflow", id, file)) {
        // Medusa's own rules, as at boot: an id another file defines throws "… and step
        // definition already exists" unless the steps are the same (then this one replaces it).
        result = register.apply(this, arguments)
      } else {
        // A file being reloaded defines this workflow again: the new definition replaces the
        // old one in one step (Medusa would throw "… and step definition already exists", or
        // unregister first and leave a window where runs fail with "not found").
        WM.unregister(id)
        try {
          result = register.apply(this, arguments)
        } catch (e) {
          WM.workflows.set(id, old)
          if (old.options && old.options.schedule && WM.scheduler) WM.scheduler.scheduleWorkflow(old)
          throw e
        }
      }
      if (file) hot.owners.set("workflow:" + id, file)
      if (journal) {
        // the file that registered this throws later: the definition it replaced comes back
        journal.push(() => {
          if (WM.workflows.has(id)) WM.unregister(id)
          if (old) {
            WM.workflows.set(id, old)
            if (old.options && old.options.schedule && WM.scheduler) WM.scheduler.scheduleWorkflow(old)
          }
          if (owner === undefined) hot.owners.delete("workflow:" + id)
          else hot.owners.set("workflow:" + id, owner)
        })
      }
      return result
    }
  }

  // A hook handler (`someWorkflow.hooks.validate(fn)`) is registered through createStepHandler,
  // bound to the hooked workflow's composer context. Medusa refuses a second handler ("Cannot
  // define multiple hook handlers"); a file being reloaded replaces its own.
  function hookCreateStepHandler(exported) {
    const create = exported.createStepHandler
    if (hooked.has(create)) return
    const wrapped = function (opts) {
      const ctx = this
      const name = opts && opts.stepName
      if (ctx && ctx.hooks_ && Array.isArray(ctx.hooks_.declared) && ctx.hooks_.declared.includes(name) &&
        ctx.handlers instanceof Map && ctx.handlers.has(name)) {
        let entry = hot.hooks.find((h) => h.ctx === ctx && h.name === name)
        if (!entry) {
          entry = { ctx, name, noop: ctx.handlers.get(name), file: null }
          hot.hooks.push(entry)
        }
        // A file reloaded replaces its own handler; another file's handler stays, and Medusa
        // refuses a second one ("Cannot define multiple hook handlers"), as at boot.
        const file = hot.currentFile || callerProjectFile()
        const mine = !entry.file || entry.file === file || hot.unlinking.has(entry.file) || !fs.existsSync(entry.file)
        const prev = { handler: ctx.handlers.get(name), registered: ctx.hooks_.registered.slice(), file: entry.file }
        const i = ctx.hooks_.registered.indexOf(name)
        if (hot.reloading && i >= 0 && mine) ctx.hooks_.registered.splice(i, 1)
        let result
        try {
          result = create.apply(this, arguments)
        } catch (e) {
          ctx.hooks_.registered.splice(0, Infinity, ...prev.registered)
          throw e
        }
        entry.file = file
        if (hot.hookedNow) hot.hookedNow.add(entry)
        if (hot.journal) {
          hot.journal.push(() => {
            ctx.handlers.set(name, prev.handler)
            ctx.hooks_.registered.splice(0, Infinity, ...prev.registered)
            entry.file = prev.file
          })
        }
        return result
      }
      return create.apply(this, arguments)
    }
    hooked.add(wrapped)
    exported.createStepHandler = wrapped
  }

  const callerProjectFile = () => projectFileInStack(new Error().stack)

  // The project's own modules, as they load: the import graph of a reload is built from these
  // (tens) rather than from require's whole cache (thousands of node_modules entries).
  const projectModules = new Set()
  const moduleLoad = Module.prototype.load
  Module.prototype.load = function (filename) {
    const r = moduleLoad.apply(this, arguments)
    if (typeof filename === "string" && filename.startsWith(root + path.sep) && !filename.includes(nodeModules)) {
      projectModules.add(filename)
      // the configuration as the file gives it, before Medusa fills in its defaults
      if (isConfigFile(filename)) hot.configText = configText(configGiven(this.exports))
    }
    return r
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
  // The first HTTP server to listen is Medusa's: the helper tells the supervisor, which asks
  // /health at once instead of at its next poll.
  const listen = net.Server.prototype.listen
  let bound = false
  let announced = false
  net.Server.prototype.listen = function () {
    if (!announced && this instanceof http.Server) {
      this.once("listening", () => {
        if (announced) return
        announced = true
        endBootRandomPool()
        send({ type: "medusa-ls:listening" })
        compactWhenIdle()
      })
    }
    if (!bound) {
      this.once("listening", () => {
        bound = true
      })
      this.once("error", (e) => {
        if (bound) return
        report("error", `Medusa could not listen: ${e.message}`)
        setTimeout(() => process.exit(1), 100)
      })
    }
    return listen.apply(this, arguments)
  }

  // Small random buffers during the boot: Medusa gives every step a ulid as it is created, and
  // the ulid package asks crypto.randomBytes(1) for each of its 16 random characters: ~100,000
  // system calls into OpenSSL, ~0.1 s of the boot. Until Medusa listens, synchronous requests of
  // at most 64 bytes are served from 4 KB filled by one call, which is how Node's own
  // crypto.randomUUID batches: the same generator, fewer calls. Each answer is a fresh Buffer,
  // and each byte is given once.
  function poolSmallRandomBytes() {
    const crypto = require("crypto")
    const randomBytes = crypto.randomBytes
    const pool = Buffer.alloc(4096)
    let used = pool.length
    function pooledRandomBytes(size, callback) {
      if (callback !== undefined || !Number.isInteger(size) || size < 0 || size > 64) {
        return randomBytes.apply(this, arguments)
      }
      if (used + size > pool.length) {
        crypto.randomFillSync(pool)
        used = 0
      }
      const out = Buffer.alloc(size) // its own ArrayBuffer, as Node's answer has
      pool.copy(out, 0, used, used + size)
      used += size
      return out
    }
    crypto.randomBytes = pooledRandomBytes
    return () => {
      if (crypto.randomBytes === pooledRandomBytes) crypto.randomBytes = randomBytes
      pool.fill(0)
    }
  }

  // Resolutions across boots: Node probes the file system for every require() (~1 s of Medusa's
  // boot), and the answers into node_modules change only with an install. The supervisor names
  // a file keyed by what can change them (devserver/node/resolvecache.go); what this boot
  // resolved is written there once Medusa is up. Only answers that lead into node_modules are
  // kept, for requests made from node_modules or naming a package: the project's own files are
  // always resolved by Node. A file that cannot be read or parsed is an empty cache.
  function installResolveCache() {
    const file = process.env.MEDUSA_LS_RESOLVE_CACHE
    delete process.env.MEDUSA_LS_RESOLVE_CACHE
    const resolve = Module._resolveFilename
    if (!file || typeof resolve !== "function") return
    const nm = path.sep + "node_modules" + path.sep
    const keep = (v) => typeof v === "string" && path.isAbsolute(v) && v.includes(nm)
    const entries = new Map()
    try {
      const data = JSON.parse(fs.readFileSync(file, "utf8"))
      if (data && data.v === 1 && data.entries && typeof data.entries === "object") {
        for (const [k, v] of Object.entries(data.entries)) if (keep(v)) entries.set(k, v)
      }
    } catch (_) {
      // none yet, or cut short: resolved afresh and written again
    }
    const isBuiltin = typeof Module.isBuiltin === "function" ? Module.isBuiltin : () => false
    let added = 0
    Module._resolveFilename = function (request, parent, isMain, options) {
      if (isMain || options || typeof request !== "string" || !parent || typeof parent.filename !== "string" || isBuiltin(request)) {
        return resolve.apply(this, arguments)
      }
      const relative = request.startsWith(".") || path.isAbsolute(request)
      if (relative && !parent.filename.includes(nm)) return resolve.apply(this, arguments)
      const key = path.dirname(parent.filename) + "\0" + request
      const hit = entries.get(key)
      if (hit !== undefined) return hit
      const got = resolve.apply(this, arguments)
      if (keep(got) && entries.size < 200000) {
        entries.set(key, got)
        added++
      }
      return got
    }
    saveResolveCache = () => {
      if (!added) return
      added = 0
      writeWhole(file, [JSON.stringify({ v: 1, entries: Object.fromEntries(entries) })])
    }
  }

  // Compiled code across boots: V8 compiles each of the ~10,000 node_modules files Medusa
  // requires at every boot (~1 s). The supervisor names a file for V8's code cache, keyed like
  // the resolutions (devserver/node/resolvecache.go); each entry also carries the CRC-32 and
  // length of the source it was made from, as Node 22's module.enableCompileCache does, so a
  // file patched by hand is compiled afresh. What this boot compiled, with the functions that
  // ran, is written once Medusa is up. Only CommonJS files under node_modules are compiled here,
  // the way Node's loader does (the same wrapper, require, dynamic import() through Node's
  // loader); anything else, or a file this cannot compile, goes to Node's own _compile. Off when
  // Node maps stacks with source maps itself (--enable-source-maps), which this would bypass.
  function installCodeCache() {
    const file = process.env.MEDUSA_LS_CODE_CACHE
    delete process.env.MEDUSA_LS_CODE_CACHE
    const vm = require("vm")
    const zlib = require("zlib")
    const compile = Module.prototype._compile
    const loader = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER
    const head = Array.isArray(Module.wrapper) ? Module.wrapper[0] : undefined
    if (
      !file ||
      !loader ||
      typeof zlib.crc32 !== "function" ||
      typeof compile !== "function" ||
      process.sourceMapsEnabled ||
      typeof head !== "string" ||
      Module.wrap("") !== Module.wrapper.join("") ||
      process.execArgv.some((a) => /^--(inspect-brk|experimental-policy|experimental-permission)/.test(a))
    ) {
      return
    }
    // Node warns once per process that the loader constant is experimental; that is this
    // helper's business, not the user's.
    const emitWarning = process.emitWarning
    process.emitWarning = function () {}
    try {
      new vm.Script("", { importModuleDynamically: loader })
    } catch (_) {
      return
    } finally {
      process.emitWarning = emitWarning
    }
    // The file: "MLSCODE1", the index's length (uint32 LE), the index as JSON (filename →
    // [crc32, source length, offset, size]), then the cached data. Cut short or corrupt: empty.
    const magic = "MLSCODE1"
    let blob = null
    let index = new Map()
    try {
      const b = fs.readFileSync(file)
      if (b.length >= 12 && b.toString("latin1", 0, 8) === magic) {
        const n = b.readUInt32LE(8)
        const data = JSON.parse(b.toString("utf8", 12, 12 + n))
        const base = 12 + n
        for (const [f, e] of Object.entries(data)) {
          if (Array.isArray(e) && e.length === 4 && base + e[2] + e[3] <= b.length) index.set(f, e)
        }
        blob = b.subarray(base)
      }
    } catch (_) {
      index = new Map()
    }
    // Node 20 loses a script's import() callback when the script comes from cached data
    // (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING in the next process): files that may call import()
    // are left to Node. A comment between import and its parenthesis counts as a call.
    const dynamicImport = /\bimport\s*(?:\(|\/[*/])/
    const fresh = new Map() // filename → [crc32, length, script]: compiled without a usable entry
    let saved = false // later files are compiled without being kept
    Module.prototype._compile = function (content, filename, format) {
      if (
        format === "module" ||
        typeof content !== "string" ||
        typeof filename !== "string" ||
        this.id === "." ||
        !filename.includes(nodeModules) ||
        !(filename.endsWith(".js") || filename.endsWith(".cjs")) ||
        dynamicImport.test(content)
      ) {
        return compile.apply(this, arguments)
      }
      const crc = zlib.crc32(content)
      const e = index.get(filename)
      const cachedData = e && blob && e[0] === crc && e[1] === content.length ? blob.subarray(e[2], e[2] + e[3]) : undefined
      let script
      try {
        // the wrapper's columns taken off, so that line 1 of a minified file keeps its columns
        script = new vm.Script(Module.wrap(content), {
          filename,
          columnOffset: -head.length,
          cachedData,
          importModuleDynamically: loader,
        })
      } catch (_) {
        return compile.apply(this, arguments) // Node reports the error its own way
      }
      if (!saved && (!cachedData || script.cachedDataRejected)) fresh.set(filename, [crc, content.length, script])
      const fn = script.runInThisContext({ displayErrors: true })
      return fn.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename))
    }
    // requireFor is Node's makeRequireFunction (lib/internal/modules/helpers.js) without policy
    // redirects, which turn this cache off.
    function requireFor(mod) {
      const M = mod.constructor
      const require = function require(id) {
        return mod.require(id)
      }
      const str = (v) => {
        if (typeof v !== "string") {
          const e = new TypeError(`The "request" argument must be of type string. Received ${typeof v}`)
          e.code = "ERR_INVALID_ARG_TYPE"
          throw e
        }
      }
      function resolve(request, options) {
        str(request)
        return M._resolveFilename(request, mod, false, options)
      }
      resolve.paths = function paths(request) {
        str(request)
        return M._resolveLookupPaths(request, mod)
      }
      require.resolve = resolve
      require.main = process.mainModule
      require.extensions = M._extensions
      require.cache = M._cache
      return require
    }
    saveCodeCache = () => {
      if (saved) return
      saved = true
      const old = blob
      const oldIndex = index
      blob = null // later files compile without it, and its memory goes back
      index = new Map()
      if (!fresh.size) return
      const parts = []
      const out = {}
      let off = 0
      const add = (f, crc, len, data) => {
        out[f] = [crc, len, off, data.length]
        parts.push(data)
        off += data.length
      }
      for (const [f, [crc, len, script]] of fresh) {
        try {
          add(f, crc, len, script.createCachedData())
        } catch (_) {}
      }
      fresh.clear()
      if (old) {
        for (const [f, e] of oldIndex) if (!out[f]) add(f, e[0], e[1], old.subarray(e[2], e[2] + e[3]))
      }
      const json = Buffer.from(JSON.stringify(out))
      const header = Buffer.alloc(12)
      header.write(magic, 0, "latin1")
      header.writeUInt32LE(json.length, 8)
      writeWhole(file, [header, json, ...parts])
    }
  }

  // Boot leaves ~80 MB of garbage and half-empty pages in Medusa's heap (V8 let it grow to ~300 MB
  // for ~190 MB live), and an idle server allocates nothing, so no GC ever gives them back: V8's
  // memory reducer waits for a low allocation rate measured at GCs that do not come. A busy
  // stretch does the same: after 20 s of requests and 150 route saves the fixture's Medusa held
  // 785 MB, still 785 MB 10 s later, and 316 MB after one compacting GC. So once the server
  // listens and has had no request or command for a second, one full GC with compaction returns
  // that memory to the system, and again at each later quiet second after the process grew by
  // compactAfterBytes since the last one. It blocks the server for a moment (up to ~1 s on a busy
  // 2-core machine), which is why it waits for a quiet second and, after one, waits ten times as
  // long as it took: a project whose live memory keeps growing spends at most a tenth of its time
  // here. A busy server collects its garbage itself.
  const compactAfterBytes = 64 << 20
  function compactWhenIdle() {
    const v8 = require("v8")
    // What a compaction can give back: V8's committed heap, and the memory of Buffers and
    // ArrayBuffers that die with their objects. Unlike RSS, it is known right after the GC.
    const collectable = () => v8.getHeapStatistics().total_heap_size + process.memoryUsage().external
    const started = Date.now()
    let saved = false
    let baseline = -1 // collectable() after the last compaction (bytes); -1: none yet
    let nextAt = 0 // no compaction before this time (ms)
    const timer = setInterval(() => {
      const now = Date.now()
      const quiet = now - Math.max(started, lastRequestAt) >= 1000
      if (!saved && (quiet || now - started > 60000)) {
        // both caches, off boot's path; a server never quiet in a minute saves them anyway
        saved = true
        saveCaches()
        process.emit("medusa-ls:caches-saved") // for tests: nothing listens in Medusa
      }
      if (!quiet || now < nextAt) return
      const before = collectable()
      if (baseline >= 0 && before < baseline + compactAfterBytes) return
      const began = Date.now()
      try {
        v8.setFlagsFromString("--expose-gc")
        const gc = require("vm").runInNewContext("gc") // not global.gc: Medusa's globals stay as they are
        v8.setFlagsFromString("--no-expose-gc")
        v8.setFlagsFromString("--compact-on-every-full-gc")
        gc()
      } catch (_) {
        // a Node without these flags: the memory stays until V8 collects it
        return clearInterval(timer)
      } finally {
        v8.setFlagsFromString("--no-compact-on-every-full-gc")
      }
      const done = Date.now()
      baseline = collectable()
      nextAt = done + 10 * (done - began)
      process.emit("medusa-ls:compacted", { before, after: baseline }) // for tests: nothing listens in Medusa
    }, 250)
    timer.unref()
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
    lastRequestAt = Date.now() // a reload is work too: compactWhenIdle waits for a quiet second
    Promise.resolve()
      .then(() => run(msg.name, msg.args || {}))
      .then(
        (data) => send({ type: "command-result", id: msg.id, data: data === undefined ? null : data }),
        (e) => {
          const d = describe(e)
          const at = projectPosition(d.stack)
          send({ type: "command-result", id: msg.id, error: cut(at ? `${d.message} (at ${at})` : d.message) })
        }
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

  // emitWithOutcomes emits an event and waits for its subscribers, telling which failed: the
  // local bus's listeners catch their subscriber's error and log it, so while this event's
  // listeners run, each in its own async context, the bus logger's errors are attributed to
  // the listener they come from. Without the local bus's shape, it only emits (null).
  const outcomeContext = new AsyncLocalStorage()
  async function emitWithOutcomes(bus, eventName, data) {
    const emitter = bus.eventEmitter_
    const logger = bus.logger_
    if (!emitter || typeof emitter.emit !== "function" || !logger || typeof logger.error !== "function") {
      await bus.emit({ name: eventName, data })
      return null
    }
    const expected = emitter.listenerCount(eventName) + emitter.listenerCount("*")
    if (expected === 0) {
      await bus.emit({ name: eventName, data })
      return []
    }
    const runs = []
    let allStarted
    const started = new Promise((resolve) => (allStarted = resolve))
    const ownEmit = Object.prototype.hasOwnProperty.call(emitter, "emit")
    const origEmit = emitter.emit
    const ownError = Object.prototype.hasOwnProperty.call(logger, "error")
    const origError = logger.error
    emitter.emit = function (name, ...rest) {
      if (runs.length >= expected || (name !== eventName && name !== "*")) return origEmit.call(this, name, ...rest)
      const listeners = this.listeners(name)
      for (const l of listeners) {
        const outcome = { id: String(l.subscriberId || l.name || "anonymous") }
        runs.push(outcome)
        outcome.done = outcomeContext.run(outcome, () => Promise.resolve().then(() => l.apply(this, rest))).catch((err) => {
          outcomeError(outcome, err)
        })
      }
      if (runs.length >= expected) allStarted()
      return listeners.length > 0
    }
    logger.error = function (...a) {
      const outcome = outcomeContext.getStore()
      // A subscriber that throws: Medusa's local bus logs "An error occurred while processing
      // <event>:", then the error. What a subscriber logs itself with logger.error is its own
      // business (a provider that cannot find a template and goes on): not a failure.
      if (outcome) {
        if (typeof a[0] === "string" && /^An error occurred while processing .*:\s*$/.test(a[0])) {
          outcome.framing = true
        } else if (outcome.framing) {
          outcome.framing = false
          outcomeError(outcome, a[0])
        }
      }
      return origError.apply(this, a)
    }
    const restore = () => {
      if (ownEmit) emitter.emit = origEmit
      else delete emitter.emit
      if (ownError) logger.error = origError
      else delete logger.error
    }
    let timer
    try {
      await bus.emit({ name: eventName, data })
      await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, 25000)))])
      await Promise.all(runs.map((r) => r.done))
    } finally {
      clearTimeout(timer)
      restore()
    }
    return runs.map((r) => (r.error ? (r.source ? { id: r.id, error: r.error, source: r.source } : { id: r.id, error: r.error }) : { id: r.id })).sort((a, b) => (a.id < b.id ? -1 : 1))
  }

  // ---- The production topology: Medusa's Redis event bus ----------------------------------
  // With a server and workers, events travel through BullMQ in Redis (@medusajs/event-bus-redis):
  // the server's bus queues them (queue_.addBulk, only events it has subscribers for) and a
  // worker's BullMQ Worker (bullWorker_) takes each one and runs the subscribers. The helper
  // reports both ends, by job id, so that the supervisor can say which worker handled an event
  // and warn about events no worker takes.
  const queueHooked = new WeakSet()
  const emitCapture = new AsyncLocalStorage()
  function installEventHooks(bus) {
    if (!bus || queueHooked.has(bus)) return
    const queue = bus.queue_
    if (!queue || typeof queue.addBulk !== "function") return
    queueHooked.add(bus)
    const addBulk = queue.addBulk
    queue.addBulk = async function () {
      const added = await addBulk.apply(this, arguments)
      const events = (Array.isArray(added) ? added : []).filter((j) => j && j.id !== undefined)
        .map((j) => ({ id: String(j.id), name: String(j.name) }))
      const capture = emitCapture.getStore()
      if (capture) capture.push(...events)
      if (events.length) send({ type: "medusa-ls:event", data: { phase: "queued", events } })
      return added
    }
    const worker = bus.bullWorker_
    if (!worker || typeof worker.on !== "function") return
    const running = new Map() // job id → the subscriber ids it runs, in Medusa's order
    worker.on("active", (job) => {
      const map = bus.eventToSubscribersMap || new Map()
      const done = (job.data && job.data.completedSubscriberIds) || []
      const ids = [...(map.get(job.name) || []), ...(map.get("*") || [])]
        .filter((s) => s.id && !done.includes(s.id)).map((s) => String(s.id))
      running.set(String(job.id), ids)
      send({ type: "medusa-ls:event", data: { phase: "active", id: String(job.id), name: String(job.name) } })
    })
    worker.on("completed", (job, result) => {
      const ids = running.get(String(job.id)) || []
      running.delete(String(job.id))
      // Medusa's handler resolves to each subscriber's result, or the error it threw.
      const outcomes = ids.map((id, i) => {
        const r = Array.isArray(result) ? result[i] : undefined
        if (!(r instanceof Error)) return { id }
        const o = { id }
        outcomeError(o, r)
        return o
      })
      send({ type: "medusa-ls:event", data: { phase: "done", id: String(job.id), name: String(job.name), outcomes } })
    })
    worker.on("failed", (job, err) => {
      if (!job) return
      running.delete(String(job.id))
      send({ type: "medusa-ls:event", data: { phase: "failed", id: String(job.id), name: String(job.name), error: describe(err).message } })
    })
  }

  // The answers have the shapes of medusa-ls's own commands (devserver/embedded/commands.go).
  async function run(name, args) {
    switch (name) {
      case "invalidate":
        return { importers: invalidate(args.files || []).importers }
      case "reload":
        return reload(Array.isArray(args.changes) ? args.changes : [], Number(args.limitMs) > 0 ? Number(args.limitMs) : 20000)
      case "emit-event": {
        const eventName = String(args.name || "").trim()
        if (!eventName) throw new Error("an event name is required (e.g. product.created)")
        const bus = container().resolve("event_bus")
        const listeners = (bus.eventToSubscribersMap && bus.eventToSubscribersMap.get(eventName)) || []
        const wildcard = (bus.eventToSubscribersMap && bus.eventToSubscribersMap.get("*")) || []
        const subscribers = [...listeners, ...wildcard].map((s) => String(s.id)).sort()
        if (queueHooked.has(bus)) {
          // Medusa's Redis bus queues the event for the workers: answer with the jobs it queued,
          // and the supervisor waits for the worker that takes them.
          const jobs = []
          await emitCapture.run(jobs, () => bus.emit({ name: eventName, data: args.data === undefined ? {} : args.data }))
          return { name: eventName, subscribers, jobs: jobs.map((j) => j.id) }
        }
        const outcomes = await emitWithOutcomes(bus, eventName, args.data === undefined ? {} : args.data)
        return outcomes ? { name: eventName, subscribers, outcomes } : { name: eventName, subscribers }
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
          const d = describe(errors)
          const e = new Error(`job ${args.name} failed: ${d.message}`)
          e.stack = `Error: ${e.message}\n${d.stack.split("\n").slice(1).join("\n")}`
          throw e
        }
        return { name: args.name, durationMs: performance.now() - started }
      }
      case "jobs":
        return jobs()
      case "topology": {
        const c = container()
        const config = c.resolve("configModule")
        const bus = c.resolve("event_bus")
        installEventHooks(bus)
        return {
          workerMode: String((config && config.projectConfig && config.projectConfig.workerMode) || ""),
          bus: String((bus && bus.constructor && bus.constructor.name) || ""),
          consumes: !!(bus && bus.bullWorker_),
        }
      }
      default:
        throw new Error(`unknown command "${name}"`)
    }
  }

  // invalidate removes the given files and every project module that imports them, directly or
  // not, from require's cache, and returns those importers. Medusa clears only the file it is
  // told about, so a change to a shared helper would otherwise leave its importers on the old
  // code.
  function invalidate(files) {
    clearSourceMapCaches()
    // Only project modules import project modules (Medusa's loaders require them too, but those
    // are not reloaded); the cache holds thousands of node_modules entries, skipped by name.
    const importers = new Map()
    const prefix = root + path.sep
    for (const id of projectModules) {
      const mod = require.cache[id]
      if (!mod) continue
      for (const child of mod.children || []) {
        const cid = child.id
        if (!cid.startsWith(prefix) || cid.includes(nodeModules)) continue
        if (!importers.has(cid)) importers.set(cid, [])
        importers.get(cid).push(id)
      }
    }
    const seen = new Set()
    const queue = files.map((f) => path.resolve(root, f))
    // require caches a link to a file under its target's real path (project/links.go).
    for (const f of [...queue]) {
      const real = realpathOf(f)
      if (real !== f) queue.push(real)
    }
    while (queue.length) {
      const id = queue.pop()
      if (seen.has(id)) continue
      seen.add(id)
      for (const parent of importers.get(id) || []) queue.push(parent)
    }
    const previous = new Map()
    for (const id of seen) {
      if (require.cache[id]) previous.set(id, require.cache[id])
      delete require.cache[id]
    }
    return { importers: [...seen].filter((id) => !files.includes(id) && id.startsWith(root + path.sep)), previous }
  }

  // kindOf classifies a project file as the supervisor does (devserver/node.go resourceKind).
  function kindOf(file) {
    const rel = path.relative(root, file).split(path.sep).join("/")
    if (!rel.startsWith("src/")) return ""
    if (rel.startsWith("src/modules/")) return "modules"
    if (rel.includes("/workflows/")) return "workflows"
    if (rel.startsWith("src/api/")) {
      const base = path.basename(rel)
      if (/^route\.[cm]?[jt]s$/.test(base)) return "routes"
      if (/^middlewares\.[cm]?[jt]s$/.test(base) && path.dirname(rel) === "src/api") return "middlewares"
      return ""
    }
    if (rel.startsWith("src/subscribers/")) return "subscribers"
    if (rel.startsWith("src/jobs/")) return "jobs"
    if (rel.startsWith("src/links/")) return "links"
    return ""
  }
  const kindOrder = ["modules", "workflows", "routes", "middlewares", "subscribers", "jobs"]

  // requireFresh loads file anew (its cache entry was dropped by invalidate) with hot.reloading
  // set, so that what it registers replaces what it registered before.
  // What the file registered before it threw (workflows, hook handlers: hot.journal) is undone,
  // so that the previous code serves, as the failure says.
  function requireFresh(file) {
    delete require.cache[file]
    delete require.cache[realpathOf(file)]
    const prev = hot.currentFile
    const prevJournal = hot.journal
    const journal = (hot.journal = [])
    hot.currentFile = file
    try {
      return require(file)
    } catch (e) {
      for (const undo of journal.reverse()) {
        try {
          undo()
        } catch (_) {}
      }
      restore(file)
      throw e
    } finally {
      hot.currentFile = prev
      hot.journal = prevJournal
    }
  }

  // restore puts back the last good module of a file that failed to load.
  function restore(file) {
    for (const id of new Set([file, realpathOf(file)])) {
      const mod = hot.previous && hot.previous.get(id)
      if (mod && !require.cache[id]) require.cache[id] = mod
    }
  }

  // realpathOf is file with symbolic links resolved, or file when it cannot be (deleted).
  function realpathOf(file) {
    try {
      return fs.realpathSync(file)
    } catch (_) {
      return file
    }
  }

  function registryOf(file) {
    try {
      const { globalDevServerRegistry } = resolveFromProject("@medusajs/framework/utils")
      return (globalDevServerRegistry && globalDevServerRegistry.get(file)) || new Map()
    } catch (_) {
      return new Map()
    }
  }

  // ts-node (with swc, as Medusa projects configure it) compiles every file a reload re-requires,
  // even an importer whose source did not change (a workflow re-required for its saved step):
  // reuse a file's last output while its source is the same. Only the last one per file, which
  // is also what ts-node's source-map lookup (its outputCache) holds for that file. A
  // type-checking ts-node is left alone: an unchanged file's types can change with its imports.
  function memoizeTsCompile() {
    const service = process[Symbol.for("ts-node.register.instance")]
    if (!service || hooked.has(service) || typeof service.compile !== "function") return
    hooked.add(service)
    const o = service.options || {}
    if (!(service.transpileOnly === true || o.transpileOnly || o.swc || o.transpiler)) return
    const compile = service.compile
    const last = new Map()
    service.compile = function (code, fileName, lineOffset) {
      if (lineOffset || typeof code !== "string" || typeof fileName !== "string" || fileName.includes(nodeModules)) {
        return compile.apply(this, arguments)
      }
      const prev = last.get(fileName)
      if (prev && prev.code === code) return prev.output
      const output = compile.apply(this, arguments)
      last.set(fileName, { code, output })
      return output
    }
  }

  // reload applies a batch of changes ({file, action}) in Medusa's order and answers, per file,
  // whether it is in place: {results: [{file, kind, ok, how, error?, restart?}], importers}.
  async function reload(changes, limitMs) {
    const started = performance.now()
    memoizeTsCompile()
    clearSourceMapCaches()
    const actions = new Map()
    for (const c of changes) {
      if (c && typeof c.file === "string") actions.set(path.resolve(root, c.file), c.action || "change")
    }
    forgetResolutionsOf([...actions].filter(([, a]) => a === "unlink").map(([f]) => f))
    const { importers, previous } = invalidate([...actions.keys()])
    hot.previous = previous
    const hops = { invalidateMs: performance.now() - started }
    const changed = new Set(actions.keys())
    for (const f of importers) if (!actions.has(f)) actions.set(f, "change")
    // Medusa's order of kinds; within a kind, deletions first, so that a file renamed (deleted
    // and added in one batch) gives up its workflows, jobs and subscriber ids before the new
    // name defines them again.
    const work = [...actions].map(([file, action]) => ({ file, action, kind: kindOf(file), importerOnly: !changed.has(file) }))
      .filter((w) => w.kind !== "")
      .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || (b.action === "unlink") - (a.action === "unlink"))
    const results = []
    hot.unlinking = new Set(work.filter((w) => w.action === "unlink").map((w) => w.file))
    hot.reloading = true
    try {
      // medusa-config is read once, at boot: a file it imports (a constant, a module's index for
      // its name) changes it only if the configuration it gives is not the same.
      const config = importers.find(isConfigFile)
      if (config) {
        const r = configOutcome(config, [...changed].map((f) => path.relative(root, f)).join(", "))
        if (r) {
          results.push(r)
          return { results, importers, durationMs: performance.now() - started, hops }
        }
      }
      // one reload per module, for the file saved (its index.ts comes as an importer)
      const modules = new Map()
      for (const w of work.filter((w) => w.kind === "modules")) {
        const name = moduleNameOf(w.file) || w.file
        const group = modules.get(name) || []
        group.push(w)
        modules.set(name, group)
      }
      for (const group of modules.values()) {
        // a data model among them decides (a restart), the saved one first
        const w = group.find((w) => w.action === "unlink") || group.find((w) => !w.importerOnly && isModelFile(w.file)) ||
          group.find((w) => isModelFile(w.file)) || group.find((w) => !w.importerOnly) || group[0]
        const r = await reloadModule(w, limitMs)
        // each file's outcome is the module's, the file that decided it first
        results.push({ ...r, file: w.file })
        for (const o of group) if (o !== w) results.push({ ...r, file: o.file })
      }
      const workflows = performance.now()
      const restore = new Set()
      for (const w of work.filter((w) => w.kind === "workflows")) results.push(reloadWorkflowFile(w, restore))
      results.push(...restoreDefinitions(restore, work))
      hops.workflowsMs = performance.now() - workflows
      const api = performance.now()
      results.push(...(await reloadApi(work.filter((w) => w.kind === "routes" || w.kind === "middlewares"))))
      hops.apiMs = performance.now() - api
      const subscribers = performance.now()
      for (const w of work.filter((w) => w.kind === "subscribers")) results.push(reloadSubscriber(w))
      hops.subscribersMs = performance.now() - subscribers
      const restoreJobs = new Set()
      for (const w of work.filter((w) => w.kind === "jobs")) results.push(await reloadJob(w, restoreJobs))
      for (const file of restoreDefinitionsFrom(restoreJobs, work, "jobs")) {
        results.push(await reloadJob({ file, action: "change", kind: "jobs", importerOnly: true, restores: true }))
      }
      for (const w of work.filter((w) => w.kind === "links")) {
        // A link reached only through its imports (a module's service saved) is the same link
        // when the modules' linkables did not change: Medusa reads links at boot, but nothing
        // in them changed, so the saved module reloads in place instead of restarting Medusa.
        if (w.importerOnly && linkablesKept(previous)) {
          results.push({ file: w.file, kind: w.kind, ok: true, unchanged: true, how: "kept: the linkables of the modules it imports did not change" })
          continue
        }
        results.push({ file: w.file, kind: w.kind, ok: true, restart: true, how: "links are read at boot" })
      }
    } finally {
      hot.reloading = false
      hot.unlinking = new Set()
      // A file that failed to load (or was not loaded again) keeps its last good module, so that
      // whatever requires it next, such as an API rebuild, gets the code that is serving.
      for (const [id, mod] of previous) {
        if (!require.cache[id] && actions.get(id) !== "unlink" && fs.existsSync(id)) require.cache[id] = mod
      }
      hot.previous = null
    }
    // what a deleted file provided is gone: the supervisor names it as removed
    for (const r of results) if (r.ok && actions.get(r.file) === "unlink") r.removed = true
    return { results, importers, durationMs: performance.now() - started, hops }
  }

  // forgetResolutionsOf drops Node's cached resolutions (Module._pathCache) that lead to files
  // now deleted: require would otherwise open the deleted file and fail with ENOENT on it, where
  // Medusa would say "Cannot find module" at the require that names it.
  function forgetResolutionsOf(files) {
    const cache = Module._pathCache
    if (!files.length || !cache || typeof cache !== "object") return
    const gone = new Set(files)
    for (const k of Object.keys(cache)) if (gone.has(cache[k])) delete cache[k]
  }

  function isConfigFile(file) {
    return path.dirname(file) === root && /^medusa-config\.[cm]?[jt]s$/.test(path.basename(file))
  }

  // configOutcome loads medusa-config (file) again after a file it imports changed, and compares
  // what it gives with what it gave before (hot.configText, taken as each load ends, before
  // Medusa fills in its defaults): a restart when it differs, the error when it no longer loads
  // (Medusa would not start), null when the same.
  function configOutcome(file, saved) {
    const before = hot.configText
    try {
      require(file) // its load sets hot.configText
    } catch (e) {
      return failure({ file, kind: "config" }, e)
    }
    if (before !== undefined && hot.configText === before) return null
    return { file, kind: "config", ok: true, restart: true, how: `Medusa reads it when it starts, and what it gives changed with ${saved}` }
  }

  // configGiven is the configuration a medusa-config module exports, as getConfigFile takes it.
  function configGiven(m) {
    return m && typeof m === "object" && "default" in m && m.default ? m.default : m
  }

  // configText is a configuration as text to compare: functions by their source, cycles cut.
  function configText(v) {
    const seen = new WeakSet()
    return JSON.stringify(v, (k, x) => {
      if (typeof x === "function") return `function ${x.toString()}`
      if (typeof x === "bigint" || typeof x === "symbol") return String(x)
      if (x instanceof RegExp) return `regexp ${x}`
      if (x && typeof x === "object") {
        if (seen.has(x)) return "[cycle]"
        seen.add(x)
      }
      return x === undefined ? "[undefined]" : x
    })
  }

  // linkablesKept tells whether every module definition among the files a reload replaced
  // (previous: file → its old Node module) exports the same `linkable` as before, the part of a
  // module that links are built from (Module(name, { service }).linkable, from its data models).
  function linkablesKept(previous) {
    const linkableOf = (exports) => {
      const def = exports && (exports.default || exports)
      return def && def.linkable !== undefined ? JSON.stringify(def.linkable) : undefined
    }
    for (const [file, old] of previous) {
      if (kindOf(file) !== "modules") continue
      const before = linkableOf(old.exports)
      if (before === undefined) continue
      const now = require.cache[file]
      if (!now) return false // not loaded again (it failed): decide at the restart
      if (linkableOf(now.exports) !== before) return false
    }
    return true
  }

  function failure(w, e) {
    return { file: w.file, kind: w.kind, ok: false, error: errorInfo(originOf(e)) || { name: "Error", message: `${w.file} failed without an error`, stack: "" } }
  }

  // Workflows, steps and hooks: re-require the file; workflows it defines replace the old ones
  // (WorkflowManager.register above), hook handlers it registers replace its old ones. What it
  // defined before and no longer does is removed.
  function reloadWorkflowFile(w, restore) {
    const before = new Set()
    for (const [type, entries] of registryOf(w.file)) {
      if (type === "workflow") for (const e of entries) before.add(e.id)
    }
    const registered = (hot.registered = new Set())
    const hookedNow = (hot.hookedNow = new Set())
    try {
      if (w.action !== "unlink") requireFresh(w.file)
    } catch (e) {
      return failure(w, e)
    } finally {
      hot.registered = null
      hot.hookedNow = null
    }
    for (const id of before) {
      // only what this file defines now: another file may define the id since (a rename, a copy)
      if (!registered.has(id) && unregisterOwned(id, w.file) && restore) restore.add(id)
    }
    for (const h of hot.hooks) {
      if (h.file === w.file && !hookedNow.has(h)) {
        // the file no longer registers this hook handler: the hook is a no-op again
        h.ctx.handlers.set(h.name, h.noop)
        const i = h.ctx.hooks_.registered.indexOf(h.name)
        if (i >= 0) h.ctx.hooks_.registered.splice(i, 1)
        h.file = null
      }
    }
    return { file: w.file, kind: w.kind, ok: true, how: w.restores ? "defines again what a removed definition replaced" : w.action === "unlink" ? "removed" : "replaced" }
  }

  // restoreDefinitionsFrom is the files to load again so that the workflows in ids, which the
  // batch removed, come back from another file that still defines them (none in the batch).
  function restoreDefinitionsFrom(ids, work, kind) {
    const WM = hot.WorkflowManager
    const files = []
    for (const id of ids) {
      if (!WM || WM.workflows.has(id)) continue
      for (const f of claimants(id, null)) {
        if (kindOf(f) === kind && !files.includes(f) && !work.some((w) => w.file === f)) files.push(f)
      }
    }
    return files
  }

  function restoreDefinitions(ids, work) {
    return restoreDefinitionsFrom(ids, work, "workflows").map((file) =>
      reloadWorkflowFile({ file, action: "change", kind: "workflows", importerOnly: true, restores: true }, null))
  }

  // Routes and middlewares: a route file whose methods and flags are unchanged swaps its
  // handlers; anything else rebuilds the API off to the side.
  async function reloadApi(ws) {
    if (!ws.length) return []
    const api = hot.api
    if (!api || !hot.RoutesLoader || api.first) {
      return ws.map((w) => ({ file: w.file, kind: w.kind, ok: false, fallback: true, how: "the API loader is not hooked" }))
    }
    const results = []
    const swaps = []
    let rebuild = ws.some((w) => w.kind === "middlewares" || w.action !== "change")
    for (const w of ws.filter((w) => w.kind === "routes" && w.action === "change")) {
      const sourceDir = sourceDirOf(w.file)
      let routes
      hot.capture = []
      try {
        hot.currentFile = w.file
        await new hot.RoutesLoader().reloadRouteFile(w.file, sourceDir)
        routes = hot.capture
      } catch (e) {
        restore(w.file)
        results.push(failure(w, e))
        continue
      } finally {
        hot.capture = null
        hot.currentFile = null
      }
      const shape = routes.map(shapeOf).sort().join("\n")
      const current = (hot.routeShapes.get(w.file) || []).slice().sort().join("\n")
      if (shape !== current || !sourceDir || !hot.routeShapes.has(w.file)) rebuild = true
      swaps.push({ w, routes })
    }
    if (rebuild) {
      // A route or middlewares file that cannot load keeps its last good module in the new API
      // (one that never loaded before is left out, as if it did not exist yet), rather than
      // keeping every other change from being applied. Medusa itself would drop it: a
      // middlewares.ts that throws became "No middleware configuration found", and every
      // project middleware (authenticate, validateAndTransformQuery/Body) stopped running.
      const stubs = new Map() // file → the error that left it out
      try {
        for (;;) {
          try {
            await rebuildApi()
            break
          } catch (e) {
            const file = lastProjectFileOf(e)
            if (!file || stubs.has(file) || stubs.size >= 10 || require.cache[file]) {
              const at = projectFileOf(e) || ws[0].file
              for (const w of ws) {
                if (results.some((r) => r.file === w.file)) continue
                results.push(w.file === at || w.file === file || !ws.some((x) => x.file === at || x.file === file)
                  ? failure(w, e) : { file: w.file, kind: w.kind, ok: false, blocked: file || at })
              }
              return results
            }
            stubs.set(file, e)
            const good = hot.previous && hot.previous.get(file)
            if (good && good.loaded) {
              require.cache[file] = good
              continue
            }
            const stub = new Module(file, null)
            stub.filename = file
            stub.loaded = true
            stub.exports = {}
            require.cache[file] = stub
          }
        }
      } finally {
        for (const file of stubs.keys()) {
          if (!(hot.previous && hot.previous.get(file) === require.cache[file])) delete require.cache[file]
        }
      }
      for (const [file, e] of stubs) {
        if (!results.some((r) => r.file === file)) results.push(failure({ file, kind: "routes" }, e))
      }
      for (const w of ws) {
        if (!results.some((r) => r.file === w.file)) results.push({ file: w.file, kind: w.kind, ok: true, how: "rebuilt" })
      }
      return results
    }
    for (const { w, routes } of swaps) {
      for (const r of routes) hot.routeTable.set(routeKey(w.file, r.method), r.handler)
      results.push({ file: w.file, kind: w.kind, ok: true, how: "swapped" })
    }
    return results
  }

  function sourceDirOf(file) {
    const dirs = hot.api && hot.api.opts && hot.api.opts.sourceDir
    for (const d of Array.isArray(dirs) ? dirs : [dirs]) {
      if (typeof d === "string" && file.startsWith(d + path.sep)) return d
    }
    return path.join(root, "src", "api")
  }

  // lastProjectFileOf is the outermost project file in e's stack: the file a loader required.
  // A compile error (swc) has no project frame; its code frame names the file.
  function lastProjectFileOf(e) {
    const stack = (e && typeof e.stack === "string" && e.stack) || ""
    let last = null
    for (const line of stack.split("\n")) {
      const m = line.match(/\(?((?:\/|[A-Za-z]:\\)[^():]+):\d+:\d+\)?$/)
      if (m && isProjectFile(m[1])) last = m[1]
    }
    if (!last && e && typeof e.message === "string") {
      for (const m of e.message.matchAll(/(?:\/|[A-Za-z]:\\)[^\s:'"()\[\]]+\.[cm]?[jt]sx?/g)) {
        if (isProjectFile(m[0])) return m[0]
      }
    }
    return last
  }

  function projectFileOf(e) {
    const stack = (e && typeof e.stack === "string" && e.stack) || ""
    for (const line of stack.split("\n")) {
      const m = line.match(/\(?((?:\/|[A-Za-z]:\\)[^():]+):\d+:\d+\)?$/)
      if (m && isProjectFile(m[1])) return m[1]
    }
    return null
  }

  // Subscribers: the new file is loaded first; only if it loads and has a handler and an event
  // are the old subscriptions replaced, synchronously, so that every event is handled once, by
  // the old or the new code.
  function reloadSubscriber(w) {
    let bus
    try {
      bus = container().resolve("event_bus")
    } catch (e) {
      return failure(w, e)
    }
    const old = []
    for (const [type, entries] of registryOf(w.file)) {
      if (type !== "subscriber") continue
      for (const e of entries) {
        if (ownerOf("subscriber", e.id) !== w.file) continue // another file's id now
        for (const ev of e.events || []) {
          const sub = ((bus.eventToSubscribersMap && bus.eventToSubscribersMap.get(ev)) || []).find((s) => s.id === e.id)
          if (sub && !old.some((o) => o.event === ev && o.id === e.id)) old.push({ event: ev, id: e.id, subscriber: sub.subscriber })
        }
      }
    }
    const unsubscribe = (subs) => {
      for (const o of subs) {
        const dummy = async () => {}
        dummy.subscriberId = o.id
        bus.unsubscribe(o.event, dummy, { subscriberId: o.id })
        // Medusa's unsubscribe does nothing in a server (workerMode "server": isWorkerMode is
        // false), yet the server's subscriptions decide which events its Redis bus queues, and a
        // subscription left there makes the new one a duplicate: remove it from the map itself.
        const list = bus.eventToSubscribersMap && bus.eventToSubscribersMap.get(o.event)
        const i = Array.isArray(list) ? list.findIndex((s) => s.id === o.id) : -1
        if (i >= 0) list.splice(i, 1)
      }
    }
    if (w.action === "unlink") {
      unsubscribe(old)
      for (const o of old) hot.owners.delete("subscriber:" + o.id)
      return { file: w.file, kind: w.kind, ok: true, how: "removed" }
    }
    let mod
    try {
      mod = requireFresh(w.file)
    } catch (e) {
      return failure(w, e)
    }
    const handler = mod && (mod.default || (mod.__esModule ? undefined : mod))
    const config = mod && mod.config
    if (typeof handler !== "function" || !config || !config.event) {
      // "stays subscribed" only when this file had subscribed something before.
      const kept = old.length > 0 ? "; the previous one stays subscribed" : ""
      const e = new Error(typeof handler !== "function"
        ? "a subscriber must default-export its handler function" + kept
        : "a subscriber must export a config with an event (export const config = { event: \"…\" })" + kept)
      e.stack = `Error: ${e.message}\n    at ${w.file}:1:1`
      return failure(w, e)
    }
    const { SubscriberLoader } = resolveFromProject("@medusajs/framework/subscribers")
    const loader = new SubscriberLoader(w.file, {}, container())
    const id = typeof loader.inferIdentifier === "function" ? loader.inferIdentifier(w.file, config, handler) : undefined
    const map = bus.eventToSubscribersMap
    const owner = id === undefined ? undefined : ownerOf("subscriber", id)
    if (map && owner && owner !== w.file && (hot.unlinking.has(owner) || !fs.existsSync(owner))) {
      // the id of a file that is gone (this one renamed, its deletion in a later batch): taken over
      for (const [event, subs] of map) {
        for (const sub of subs) {
          if (sub.id === id && !old.some((o) => o.event === event && o.id === id)) old.push({ event, id, subscriber: sub.subscriber })
        }
      }
    }
    const snapshot = map ? new Map([...map].map(([k, v]) => [k, v.slice()])) : null
    unsubscribe(old)
    try {
      loader.createSubscriber({ fileName: w.file, config, handler })
      if (id !== undefined) hot.owners.set("subscriber:" + id, w.file)
    } catch (e) {
      // put the old subscriptions back as they were
      if (snapshot) {
        for (const [ev, subs] of map) {
          for (const s of subs) if (!(snapshot.get(ev) || []).includes(s)) unsubscribe([{ event: ev, id: s.id }])
        }
      }
      for (const o of old) {
        try {
          bus.subscribe(o.event, o.subscriber, { subscriberId: o.id })
        } catch (_) {
          // still subscribed (an unsubscribe that did nothing): it stays as it was
        }
      }
      return failure(w, e)
    }
    return { file: w.file, kind: w.kind, ok: true, how: "swapped" }
  }

  // Jobs: the file is checked first (it loads, its config is valid), then Medusa's JobReloader
  // swaps the schedule (the old one is removed before the new one exists: never two timers).
  let jobReloader = null
  // checkSchedule throws, at the job file's schedule line, when its cron expression is one the
  // workflow engine's scheduler (cron-parser's parseExpression) would refuse: Medusa would log
  // "Invalid cron expression" after the job was replaced, and the job would never run.
  function checkSchedule(file, schedule) {
    const cron = typeof schedule === "string" ? schedule : schedule && typeof schedule === "object" ? schedule.cron : undefined
    if (typeof cron !== "string") return
    let parseExpression
    try {
      let engine
      try {
        engine = require.resolve("@medusajs/workflow-engine-inmemory/package.json", { paths: [root] })
      } catch (_) {
        engine = path.join(root, "package.json")
      }
      parseExpression = Module.createRequire(engine)("cron-parser").parseExpression
    } catch (_) {
      return // no cron-parser to ask: the scheduler will say
    }
    if (typeof parseExpression !== "function") return
    try {
      parseExpression(cron)
    } catch (e) {
      let line = 1
      let col = 1
      try {
        const lines = fs.readFileSync(file, "utf8").split("\n")
        const i = lines.findIndex((l) => /\bschedule\b/.test(l))
        if (i >= 0) {
          line = i + 1
          col = lines[i].search(/\bschedule\b/) + 1
        }
      } catch (_) {}
      const err = new Error(`invalid schedule "${cron}": ${e && e.message ? e.message : e}; the job keeps its previous schedule`)
      err.stack = `Error: ${err.message}\n    at ${file}:${line}:${col}`
      throw err
    }
  }

  async function reloadJob(w, restore) {
    const medusa = path.dirname(require.resolve("@medusajs/medusa/package.json", { paths: [root] }))
    try {
      if (w.action !== "unlink") {
        const mod = requireFresh(w.file)
        const { JobLoader } = resolveFromProject("@medusajs/framework/jobs")
        new JobLoader([], container()).validateConfig((mod && mod.config) || undefined)
        checkSchedule(w.file, mod.config.schedule)
      }
      if (!jobReloader) {
        const { JobReloader } = require(path.join(medusa, "dist/commands/utils/dev-server/reloaders/jobs.js"))
        const { ModuleCacheManager } = require(path.join(medusa, "dist/commands/utils/dev-server/module-cache-manager.js"))
        const { ResourceRegistry } = require(path.join(medusa, "dist/commands/utils/dev-server/resource-registry.js"))
        const { logger } = resolveFromProject("@medusajs/framework/logger")
        // It unregisters every job its file is listed for in Medusa's registry, which only ever
        // adds: only the ones the file defines now go.
        const jobs = { unregister: (id) => unregisterOwned(id, hot.currentFile) }
        jobReloader = new JobReloader(jobs, new ModuleCacheManager("[HMR]"), container(), new ResourceRegistry(), "[HMR]", logger)
      }
      const prev = hot.currentFile
      hot.currentFile = w.file
      hot.dropped = new Set()
      try {
        await jobReloader.reload(w.action, w.file)
      } finally {
        hot.currentFile = prev
        if (restore) for (const id of hot.dropped) restore.add(id)
        hot.dropped = null
      }
    } catch (e) {
      return failure(w, e)
    }
    return { file: w.file, kind: w.kind, ok: true, how: w.restores ? "defines again a job a removed file had replaced" : w.action === "unlink" ? "removed" : "rescheduled" }
  }

  // Modules: what Medusa's ModuleReloader does (reloadSingleModule), with what it lacks: the
  // module's files are loaded first (a missing import or a throw while loading is this file's
  // error, not "Could not find module config"); a module Medusa cannot reload in place (not in
  // medusa-config's modules, such as a provider) restarts, saying why, instead of reporting a
  // reload that did nothing; a reload that throws (a service constructor) or never settles puts
  // the last good module back, and clears what Medusa leaves behind: a failed module load leaves
  // its entry in MedusaModule.loading_ pending forever, and every later reload of that module
  // waited on it; limitMs bounds a reload. A module file cannot be removed in place (restart).
  let moduleReloader = null
  function moduleReloaderOf() {
    if (!moduleReloader) {
      const medusa = path.dirname(require.resolve("@medusajs/medusa/package.json", { paths: [root] }))
      const { ModuleReloader } = require(path.join(medusa, "dist/commands/utils/dev-server/reloaders/modules.js"))
      const { ModuleCacheManager } = require(path.join(medusa, "dist/commands/utils/dev-server/module-cache-manager.js"))
      const { logger } = resolveFromProject("@medusajs/framework/logger")
      moduleReloader = new ModuleReloader(new ModuleCacheManager("[HMR]"), root, "[HMR]", logger)
    }
    return moduleReloader
  }

  // isModelFile tells whether file is in a module's models folder (src/modules/<name>/models).
  function isModelFile(file) {
    const rel = path.relative(path.join(root, "src", "modules"), file).split(path.sep)
    return rel.length > 2 && rel[0] !== ".." && rel.slice(1, -1).includes("models")
  }

  function moduleNameOf(file) {
    const rel = path.relative(path.join(root, "src", "modules"), file).split(path.sep)
    return rel.length > 1 && rel[0] !== ".." ? rel[0] : null
  }

  async function reloadModule(w, limitMs) {
    const rel = path.relative(root, w.file)
    let r
    try {
      r = moduleReloaderOf()
    } catch (e) {
      return failure(w, e)
    }
    const name = moduleNameOf(w.file)
    const parts = rel.split(path.sep)
    if (name && parts.includes("migrations")) {
      // Medusa runs migrations from db:migrate, never while it serves: nothing to reload
      const r = { file: w.file, kind: w.kind, ok: true, unchanged: true, how: "a migration, which Medusa runs only from npx medusa db:migrate" }
      return w.action === "unlink" ? r : { ...r, note: "a new migration: apply it with npx medusa db:migrate" }
    }
    if (!name || w.action === "unlink") {
      return { file: w.file, kind: w.kind, ok: true, restart: true, how: w.action === "unlink" ? `a module file was removed (${rel})` : "not in a module folder" }
    }
    if (isModelFile(w.file)) {
      // MikroORM reads the data models when Medusa starts: reloaded in place, a new field is
      // silently left out of what is written and read. So does a model that imports the file
      // saved (a constant for a default, an enum). A model that does not load would stop that
      // start: its error, and the Medusa serving now goes on.
      try {
        require(w.file)
      } catch (e) {
        for (const [id, mod] of hot.previous || []) if (!require.cache[id]) require.cache[id] = mod
        return failure(w, e)
      }
      const why = w.importerOnly ? `it imports a file that changed, and ` : ""
      return { file: w.file, kind: w.kind, ok: true, restart: true,
        how: `${why}Medusa reads the data models of module "${name}" when it starts; generate and apply their migration with npx medusa db:generate ${name} && npx medusa db:migrate` }
    }
    const dir = path.join(root, "src", "modules", name)
    const putBack = () => {
      for (const [id, mod] of hot.previous || []) if (id.startsWith(dir + path.sep)) require.cache[id] = mod
    }
    const cachedBefore = new Set(Object.keys(require.cache))
    hot.currentFile = w.file
    try {
      require(require.resolve(dir))
    } catch (e) {
      for (const id of Object.keys(require.cache)) if (!cachedBefore.has(id)) delete require.cache[id]
      putBack()
      return failure(w, e)
    } finally {
      hot.currentFile = null
    }
    const info = await r.getModuleInfo(name)
    if (!info) {
      return { file: w.file, kind: w.kind, ok: true, restart: true,
        how: `Medusa reloads in place only the modules listed in medusa-config's modules, and "${name}" is not one of them (a provider, or a module without a service)` }
    }
    const { MedusaModule } = resolveFromProject("@medusajs/framework/modules-sdk")
    const { MedusaAppLoader } = resolveFromProject("@medusajs/framework")
    const c = container()
    const keys = [...new Set([info.moduleKey, info.serviceName])]
    const maps = ["moduleResolutions_", "joinerConfig_", "modules_"].filter((m) => MedusaModule[m] instanceof Map)
    const saved = {
      maps: maps.map((m) => [m, MedusaModule[m].has(info.moduleKey), MedusaModule[m].get(info.moduleKey)]),
      instances: new Map(MedusaModule.instances_ instanceof Map ? MedusaModule.instances_ : []),
      loading: new Set(MedusaModule.loading_ instanceof Map ? MedusaModule.loading_.keys() : []),
      registrations: keys.map((k) => [k, c.registrations && c.registrations[k]]),
    }
    let old
    try {
      old = c.resolve(info.serviceName, { allowUnregistered: true })
    } catch (_) {
      old = undefined
    }
    const restoreModule = () => {
      for (const [m, had, v] of saved.maps) {
        if (had) MedusaModule[m].set(info.moduleKey, v)
        else MedusaModule[m].delete(info.moduleKey)
      }
      if (MedusaModule.instances_ instanceof Map) {
        MedusaModule.instances_.clear()
        for (const [k, v] of saved.instances) MedusaModule.instances_.set(k, v)
      }
      if (MedusaModule.loading_ instanceof Map) {
        for (const k of [...MedusaModule.loading_.keys()]) if (!saved.loading.has(k)) MedusaModule.loading_.delete(k)
      }
      for (const [k, resolver] of saved.registrations) {
        if (resolver) c.register(k, resolver)
        if (c.cache && typeof c.cache.delete === "function") c.cache.delete(k)
      }
      putBack()
    }
    let timer
    const late = {}
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve(late), limitMs)
    })
    try {
      const loaded = await Promise.race([new MedusaAppLoader().reloadSingleModule({ moduleKey: info.moduleKey, serviceName: info.serviceName }), timedOut])
      if (loaded === late) {
        // a loader or a hook of the module never settled: the previous module keeps serving
        restoreModule()
        const e = new Error(`Medusa's reload of module "${info.serviceName}" did not finish within ${Math.round(limitMs / 1000)} s (a loader or a lifecycle hook that never settles?); the previous module keeps serving`)
        e.stack = `Error: ${e.message}\n    at ${w.file}:1:1`
        return failure(w, e)
      }
      if (!loaded) throw new Error(`Medusa could not reload module "${info.moduleKey}"`)
    } catch (e) {
      restoreModule()
      return failure(w, e)
    } finally {
      clearTimeout(timer)
    }
    if (old && old !== c.resolve(info.serviceName, { allowUnregistered: true })) await r.shutdownModule(old)
    return { file: w.file, kind: w.kind, ok: true, how: "reloaded" }
  }

  send({ type: "medusa-ls:hello", pid: process.pid, node: process.version })
}
