// @medusajs/framework/workflows-sdk for the embedded runtime.
//
// As in Medusa, a workflow's composer runs once, when createWorkflow is called, against
// placeholder references: calling a step records a node and returns a reference to its future
// output, which can be passed to later steps, destructured, or transformed. run() walks the
// recorded nodes: resolves each node's input from earlier outputs, invokes the step (with
// retries), and when a step fails, compensates the completed steps in reverse order.
(function (host, utils) {
  "use strict";
  const { MedusaError } = utils;

  const REF = Symbol("medusa-ls.ref");
  const unsupported = (what) => {
    const e = new Error(`${what} is not supported by the embedded runtime yet; run medusa-ls with --runtime node for this project`);
    e.name = "UnsupportedError";
    return e;
  };

  // ---- references -------------------------------------------------------------------------

  // A reference to (a path inside) the output of node `id`. Property reads extend the path, so
  // `const { product } = step(input)` works; `.config({ name })` renames the step that made it.
  function makeRef(id, path, node) {
    const target = function () {};
    target[REF] = { id, path };
    return new Proxy(target, {
      get(t, prop) {
        if (prop === REF) return t[REF];
        if (prop === "config" && node && path.length === 0) {
          return (cfg) => {
            if (cfg && cfg.name) node.name = cfg.name;
            if (cfg && cfg.maxRetries !== undefined) node.maxRetries = cfg.maxRetries;
            return makeRef(id, path, node);
          };
        }
        if (prop === "then" || typeof prop === "symbol" || prop === "toJSON") return undefined;
        return makeRef(id, path.concat(String(prop)), null);
      },
      set() {
        throw new Error("workflow composers cannot change step outputs: the values do not exist yet. Use transform() to compute new values");
      },
    });
  }
  const isRef = (v) => typeof v === "function" && v[REF] !== undefined;

  function isPlain(v) {
    if (v === null || typeof v !== "object") return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  }

  // resolve replaces references inside v by the values they point to.
  function resolve(v, values) {
    if (isRef(v)) {
      const { id, path } = v[REF];
      let out = values.get(id);
      for (const k of path) out = out == null ? undefined : out[k];
      return out;
    }
    if (Array.isArray(v)) return v.map((x) => resolve(x, values));
    if (isPlain(v)) {
      const out = {};
      for (const k of Object.keys(v)) out[k] = resolve(v[k], values);
      return out;
    }
    return v;
  }

  // ---- composition ------------------------------------------------------------------------

  let composer = null; // the workflow being defined: { name, nodes, ids, blockStack }
  let nextId = 0;

  function currentBlock() {
    return composer.blockStack[composer.blockStack.length - 1];
  }

  function addNode(node) {
    if (!composer) throw new Error(`${node.kind === "step" ? "createStep" : node.kind} must be used inside a createWorkflow definition`);
    node.id = ++nextId;
    currentBlock().push(node);
    return node;
  }

  class StepResponse {
    constructor(output, compensateInput) {
      this.__stepResponse = true;
      this.output = output;
      this.compensateInput = compensateInput === undefined ? output : compensateInput;
    }
    static permanentFailure(message = "Permanent failure", compensateInput) {
      const e = new Error(message);
      e.name = "PermanentStepFailure";
      e.__permanent = true;
      e.compensateInput = compensateInput;
      throw e;
    }
    static skip() {
      const r = new StepResponse(undefined);
      r.__skip = true;
      return r;
    }
  }

  class WorkflowResponse {
    constructor(result, options) {
      if (options && options.hooks && options.hooks.length) throw unsupported("workflow hooks (createHook)");
      this.__workflowResponse = true;
      this.result = result;
    }
  }

  function createStep(nameOrConfig, invoke, compensate) {
    const config = typeof nameOrConfig === "string" ? { name: nameOrConfig } : { ...(nameOrConfig || {}) };
    if (!config.name) throw new Error("createStep needs a name: createStep(\"my-step\", async (input, { container }) => …)");
    if (config.async) throw unsupported(`step "${config.name}": long-running async steps ({ async: true })`);
    if (typeof invoke !== "function") throw new Error(`step "${config.name}": the second argument must be the step function`);
    function step(input) {
      if (!composer) throw new Error(`createStep must be used inside a createWorkflow definition (step "${config.name}")`);
      const node = addNode({ kind: "step", name: config.name, input, invoke, compensate, maxRetries: config.maxRetries ?? 0,
        retryInterval: config.retryInterval ?? 0 });
      return makeRef(node.id, [], node);
    }
    step.__step = config;
    step.getName = () => config.name;
    return step;
  }

  function transform(values, ...fns) {
    if (!fns.length) throw new Error("transform needs at least one function");
    const node = addNode({ kind: "transform", input: values, fns });
    return makeRef(node.id, [], null);
  }

  function when(...args) {
    // when(values, condition) or, in newer Medusa, when("name", values, condition).
    const [values, condition] = typeof args[0] === "string" && args.length === 3 ? [args[1], args[2]] : [args[0], args[1]];
    if (typeof condition !== "function") throw new Error("when(values, condition): the condition must be a function");
    if (!composer) throw new Error("when must be used inside a createWorkflow definition");
    const node = addNode({ kind: "when", input: values, condition, body: [] });
    return {
      then(fn) {
        composer.blockStack.push(node.body);
        let ret;
        try {
          ret = fn();
        } finally {
          composer.blockStack.pop();
        }
        node.result = ret;
        return makeRef(node.id, [], null);
      },
    };
  }

  function parallelize(...refs) {
    if (!composer) throw new Error("parallelize must be used inside a createWorkflow definition");
    const ids = new Set(refs.filter(isRef).map((r) => r[REF].id));
    const block = currentBlock();
    const group = { kind: "parallel", body: [], id: ++nextId };
    // The steps were recorded already, in order; move them into a group that runs them together.
    for (let i = block.length - 1; i >= 0; i--) {
      if (ids.has(block[i].id)) group.body.unshift(block.splice(i, 1)[0]);
    }
    block.push(group);
    return refs;
  }

  function createHook() {
    throw unsupported("createHook (workflow hooks)");
  }

  const registry = new Map(); // name → workflow function, for nesting and lookups

  function createWorkflow(nameOrConfig, composerFn) {
    const config = typeof nameOrConfig === "string" ? { name: nameOrConfig } : { ...(nameOrConfig || {}) };
    const name = config.name;
    if (!name) throw new Error("createWorkflow needs a name");
    if (config.schedule) throw unsupported(`scheduled workflows (createWorkflow({ schedule }), workflow "${name}")`);
    if (composer) throw new Error(`createWorkflow("${name}") cannot be called inside another workflow's composer; compose it with ${name}.runAsStep()`);
    host.register(name);
    const def = { name, nodes: [], blockStack: null, result: undefined };
    def.blockStack = [def.nodes];
    const inputNode = { id: ++nextId };
    def.inputId = inputNode.id;
    composer = def;
    try {
      const ret = composerFn(makeRef(inputNode.id, [], null));
      if (ret && typeof ret.then === "function" && !isRef(ret)) {
        throw new Error(`the composer of workflow "${name}" must not be async: it runs once, when the workflow is defined`);
      }
      def.result = ret && ret.__workflowResponse ? ret.result : ret;
    } finally {
      composer = null;
    }
    const names = new Set();
    const walk = (nodes) => {
      for (const n of nodes) {
        if (n.kind === "step") {
          if (names.has(n.name)) {
            throw new Error(`step "${n.name}" is used twice in workflow "${name}"; rename one use with ${n.name}(input).config({ name: "another-name" })`);
          }
          names.add(n.name);
        }
        if (n.body) walk(n.body);
      }
    };
    walk(def.nodes);

    const workflow = function (container) {
      return {
        run: (opts = {}) => execute(def, { ...opts, container: opts.container || container }),
        runAsStep: (opts) => workflow.runAsStep(opts),
      };
    };
    workflow.run = (opts = {}) => execute(def, opts);
    workflow.getName = () => name;
    workflow.runAsStep = ({ input } = {}) => {
      if (!composer) throw new Error(`${name}.runAsStep must be used inside another workflow's composer`);
      const node = addNode({ kind: "subflow", name, def, input });
      return makeRef(node.id, [], node);
    };
    workflow.__workflow = def;
    registry.set(name, workflow);
    return workflow;
  }

  // ---- execution --------------------------------------------------------------------------

  // A MedusaError answered with a 4xx (not found, invalid data, not allowed…) is a step saying
  // no on purpose, not a bug: it fails the workflow but is not reported as a runtime error.
  const CLIENT_ERRORS = new Set(["not_found", "invalid_data", "not_allowed", "unauthorized", "forbidden",
    "duplicate_error", "conflict", "payment_authorization_error", "payment_requires_more_error"]);
  const isBug = (err) => !(err && err.__isMedusaError && CLIENT_ERRORS.has(err.type));

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function execute(def, opts) {
    const container = opts.container;
    const throwOnError = opts.throwOnError !== false;
    const transactionId = (opts.context && opts.context.transactionId) || host.newId("wf");
    const eventGroupId = (opts.context && opts.context.eventGroupId) || transactionId;
    const context = { ...(opts.context || {}), transactionId, eventGroupId, workflowId: def.name };
    const values = new Map([[def.inputId, opts.input]]);
    const done = []; // completed steps, for compensation: { node, compensateInput, sub }
    const errors = [];
    let state = "done";
    try {
      await runNodes(def, def.nodes, values, done, container, context);
    } catch (err) {
      const step = (err && typeof err === "object" && err.__step) || "";
      errors.push({ action: step || def.name, handlerType: "invoke", error: err });
      if (isBug(err)) {
        host.stepFailed(def.name, step, err);
        // Whoever catches the rethrown error (a route answering 500) need not report it again.
        if (err && typeof err === "object") {
          try { Object.defineProperty(err, "__medusaLsReported", { value: true }); } catch {}
        }
      }
      state = "reverted";
      for (let i = done.length - 1; i >= 0; i--) {
        const d = done[i];
        try {
          if (d.sub) await d.sub.compensate();
          else if (d.node.compensate) await d.node.compensate(d.compensateInput, { container, context: { ...context, stepName: d.node.name } });
        } catch (cerr) {
          state = "failed";
          errors.push({ action: d.node.name, handlerType: "compensate", error: cerr });
          host.stepFailed(def.name, d.node.name + " (compensation)", cerr);
        }
      }
    }
    // Events grouped under this run are released when it succeeds and dropped when it fails;
    // a nested run shares its parent's group, which only the parent may settle.
    const eventBus = !opts.__nested && container && container.resolve ? container.resolve("event_bus", { allowUnregistered: true }) : undefined;
    if (eventBus) {
      if (state === "done") await eventBus.releaseGroupedEvents(eventGroupId);
      else await eventBus.clearGroupedEvents(eventGroupId);
    }
    const result = state === "done" ? resolve(def.result, values) : undefined;
    const transaction = { transactionId, workflowId: def.name, state, getState: () => state };
    if (errors.length && throwOnError) throw errors[0].error;
    return { result, errors, transaction, compensate: () => compensateAll(done, container, context) };
  }

  async function compensateAll(done, container, context) {
    for (let i = done.length - 1; i >= 0; i--) {
      const d = done[i];
      if (d.sub) await d.sub.compensate();
      else if (d.node.compensate) await d.node.compensate(d.compensateInput, { container, context });
    }
  }

  async function runNodes(def, nodes, values, done, container, context) {
    for (const node of nodes) await runNode(def, node, values, done, container, context);
  }

  async function runNode(def, node, values, done, container, context) {
    switch (node.kind) {
      case "transform": {
        let v = resolve(node.input, values);
        for (const fn of node.fns) v = await fn(v, context);
        values.set(node.id, v);
        return;
      }
      case "when": {
        const input = resolve(node.input, values);
        if (!node.condition(input, context)) {
          values.set(node.id, undefined);
          return;
        }
        await runNodes(def, node.body, values, done, container, context);
        values.set(node.id, resolve(node.result, values));
        return;
      }
      case "parallel": {
        const results = await Promise.allSettled(node.body.map((n) => runNode(def, n, values, done, container, context)));
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
        return;
      }
      case "subflow": {
        const sub = await execute(node.def, { input: resolve(node.input, values), container, context: { eventGroupId: context.eventGroupId }, throwOnError: false, __nested: true });
        if (sub.errors.length) {
          const err = sub.errors[0].error;
          if (err && typeof err === "object") err.__step = err.__step || node.name;
          throw err;
        }
        values.set(node.id, sub.result);
        done.push({ node, sub: { compensate: sub.compensate } });
        return;
      }
      case "step":
        return runStep(node, values, done, container, context);
    }
  }

  async function runStep(node, values, done, container, context) {
    const input = resolve(node.input, values);
    const stepContext = { container, context: { ...context, stepName: node.name }, ...context };
    let attempt = 0;
    for (;;) {
      try {
        let res = await node.invoke(input, stepContext);
        if (!(res && res.__stepResponse)) res = new StepResponse(res);
        values.set(node.id, res.__skip ? undefined : res.output);
        if (!res.__skip) done.push({ node, compensateInput: res.compensateInput });
        return;
      } catch (err) {
        if (err && typeof err === "object") err.__step = err.__step || node.name;
        if (err && err.__permanent) {
          if (err.compensateInput !== undefined) done.push({ node, compensateInput: err.compensateInput });
          throw err;
        }
        if (attempt >= node.maxRetries) throw err;
        attempt++;
        if (node.retryInterval) await sleep(node.retryInterval * 1000);
      }
    }
  }

  return {
    createStep, createWorkflow, StepResponse, WorkflowResponse, transform, when, parallelize, createHook,
    // Aliases Medusa exports under other names.
    createWorkflowWithHooks: () => { throw unsupported("createWorkflowWithHooks"); },
    getWorkflow: (name) => registry.get(name),
  };
})
