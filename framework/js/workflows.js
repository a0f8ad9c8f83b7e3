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
      // not part of the error Medusa reports (orchestration's PermanentStepFailureError)
      Object.defineProperty(e, "__permanent", { value: true });
      Object.defineProperty(e, "compensateInput", { value: compensateInput });
      throw e;
    }
    // Medusa's is an orchestration SkipStepResponse: an Error named "SkipStepResponse", not a
    // StepResponse (instanceof StepResponse is false).
    static skip() {
      return new SkipStepResponse();
    }
  }

  class SkipStepResponse extends Error {
    constructor(message) {
      super(message);
      this.name = "SkipStepResponse";
    }
  }
  // orchestration's SkipStepResponse.isSkipStepResponse.
  const isSkipStepResponse = (v) => v instanceof SkipStepResponse || (v != null && v.name === "SkipStepResponse");

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
      // What the composer returns is the result, in a WorkflowResponse or not (an input or a
      // step's output returned as is is a reference, not a response).
      def.result = ret instanceof WorkflowResponse ? ret.result : ret;
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
  //
  // What follows mirrors Medusa's transaction orchestrator (@medusajs/orchestration,
  // transaction-orchestrator.ts) as the in-memory LocalWorkflow runs it, checked against it by
  // devserver/embedded's TestWorkflowsMatchMedusa:
  //   - step inputs and the workflow's result are resolved from the outputs so far and copied
  //     with parseStringifyIfNecessary (undefined keys dropped, class instances JSON-copied);
  //   - a step that throws is retried maxRetries times at once; the last error counts;
  //   - the run then compensates level by level, deepest first: the failing step's own
  //     compensation runs first, with undefined (or permanentFailure's compensateInput), then the
  //     steps before it in reverse; the steps of one parallelize group are compensated together,
  //     started in their order; skipped steps and false `when` branches are not compensated;
  //   - a compensation that throws makes the state "failed" and the others still run; only
  //     invoke failures are listed in `errors`, as { action, handlerType, error } where error is
  //     serialized (serializeError: message, name, stack and own properties; a thrown non-error
  //     becomes { message: JSON.stringify(value) });
  //   - a nested workflow (runAsStep) is the step "<name>-as-step"; when it fails it has
  //     compensated itself and the parent ends "failed";
  //   - the result is resolved even when the run failed, from whatever outputs exist.

  // A MedusaError answered with a 4xx (not found, invalid data, not allowed…) is a step saying
  // no on purpose, not a bug: it fails the workflow but is not reported as a runtime error.
  const CLIENT_ERRORS = new Set(["not_found", "invalid_data", "not_allowed", "unauthorized", "forbidden",
    "duplicate_error", "conflict", "payment_authorization_error", "payment_requires_more_error"]);
  const isBug = (err) => !(err && err.__isMedusaError && CLIENT_ERRORS.has(err.type));
  // Set on an error that was reported already, so that a route rethrowing it does not report
  // it again (server.js reads it). A symbol, so that it never shows in keys or JSON.
  const REPORTED = Symbol.for("medusa-ls.reported");

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // @medusajs/utils parseStringifyIfNecessary.
  function parseStringify(v) {
    if (v == null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(parseStringify);
    const plain = v.constructor === Object || v.constructor === undefined;
    if (!plain) {
      const s = JSON.stringify(v);
      return s === undefined ? undefined : JSON.parse(s);
    }
    const out = {};
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const x = v[k];
      if (typeof x === "function" || typeof x === "symbol") continue;
      const c = parseStringify(x);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  const resolveCopy = (v, values) => parseStringify(resolve(v, values));

  // The orchestrator's error serialization (setStepFailure: isErrorLike → serializeError).
  function serializeError(err) {
    if (err instanceof Error || (err && typeof err === "object" && err.message !== undefined && err.stack !== undefined)) {
      const out = { message: err.message, name: err.name, stack: err.stack };
      for (const k of Object.keys(err)) if (!(k in out)) out[k] = err[k];
      return out;
    }
    try {
      const s = JSON.stringify(err);
      return err && err.message ? JSON.parse(s) : { message: s };
    } catch {
      return { message: "Unknown non-serializable error" };
    }
  }

  // A step failure on its way up: the step it belongs to and the error as thrown.
  class StepFailure {
    constructor(action, error, nested) {
      this.action = action;
      this.error = error;
      this.nested = nested; // a nested workflow failed: the parent ends "failed"
    }
  }

  async function execute(def, opts) {
    const container = opts.container;
    const throwOnError = opts.throwOnError !== false;
    // As in Medusa's exported workflow: a transaction id "auto-<ulid>" and an event group id
    // "<ulid>" unless the caller gives them.
    const ulid = host.newId("").slice(1);
    const transactionId = (opts.context && opts.context.transactionId) || "auto-" + ulid;
    const eventGroupId = (opts.context && opts.context.eventGroupId) || ulid;
    const context = { ...(opts.context || {}), transactionId, eventGroupId, workflowId: def.name, userContext: opts.context || {} };
    const byName = new Map();
    const index = (nodes) => { for (const n of nodes) { if (n.kind === "step") byName.set(n.name, n); if (n.body) index(n.body); } };
    index(def.nodes);
    const run = { def, values: new Map([[def.inputId, opts.input]]), levels: [], container, context, byName, runId: host.newId("").slice(1) };
    // A step that waits retryInterval seconds before its next attempt suspends the run: a
    // nested run passes that on to its parent's.
    let suspended;
    const waiting = new Promise((r) => { suspended = r; });
    run.suspend = opts.__suspend || suspended;
    const finishing = (async () => {
      const errors = [];
      let state = "done";
      try {
        await runNodes(run, def.nodes);
      } catch (thrown) {
        const failure = thrown instanceof StepFailure ? thrown : new StepFailure(def.name, thrown, false);
        const err = failure.error;
        if (isBug(err) && !failure.nested) host.stepFailed(def.name, failure.action, err);
        const serialized = serializeError(err);
        if (serialized && typeof serialized === "object") {
          try { Object.defineProperty(serialized, REPORTED, { value: true }); } catch {}
        }
        // The orchestrator's setStepFailure adds where the step ran to every error's stack (one
        // from a thrown string or object gets a stack that way too).
        if (serialized && typeof serialized === "object") {
          serialized.stack = (serialized.stack ?? "") + `\n⮑ \sat [${def.name} -> ${failure.action} (invoke)]`;
        }
        errors.push({ action: failure.action, handlerType: "invoke", error: serialized });
        state = (await compensateLevels(run)) && !failure.nested ? "reverted" : "failed";
      }
      // Events grouped under this run are released when it succeeds and dropped when it fails;
      // a nested run shares its parent's group, which only the parent may settle.
      const eventBus = !opts.__nested && container && container.resolve ? container.resolve("event_bus", { allowUnregistered: true }) : undefined;
      if (eventBus) {
        if (state === "done") await eventBus.releaseGroupedEvents(eventGroupId);
        else await eventBus.clearGroupedEvents(eventGroupId);
      }
      return { errors, state };
    })();
    // As Medusa's orchestrator with its workflow engine: when a step failed and waits
    // retryInterval seconds for its next attempt (scheduleRetry), run() returns at once with
    // the transaction "invoking", no errors and the result resolved from the outputs so far;
    // the run goes on in the background (its failures are reported where they happen).
    const done = opts.__nested ? await finishing : await Promise.race([finishing, waiting.then(() => null)]);
    if (!done) {
      finishing.catch((e) => host.stepFailed(def.name, def.name, e));
      const transaction = { transactionId, workflowId: def.name, state: "invoking", getState: () => "invoking" };
      return runResult(resolveCopy(def.result, run.values), [], transaction, null, run);
    }
    const { errors, state } = done;
    const result = resolveCopy(def.result, run.values);
    const transaction = { transactionId, workflowId: def.name, state, getState: () => state };
    const thrownError = state === "failed" || state === "reverted" ? (errors[0] && errors[0].error) || new Error("Unknown error") : null;
    if (thrownError && throwOnError) throw thrownError;
    return runResult(result, errors, transaction, thrownError, run);
  }

  // runResult is what run() gives, with Medusa's keys (workflow-export.js); compensate, for a
  // workflow run as another's step, is not one of them.
  function runResult(result, errors, transaction, thrownError, run) {
    const out = { errors, transaction, result, thrownError };
    Object.defineProperty(out, "compensate", { value: () => compensateLevels(run) });
    return out;
  }

  // compensateLevels undoes what run invoked, deepest level first; it reports whether every
  // compensation succeeded.
  async function compensateLevels(run) {
    let ok = true;
    const levels = run.levels;
    run.levels = [];
    for (let i = levels.length - 1; i >= 0; i--) {
      const started = [];
      for (const entry of levels[i]) {
        if (entry) started.push(compensateEntry(run, entry));
      }
      for (const r of await Promise.allSettled(started)) {
        if (r.status === "rejected" || r.value === false) ok = false;
      }
    }
    return ok;
  }

  async function compensateEntry(run, entry) {
    if (entry.sub) return entry.sub.compensate();
    const node = entry.node;
    if (!node.compensate) return true;
    try {
      await node.compensate(entry.compensateInput, stepContext(run, node, "compensate", 1));
      return true;
    } catch (cerr) {
      host.stepFailed(run.def.name, node.name + " (compensation)", cerr);
      return false;
    }
  }

  // The step's execution context, as Medusa's createStepHandler (buildStepContext) builds it.
  function stepContext(run, node, action, attempt) {
    const { container, context: rc } = run;
    const idempotencyKey = `${run.def.name}:${rc.transactionId}:${node.name}:${action}`;
    return {
      workflowId: run.def.name,
      stepName: node.name,
      action,
      idempotencyKey,
      attempt,
      container,
      metadata: { model_id: run.def.name, idempotency_key: idempotencyKey, action: node.name, action_type: action, attempt, timestamp: Date.now() },
      eventGroupId: rc.eventGroupId,
      parentStepIdempotencyKey: undefined,
      preventReleaseEvents: false,
      transactionId: rc.transactionId,
      runId: run.runId,
      context: {
        ...rc.userContext,
        __type: "MedusaContext",
        transactionId: rc.transactionId,
        eventGroupId: rc.eventGroupId,
        isCancelling: false,
        idempotencyKey,
        parentStepIdempotencyKey: undefined,
        preventReleaseEvents: undefined,
        cancelingFromParentStep: undefined,
      },
      " stepDefinition": { action: node.name, uuid: String(node.id), noCompensation: !node.compensate, store: false },
      " getStepResult"(stepId, which = "invoke") {
        if (which !== "invoke") return undefined;
        const target = run.byName.get(stepId);
        return target ? run.values.get(target.id) : undefined;
      },
    };
  }

  async function runNodes(run, nodes) {
    for (const node of nodes) await runNode(run, node, null);
  }

  // runNode runs one node; slot is where a parallel group wants its entry, or null for a level
  // of its own.
  async function runNode(run, node, slot) {
    const values = run.values;
    const record = (entry) => {
      if (slot) slot.entry = entry;
      else run.levels.push([entry]);
    };
    switch (node.kind) {
      case "transform": {
        let v = resolveCopy(node.input, values);
        for (const fn of node.fns) v = await fn(v, run.context);
        values.set(node.id, v);
        return;
      }
      case "when": {
        const input = resolveCopy(node.input, values);
        if (!node.condition(input, run.context)) {
          values.set(node.id, undefined);
          return;
        }
        await runNodes(run, node.body);
        values.set(node.id, resolve(node.result, values));
        return;
      }
      case "parallel": {
        const slots = node.body.map(() => ({ entry: null }));
        const level = [];
        run.levels.push(level);
        const results = await Promise.allSettled(node.body.map((n, i) => runNode(run, n, slots[i])));
        for (const s of slots) level.push(s.entry);
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
        return;
      }
      case "subflow": {
        const action = node.name + "-as-step";
        const sub = await execute(node.def, { input: resolveCopy(node.input, values), container: run.container,
          context: { eventGroupId: run.context.eventGroupId }, throwOnError: false, __nested: true, __suspend: run.suspend });
        if (sub.errors.length) {
          // The nested run compensated itself; its step is compensated with nothing to undo.
          record({ sub: { compensate: async () => true } });
          throw new StepFailure(action, sub.errors[0].error, true);
        }
        values.set(node.id, sub.result);
        record({ sub: { compensate: sub.compensate } });
        return;
      }
      case "step":
        return runStep(run, node, record);
    }
  }

  async function runStep(run, node, record) {
    const input = resolveCopy(node.input, run.values);
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await node.invoke(input, stepContext(run, node, "invoke", attempt));
      } catch (err) {
        if (err && err.__permanent) {
          // StepResponse.permanentFailure(message, compensateInput): no retry; the
          // compensateInput is the step's output and what its compensation receives.
          run.values.set(node.id, err.compensateInput);
          record({ node, compensateInput: err.compensateInput });
          throw new StepFailure(node.name, err, false);
        }
        if (attempt <= node.maxRetries) {
          if (node.retryInterval) {
            run.suspend();
            await sleep(node.retryInterval * 1000);
          }
          continue;
        }
        record({ node, compensateInput: undefined });
        throw new StepFailure(node.name, err, false);
      }
      if (isSkipStepResponse(res)) {
        run.values.set(node.id, undefined);
        return;
      }
      if (!(res && res.__stepResponse)) res = new StepResponse(res);
      run.values.set(node.id, res.output);
      record({ node, compensateInput: res.compensateInput });
      return;
    }
  }

  return {
    createStep, createWorkflow, StepResponse, WorkflowResponse, transform, when, parallelize, createHook,
    // Aliases Medusa exports under other names.
    createWorkflowWithHooks: () => { throw unsupported("createWorkflowWithHooks"); },
    getWorkflow: (name) => registry.get(name),
  };
})
