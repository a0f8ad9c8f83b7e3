// Runs once per runtime before any user code. Receives Go bindings as `host` and returns the
// helpers the Go side needs. Everything here is plain ES2022 that goja runs natively.
(function (host) {
  "use strict";

  class Timeout {
    constructor(id, repeat) { this._id = id; this._repeat = repeat; }
    ref() { return this; }
    unref() { return this; }
    hasRef() { return true; }
    refresh() { return this; }
    close() { host.clearTimer(this._id); return this; }
    [Symbol.toPrimitive]() { return this._id; }
  }
  const timerId = (t) => (t && typeof t === "object" && "_id" in t ? t._id : Number(t));

  globalThis.setTimeout = (fn, ms, ...args) => {
    if (typeof fn !== "function") throw new TypeError("The \"callback\" argument must be of type function");
    return new Timeout(host.addTimer(fn, Number(ms) || 0, false, args), false);
  };
  globalThis.setInterval = (fn, ms, ...args) => {
    if (typeof fn !== "function") throw new TypeError("The \"callback\" argument must be of type function");
    return new Timeout(host.addTimer(fn, Number(ms) || 0, true, args), true);
  };
  globalThis.setImmediate = (fn, ...args) => globalThis.setTimeout(fn, 0, ...args);
  globalThis.clearTimeout = (t) => { if (t != null) host.clearTimer(timerId(t)); };
  globalThis.clearInterval = globalThis.clearTimeout;
  globalThis.clearImmediate = globalThis.clearTimeout;
  globalThis.queueMicrotask = (fn) => { Promise.resolve().then(fn); };
  globalThis.global = globalThis;

  // ---- what goja lacks and Node code relies on -------------------------------------------
  // Error.captureStackTrace(obj, fn), as V8: obj.stack, computed when first read (custom error
  // classes call it in their constructor, before setting their message).
  if (typeof Error.captureStackTrace !== "function") {
    Object.defineProperty(Error, "captureStackTrace", {
      value(obj) {
        if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) throw new TypeError("Invalid argument");
        const frames = String(new Error().stack || "").split("\n").slice(2);
        let stack;
        Object.defineProperty(obj, "stack", {
          configurable: true,
          enumerable: false,
          get() {
            if (stack === undefined) {
              const name = obj.name === undefined ? "Error" : String(obj.name);
              const message = obj.message === undefined ? "" : String(obj.message);
              stack = [message ? (name ? name + ": " + message : message) : name, ...frames].join("\n");
            }
            return stack;
          },
          set(v) { stack = v; },
        });
      },
      writable: true,
      configurable: true,
    });
  }
  // The well-known symbol esbuild's helpers look for (for await, async generators), so that a
  // class's [Symbol.asyncIterator]() is the one they find.
  if (typeof Symbol.asyncIterator !== "symbol") {
    try {
      Object.defineProperty(Symbol, "asyncIterator", { value: Symbol.for("Symbol.asyncIterator") });
    } catch {}
  }
  // Unicode property escapes (\p{L}) never match in goja: esbuild hands such a literal to the
  // RegExp constructor, which refuses it clearly instead.
  {
    const NativeRegExp = RegExp;
    const check = (args) => {
      const src = args[0] instanceof NativeRegExp ? args[0].source : String(args[0] ?? "");
      const flags = args[1] !== undefined ? String(args[1]) : args[0] instanceof NativeRegExp ? args[0].flags : "";
      if (/[uv]/.test(flags) && /\\[pP]\{/.test(src)) throw host.unsupported(`the Unicode property escape in /${src}/${flags} (\\p{…})`);
    };
    // A function, not a Proxy: goja's instanceof refuses a Proxy. Literals' prototype is this
    // RegExp's prototype, so instanceof and .constructor hold for both.
    const WrappedRegExp = function RegExp(pattern, flags) {
      check([pattern, flags]);
      if (!new.target) return NativeRegExp(pattern, flags);
      return Reflect.construct(NativeRegExp, [pattern, flags], new.target === WrappedRegExp ? NativeRegExp : new.target);
    };
    Object.setPrototypeOf(WrappedRegExp, NativeRegExp);
    WrappedRegExp.prototype = NativeRegExp.prototype;
    Object.defineProperty(NativeRegExp.prototype, "constructor", { value: WrappedRegExp, writable: true, configurable: true });
    globalThis.RegExp = WrappedRegExp;
  }
  // Intl is not there: without a locale or options, toLocaleString formats as Node does in
  // en-US; with them, a clear error instead of a wrong value or a RangeError about a radix.
  {
    const enUS = (l) => l === undefined || (typeof l === "string" && /^en(-US)?$/i.test(l)) || (Array.isArray(l) && l.length === 1 && /^en(-US)?$/i.test(String(l[0])));
    const refuse = (what) => { throw host.unsupported(`${what} with a locale or options (Intl)`); };
    const group = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    Number.prototype.toLocaleString = function (locales, options) {
      if (!enUS(locales) || options !== undefined) refuse("Number.prototype.toLocaleString");
      const x = Number(this);
      if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : (x < 0 ? "-∞" : "∞");
      if (Math.abs(x) >= 1e21) return (x < 0 ? "-" : "") + group(BigInt(Math.abs(x)).toString());
      const [int, frac] = Math.abs(x).toFixed(3).split(".");
      const f = frac.replace(/0+$/, "");
      return (x < 0 || Object.is(x, -0) ? "-" : "") + group(int) + (f ? "." + f : "");
    };
    const pad = (n) => String(n).padStart(2, "0");
    const date = (d) => `${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()}`;
    const time = (d) => `${d.getHours() % 12 || 12}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getHours() < 12 ? "AM" : "PM"}`;
    const dateMethod = (name, format) => function (locales, options) {
      if (!enUS(locales) || options !== undefined) refuse(`Date.prototype.${name}`);
      if (Number.isNaN(this.getTime())) return "Invalid Date";
      return format(this);
    };
    Date.prototype.toLocaleString = dateMethod("toLocaleString", (d) => `${date(d)}, ${time(d)}`);
    Date.prototype.toLocaleDateString = dateMethod("toLocaleDateString", date);
    Date.prototype.toLocaleTimeString = dateMethod("toLocaleTimeString", time);
    const localeCompare = String.prototype.localeCompare;
    String.prototype.localeCompare = function (that, locales, options) {
      if (!enUS(locales) || options !== undefined) refuse("String.prototype.localeCompare");
      return localeCompare.call(this, that);
    };
    for (const name of ["toLocaleUpperCase", "toLocaleLowerCase"]) {
      const f = String.prototype[name];
      String.prototype[name] = function (locales) {
        if (!enUS(locales)) refuse(`String.prototype.${name}`);
        return f.call(this);
      };
    }
  }

  globalThis.structuredClone = (v) => {
    const seen = new Map();
    const clone = (x) => {
      if (x === null || typeof x !== "object") {
        if (typeof x === "function" || typeof x === "symbol") throw new Error("DataCloneError: " + String(x) + " could not be cloned.");
        return x;
      }
      if (seen.has(x)) return seen.get(x);
      let out;
      if (x instanceof Date) out = new Date(x.getTime());
      else if (x instanceof RegExp) out = new RegExp(x.source, x.flags);
      else if (x instanceof Map) { out = new Map(); seen.set(x, out); for (const [k, val] of x) out.set(clone(k), clone(val)); return out; }
      else if (x instanceof Set) { out = new Set(); seen.set(x, out); for (const val of x) out.add(clone(val)); return out; }
      else if (ArrayBuffer.isView(x)) out = x.slice();
      else if (Array.isArray(x)) { out = []; seen.set(x, out); for (const val of x) out.push(clone(val)); return out; }
      else if (x instanceof Error) { out = new x.constructor(x.message); out.stack = x.stack; }
      else { out = {}; seen.set(x, out); for (const k of Object.keys(x)) out[k] = clone(x[k]); return out; }
      seen.set(x, out);
      return out;
    };
    return clone(v);
  };

  // A module object whose unknown members throw a clear error instead of being undefined.
  function guarded(moduleName, exports, hint) {
    const quiet = new Set(["then", "toJSON", "default", "__esModule", "constructor", "inspect", "nodeType", "$$typeof", "asymmetricMatch"]);
    return new Proxy(exports, {
      get(target, prop, receiver) {
        if (typeof prop === "symbol" || prop in target || quiet.has(prop)) return Reflect.get(target, prop, receiver);
        const e = new Error(`${moduleName}: "${String(prop)}" is not supported by the embedded runtime yet${hint || ""}`);
        e.name = "UnsupportedError";
        throw e;
      },
    });
  }

  // Node's EventEmitter, the parts backend code uses.
  class EventEmitter {
    constructor() { this._events = new Map(); this._max = 10; }
    _list(name) { let l = this._events.get(name); if (!l) { l = []; this._events.set(name, l); } return l; }
    on(name, fn) { this._list(name).push({ fn, once: false }); return this; }
    addListener(name, fn) { return this.on(name, fn); }
    prependListener(name, fn) { this._list(name).unshift({ fn, once: false }); return this; }
    once(name, fn) { this._list(name).push({ fn, once: true }); return this; }
    prependOnceListener(name, fn) { this._list(name).unshift({ fn, once: true }); return this; }
    off(name, fn) {
      const l = this._events.get(name);
      if (!l) return this;
      const i = l.findIndex((e) => e.fn === fn || e.fn.listener === fn);
      if (i >= 0) l.splice(i, 1);
      if (!l.length) this._events.delete(name);
      return this;
    }
    removeListener(name, fn) { return this.off(name, fn); }
    removeAllListeners(name) { if (name === undefined) this._events.clear(); else this._events.delete(name); return this; }
    emit(name, ...args) {
      const l = this._events.get(name);
      if (!l || !l.length) {
        if (name === "error") { throw args[0] instanceof Error ? args[0] : new Error("Unhandled error. (" + String(args[0]) + ")"); }
        return false;
      }
      for (const e of [...l]) {
        if (e.once) this.off(name, e.fn);
        e.fn.apply(this, args);
      }
      return true;
    }
    listeners(name) { return (this._events.get(name) || []).map((e) => e.fn); }
    rawListeners(name) { return this.listeners(name); }
    listenerCount(name) { return (this._events.get(name) || []).length; }
    eventNames() { return [...this._events.keys()]; }
    setMaxListeners(n) { this._max = n; return this; }
    getMaxListeners() { return this._max; }
  }
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.once = (emitter, name) => new Promise((resolve, reject) => {
    const onErr = (err) => { emitter.off(name, onValue); reject(err); };
    const onValue = (...args) => { emitter.off("error", onErr); resolve(args); };
    emitter.once(name, onValue);
    if (name !== "error") emitter.once("error", onErr);
  });

  function promisify(fn) {
    if (typeof fn !== "function") throw new TypeError("The \"original\" argument must be of type function");
    if (fn[promisify.custom]) return fn[promisify.custom];
    return function (...args) {
      return new Promise((resolve, reject) => {
        fn.call(this, ...args, (err, ...values) => (err ? reject(err) : resolve(values.length > 1 ? values : values[0])));
      });
    };
  }
  promisify.custom = Symbol.for("nodejs.util.promisify.custom");
  function callbackify(fn) {
    return function (...args) {
      const cb = args.pop();
      fn.apply(this, args).then((v) => cb(null, v), (e) => cb(e));
    };
  }
  function inherits(ctor, superCtor) {
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
    Object.setPrototypeOf(ctor, superCtor);
    ctor.super_ = superCtor;
  }
  function isDeepStrictEqual(a, b) {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Map || a instanceof Set) {
      if (a.size !== b.size) return false;
      if (a instanceof Set) { for (const v of a) if (!b.has(v)) return false; return true; }
      for (const [k, v] of a) if (!b.has(k) || !isDeepStrictEqual(v, b.get(k))) return false;
      return true;
    }
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !isDeepStrictEqual(a[k], b[k])) return false;
    return true;
  }

  function inspect(v, opts) { return host.inspect(v, (opts && opts.depth) ?? 2); }
  inspect.custom = Symbol.for("nodejs.util.inspect.custom");

  class AssertionError extends Error {
    constructor(options) {
      super(options.message);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      this.actual = options.actual; this.expected = options.expected; this.operator = options.operator;
    }
  }
  function fail(message, actual, expected, operator) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message: message || `${inspect(actual)} ${operator} ${inspect(expected)}`, actual, expected, operator });
  }
  function assert(v, message) { if (!v) fail(message || "The expression evaluated to a falsy value", v, true, "=="); }
  assert.ok = assert;
  assert.equal = (a, b, m) => { if (a != b) fail(m, a, b, "=="); };
  assert.notEqual = (a, b, m) => { if (a == b) fail(m, a, b, "!="); };
  assert.strictEqual = (a, b, m) => { if (!Object.is(a, b)) fail(m, a, b, "==="); };
  assert.notStrictEqual = (a, b, m) => { if (Object.is(a, b)) fail(m, a, b, "!=="); };
  assert.deepStrictEqual = (a, b, m) => { if (!isDeepStrictEqual(a, b)) fail(m, a, b, "deepStrictEqual"); };
  assert.deepEqual = assert.deepStrictEqual;
  assert.notDeepStrictEqual = (a, b, m) => { if (isDeepStrictEqual(a, b)) fail(m, a, b, "notDeepStrictEqual"); };
  assert.throws = (fn, _e, m) => { try { fn(); } catch (e) { return; } fail(m || "Missing expected exception.", undefined, undefined, "throws"); };
  assert.rejects = async (p, _e, m) => { try { await (typeof p === "function" ? p() : p); } catch (e) { return; } fail(m || "Missing expected rejection.", undefined, undefined, "rejects"); };
  assert.fail = (m) => fail(m || "Failed", undefined, undefined, "fail");
  assert.AssertionError = AssertionError;
  assert.strict = assert;

  const querystring = {
    parse(str, sep = "&", eq = "=") {
      const out = {};
      if (typeof str !== "string" || !str) return out;
      for (const part of str.split(sep)) {
        if (!part) continue;
        const i = part.indexOf(eq);
        const k = decodeURIComponent((i >= 0 ? part.slice(0, i) : part).replace(/\+/g, " "));
        const v = i >= 0 ? decodeURIComponent(part.slice(i + 1).replace(/\+/g, " ")) : "";
        if (k in out) out[k] = [].concat(out[k], v); else out[k] = v;
      }
      return out;
    },
    stringify(obj, sep = "&", eq = "=") {
      return Object.keys(obj || {}).flatMap((k) => [].concat(obj[k]).map((v) => encodeURIComponent(k) + eq + encodeURIComponent(v ?? ""))).join(sep);
    },
    escape: encodeURIComponent,
    unescape: decodeURIComponent,
  };
  querystring.decode = querystring.parse;
  querystring.encode = querystring.stringify;

  return { Timeout, guarded, EventEmitter, promisify, callbackify, inherits, isDeepStrictEqual, inspect, assert, querystring };
})
