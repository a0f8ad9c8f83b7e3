// Node 20's API for the built-ins the embedded runtime lists (node20/exports.json, generated
// from Node 20): what goja_nodejs and the prelude lack is implemented here where backend code
// uses it (Buffer's statics and views, EventEmitter's helpers, assert's matchers…), and every
// other name exists as a stand-in that throws an UnsupportedError naming it, so that nothing a
// project reads is silently undefined. `fill(path, obj)` adds the stand-ins of one module or
// object; `install()` patches the globals.
(function (spec, host) {
  "use strict";
  const hint = "; run medusa-ls with --runtime node for this project";

  function unsupported(what) {
    const e = new Error(`${what} is not provided by the embedded runtime yet${hint}`);
    e.name = "UnsupportedError";
    return e;
  }

  // fill gives obj every name Node 20 has at path: a function that throws when called, or a
  // property that throws when read (and can be assigned).
  function fill(path, obj) {
    const names = spec.modules[path] || spec.members[path];
    if (!names || obj == null) return obj;
    for (const name of Object.keys(names)) {
      if (name in obj) continue;
      const what = `${path}.${name}`;
      if (names[name] === "function") {
        const stub = { [name]: function () { throw unsupported(what + "()"); } }[name];
        Object.defineProperty(obj, name, { value: stub, writable: true, configurable: true, enumerable: false });
      } else {
        Object.defineProperty(obj, name, {
          configurable: true,
          enumerable: false,
          get() { throw unsupported(what); },
          set(v) { Object.defineProperty(this, name, { value: v, writable: true, configurable: true, enumerable: true }); },
        });
      }
    }
    return obj;
  }

  // ---- buffer --------------------------------------------------------------------------------

  const ENCODINGS = new Set(["utf8", "utf-8", "hex", "base64", "base64url", "ascii", "latin1", "binary", "ucs2", "ucs-2", "utf16le", "utf-16le"]);

  function patchBuffer(Buffer) {
    const view = (u8) => Object.setPrototypeOf(u8, Buffer.prototype);
    const statics = {
      isBuffer: (b) => b instanceof Buffer,
      isEncoding: (e) => typeof e === "string" && e !== "" && ENCODINGS.has(e.toLowerCase()),
      byteLength(v, encoding) {
        if (typeof v === "string") return Buffer.from(v, encoding).length;
        if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer)) return v.byteLength;
        throw new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
      },
      compare(a, b) {
        if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) throw new TypeError('The "buf1" and "buf2" arguments must be one of type Buffer or Uint8Array.');
        return Buffer.prototype.compare.call(a, b);
      },
      allocUnsafe: (n) => Buffer.alloc(n),
      allocUnsafeSlow: (n) => Buffer.alloc(n),
      copyBytesFrom(v, offset, length) {
        if (!ArrayBuffer.isView(v)) throw new TypeError('The "view" argument must be an instance of TypedArray.');
        const size = v.BYTES_PER_ELEMENT || 1;
        const start = (offset || 0) * size;
        const end = length === undefined ? v.byteLength : start + length * size;
        return Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice(start, Math.min(end, v.byteLength)));
      },
    };
    for (const k of Object.keys(statics)) if (!(k in Buffer)) Object.defineProperty(Buffer, k, { value: statics[k], writable: true, configurable: true });

    // base64url, which goja_nodejs lacks: through base64.
    const isB64url = (e) => typeof e === "string" && e.toLowerCase() === "base64url";
    const from = Buffer.from;
    Object.defineProperty(Buffer, "from", {
      value: function from_(v, enc, len) {
        if (typeof v === "string" && isB64url(enc)) return from.call(this, v.replace(/-/g, "+").replace(/_/g, "/"), "base64");
        return from.call(this, v, enc, len);
      },
      writable: true, configurable: true,
    });
    const toString = Buffer.prototype.toString;
    Object.defineProperty(Buffer.prototype, "toString", {
      value: function toString_(enc, start, end) {
        if (isB64url(enc)) return toString.call(this, "base64", start, end).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        return toString.apply(this, arguments);
      },
      writable: true, configurable: true,
    });

    const proto = Buffer.prototype;
    const methods = {
      // Node's slice and subarray are views that stay Buffers (Uint8Array's slice copies).
      slice(start, end) { return view(Uint8Array.prototype.subarray.call(this, start, end)); },
      subarray(start, end) { return view(Uint8Array.prototype.subarray.call(this, start, end)); },
      toJSON() { return { type: "Buffer", data: Array.from(this) }; },
      copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
        targetStart = Math.max(0, targetStart | 0);
        sourceStart = Math.max(0, sourceStart | 0);
        sourceEnd = Math.min(this.length, sourceEnd | 0);
        const n = Math.max(0, Math.min(sourceEnd - sourceStart, target.length - targetStart));
        target.set(Uint8Array.prototype.subarray.call(this, sourceStart, sourceStart + n), targetStart);
        return n;
      },
      compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
        const a = Uint8Array.prototype.subarray.call(this, sourceStart, sourceEnd);
        const b = Uint8Array.prototype.subarray.call(target, targetStart, targetEnd);
        const n = Math.min(a.length, b.length);
        for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
        return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
      },
      swap16() { return swap(this, 2); },
      swap32() { return swap(this, 4); },
      swap64() { return swap(this, 8); },
      inspect() {
        const max = 50;
        const hex = Array.from(Uint8Array.prototype.subarray.call(this, 0, max), (b) => b.toString(16).padStart(2, "0"));
        return `<Buffer${hex.length ? " " + hex.join(" ") : ""}${this.length > max ? ` ... ${this.length - max} more bytes` : ""}>`;
      },
    };
    for (const enc of ["utf8", "hex", "base64", "base64url", "ascii", "latin1", "ucs2"]) {
      methods[enc + "Slice"] = function (start, end) { return this.toString(enc, start, end); };
      methods[enc + "Write"] = function (str, offset, length) { return this.write(str, offset, length, enc); };
    }
    for (const k of Object.keys(methods)) {
      if (k === "slice" || k === "subarray" || !Object.prototype.hasOwnProperty.call(proto, k)) {
        Object.defineProperty(proto, k, { value: methods[k], writable: true, configurable: true });
      }
    }
    if (!Object.prototype.hasOwnProperty.call(proto, "parent")) Object.defineProperty(proto, "parent", { get() { return this.buffer; }, configurable: true });
    if (!Object.prototype.hasOwnProperty.call(proto, "offset")) Object.defineProperty(proto, "offset", { get() { return this.byteOffset; }, configurable: true });
    fill("Buffer", Buffer);
    fill("Buffer.prototype", proto);
  }

  // validUtf8 is a strict UTF-8 check (no overlongs, surrogates or code points past U+10FFFF).
  function validUtf8(u8) {
    for (let i = 0; i < u8.length;) {
      const b = u8[i];
      let n, min;
      if (b < 0x80) { i++; continue; }
      if (b >= 0xc2 && b <= 0xdf) { n = 1; min = 0x80; }
      else if (b >= 0xe0 && b <= 0xef) { n = 2; min = 0x800; }
      else if (b >= 0xf0 && b <= 0xf4) { n = 3; min = 0x10000; }
      else return false;
      let cp = b & (0x3f >> n);
      for (let k = 1; k <= n; k++) {
        const c = u8[i + k];
        if (c === undefined || (c & 0xc0) !== 0x80) return false;
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
      i += n + 1;
    }
    return true;
  }

  function swap(buf, size) {
    if (buf.length % size !== 0) throw new RangeError(`Buffer size must be a multiple of ${size * 8}-bits`);
    for (let i = 0; i < buf.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = buf[a]; buf[a] = buf[b]; buf[b] = t; }
    }
    return buf;
  }

  function patchBufferModule(mod) {
    const Buffer = mod.Buffer;
    const values = {
      constants: { MAX_LENGTH: 4294967296, MAX_STRING_LENGTH: 536870888 },
      kMaxLength: 4294967296,
      kStringMaxLength: 536870888,
      INSPECT_MAX_BYTES: 50,
      SlowBuffer: function SlowBuffer(n) { return Buffer.alloc(n); },
      atob: (s) => globalThis.atob(s),
      btoa: (s) => globalThis.btoa(s),
      isAscii(input) {
        const u8 = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
        for (const b of u8) if (b > 0x7f) return false;
        return true;
      },
      isUtf8(input) {
        const u8 = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
        return validUtf8(u8);
      },
    };
    for (const k of Object.keys(values)) if (!(k in mod)) Object.defineProperty(mod, k, { value: values[k], writable: true, configurable: true, enumerable: true });
    return fill("buffer", mod);
  }

  // ---- events --------------------------------------------------------------------------------

  function patchEvents(EventEmitter) {
    const values = {
      errorMonitor: Symbol("events.errorMonitor"),
      captureRejectionSymbol: Symbol.for("nodejs.rejection"),
      captureRejections: false,
      usingDomains: false,
      listenerCount: (emitter, name) => emitter.listenerCount(name),
      getEventListeners: (emitter, name) => emitter.listeners(name),
      getMaxListeners: (emitter) => emitter.getMaxListeners(),
      setMaxListeners(n, ...targets) {
        if (!targets.length) EventEmitter.defaultMaxListeners = n;
        for (const t of targets) t.setMaxListeners(n);
      },
    };
    for (const k of Object.keys(values)) if (!(k in EventEmitter)) Object.defineProperty(EventEmitter, k, { value: values[k], writable: true, configurable: true, enumerable: true });
    fill("events", EventEmitter);
    fill("events.EventEmitter.prototype", EventEmitter.prototype);
    return EventEmitter;
  }

  // ---- assert --------------------------------------------------------------------------------

  function patchAssert(assert) {
    const AssertionError = assert.AssertionError;
    const failWith = (message, actual, expected, operator, fallback) => {
      if (message instanceof Error) throw message;
      const e = AssertionError ? new AssertionError({ message: message || fallback, actual, expected, operator }) : new Error(message || fallback);
      throw e;
    };
    const values = {
      match(s, re, message) { if (typeof s !== "string" || !re.test(s)) failWith(message, s, re, "match", `The input did not match the regular expression ${re}. Input:\n\n${JSON.stringify(s)}\n`); },
      doesNotMatch(s, re, message) { if (typeof s !== "string" || re.test(s)) failWith(message, s, re, "doesNotMatch", `The input was expected to not match the regular expression ${re}. Input:\n\n${JSON.stringify(s)}\n`); },
      doesNotThrow(fn, _expected, message) {
        try { fn(); } catch (e) { failWith(typeof _expected === "string" ? _expected : message, e, undefined, "doesNotThrow", `Got unwanted exception.\nActual message: "${e && e.message}"`); }
      },
      async doesNotReject(p, _expected, message) {
        try { await (typeof p === "function" ? p() : p); } catch (e) { failWith(typeof _expected === "string" ? _expected : message, e, undefined, "doesNotReject", `Got unwanted rejection.\nActual message: "${e && e.message}"`); }
      },
      ifError(v) { if (v !== null && v !== undefined) throw v instanceof Error ? v : new Error(`ifError got unwanted exception: ${String(v)}`); },
      notDeepEqual(a, b, message) {
        let equal = true;
        try { assert.deepEqual(a, b); } catch { equal = false; }
        if (equal) failWith(message, a, b, "notDeepEqual", "Expected \"actual\" not to be loosely deep-equal to \"expected\"");
      },
    };
    for (const k of Object.keys(values)) if (!(k in assert)) Object.defineProperty(assert, k, { value: values[k], writable: true, configurable: true, enumerable: true });
    return fill("assert", assert);
  }

  // ---- timers --------------------------------------------------------------------------------

  function patchTimersPromises(mod) {
    if (!("scheduler" in mod)) {
      Object.defineProperty(mod, "scheduler", {
        value: { wait: (ms, options) => mod.setTimeout(ms, undefined, options), yield: () => mod.setImmediate() },
        writable: true, configurable: true, enumerable: true,
      });
    }
    return fill("timers/promises", mod);
  }

  // patch is called with each Node built-in when it is first loaded.
  function patch(name, exports, requireBuiltin) {
    switch (name) {
      case "buffer": return patchBufferModule(exports);
      case "events": return patchEvents(exports);
      case "assert": return patchAssert(exports);
      case "timers/promises": return patchTimersPromises(exports);
      case "timers":
        if (!("promises" in exports)) Object.defineProperty(exports, "promises", { get: () => requireBuiltin("timers/promises"), configurable: true, enumerable: true });
        return fill(name, exports);
    }
    return fill(name, exports);
  }

  // install patches the globals: Buffer, and process's plain values (host gives the ids).
  function install() {
    patchBuffer(globalThis.Buffer);
    const p = globalThis.process;
    const values = {
      argv0: "node",
      execPath: host.execPath,
      debugPort: 9229,
      domain: null,
      mainModule: undefined,
      moduleLoadList: [],
      sourceMapsEnabled: false,
      allowedNodeEnvironmentFlags: new Set(),
      config: { target_defaults: {}, variables: {} },
      features: { inspector: false, debug: false, uv: true, ipv6: true, tls_alpn: false, tls_sni: false, tls_ocsp: false, tls: false, cached_builtins: true, typescript: false },
      hasUncaughtExceptionCaptureCallback: () => false,
    };
    if (host.ids) {
      for (const k of ["getuid", "geteuid", "getgid", "getegid"]) values[k] = ((v) => () => v)(host.ids[k]);
      values.getgroups = () => host.ids.groups.slice();
    }
    for (const k of Object.keys(values)) if (!(k in p)) Object.defineProperty(p, k, { value: values[k], writable: true, configurable: true, enumerable: true });
    fill("process", p);
  }

  return { patch, install, fill };
})
