// The Express-like request and response objects that route handlers and middlewares receive,
// the middleware chain, and Medusa's error handler. Internal: the routes reloader calls
// `dispatch` for each HTTP request; Go owns the socket and writes what `finish` hands back.
(function (host, utils) {
  "use strict";
  const { MedusaError } = utils;
  const EventEmitter = host.EventEmitter;
  const STATUS = host.statusTexts;

  // qs-style query parsing: a=1&a=2 → ["1","2"], a[b]=1 → {a:{b:"1"}}, a[]=1 → ["1"].
  function parseQuery(search) {
    const out = {};
    if (!search) return out;
    for (const part of search.split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const rawKey = eq >= 0 ? part.slice(0, eq) : part;
      const rawVal = eq >= 0 ? part.slice(eq + 1) : "";
      let key, val;
      try { key = decodeURIComponent(rawKey.replace(/\+/g, " ")); } catch { key = rawKey; }
      try { val = decodeURIComponent(rawVal.replace(/\+/g, " ")); } catch { val = rawVal; }
      assign(out, key, val);
    }
    return out;
  }
  function assign(obj, key, val) {
    const m = /^([^\[\]]+)((?:\[[^\[\]]*\])+)$/.exec(key);
    if (!m) {
      if (key in obj) obj[key] = [].concat(obj[key], val); else obj[key] = val;
      return;
    }
    const path = [m[1], ...m[2].slice(1, -1).split("][")];
    let cur = obj;
    for (let i = 0; i < path.length; i++) {
      const k = path[i];
      const last = i === path.length - 1;
      if (k === "") {
        if (!Array.isArray(cur)) return;
        if (last) cur.push(val); else { const next = {}; cur.push(next); cur = next; }
        continue;
      }
      if (last) {
        if (Array.isArray(cur) && /^\d+$/.test(k)) cur[Number(k)] = val;
        else if (k in cur) cur[k] = [].concat(cur[k], val); else cur[k] = val;
        return;
      }
      const nextKey = path[i + 1];
      if (cur[k] === undefined || typeof cur[k] !== "object") cur[k] = nextKey === "" || /^\d+$/.test(nextKey) ? [] : {};
      cur = cur[k];
    }
  }

  function parseCookies(header) {
    const out = {};
    if (!header) return out;
    for (const part of header.split(";")) {
      const i = part.indexOf("=");
      if (i < 0) continue;
      const k = part.slice(0, i).trim();
      let v = part.slice(i + 1).trim();
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      try { v = decodeURIComponent(v); } catch {}
      if (!(k in out)) out[k] = v;
    }
    return out;
  }

  function parseBody(init) {
    const text = init.bodyText;
    switch (init.bodyType) {
      case "json":
        return text ? JSON.parse(text) : {};
      case "urlencoded":
        return parseQuery(text || "");
      case "text":
        return text || "";
      default:
        return {};
    }
  }

  class Request extends EventEmitter {
    constructor(init, scope) {
      super();
      this.method = init.method;
      this.url = init.url;
      this.originalUrl = init.url;
      this.baseUrl = "";
      this.path = init.path;
      this.headers = init.headers;
      this.query = parseQuery(init.search);
      this.params = init.params || {};
      this.ip = init.ip;
      this.ips = [];
      this.protocol = init.protocol;
      this.secure = init.protocol === "https";
      this.hostname = init.hostname;
      this.httpVersion = "1.1";
      this.cookies = parseCookies(init.headers.cookie);
      this.scope = scope;
      this.body = {};
      this.allowed = [];
      this.errors = [];
      if (init.rawBody !== undefined) this.rawBody = init.rawBody;
    }
    get(name) { return this.header(name); }
    header(name) {
      const k = String(name).toLowerCase();
      if (k === "referer" || k === "referrer") return this.headers.referer ?? this.headers.referrer;
      return this.headers[k];
    }
    is(type) {
      const ct = (this.headers["content-type"] || "").split(";")[0].trim().toLowerCase();
      if (!ct) return null;
      const t = String(type).toLowerCase();
      if (t === ct || ct.endsWith("/" + t) || (t.endsWith("/*") && ct.startsWith(t.slice(0, -1)))) return t;
      if (t === "json" && ct.includes("json")) return "json";
      return false;
    }
    accepts(...types) {
      const accept = this.headers.accept || "*/*";
      const list = types.flat();
      if (!list.length) return accept.split(",").map((s) => s.split(";")[0].trim());
      return list.find((t) => accept.includes("*/*") || accept.includes(t)) || false;
    }
  }

  class Response extends EventEmitter {
    constructor(req, finish) {
      super();
      this.req = req;
      this.statusCode = 200;
      this.statusMessage = "";
      this.locals = {};
      this.headersSent = false;
      this.finished = false;
      this.writableEnded = false;
      this._headers = {};
      this._chunks = [];
      this._finish = finish;
    }
    status(code) { this.statusCode = Number(code); return this; }
    sendStatus(code) { this.status(code); this.type("text/plain; charset=utf-8"); return this.end(STATUS[code] || String(code)); }
    setHeader(name, value) {
      if (this.headersSent) throw new Error("Cannot set headers after they are sent to the client");
      this._headers[String(name).toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
      return this;
    }
    getHeader(name) { return this._headers[String(name).toLowerCase()]; }
    getHeaders() { return { ...this._headers }; }
    getHeaderNames() { return Object.keys(this._headers); }
    hasHeader(name) { return String(name).toLowerCase() in this._headers; }
    removeHeader(name) { delete this._headers[String(name).toLowerCase()]; return this; }
    set(field, value) {
      if (typeof field === "object") { for (const k of Object.keys(field)) this.setHeader(k, field[k]); return this; }
      return this.setHeader(field, value);
    }
    header(field, value) { return this.set(field, value); }
    get(name) { return this.getHeader(name); }
    append(name, value) {
      const prev = this.getHeader(name);
      return this.setHeader(name, prev === undefined ? value : [].concat(prev, value));
    }
    type(t) {
      const map = { json: "application/json; charset=utf-8", html: "text/html; charset=utf-8", text: "text/plain; charset=utf-8", txt: "text/plain; charset=utf-8" };
      return this.setHeader("content-type", map[t] || (String(t).includes("/") ? t : "application/" + t));
    }
    contentType(t) { return this.type(t); }
    location(url) { return this.setHeader("location", url); }
    redirect(a, b) {
      const [code, url] = b === undefined ? [302, a] : [a, b];
      this.status(code).location(url);
      return this.end();
    }
    cookie(name, value, opts = {}) {
      let c = `${name}=${encodeURIComponent(typeof value === "object" ? "j:" + JSON.stringify(value) : String(value))}`;
      if (opts.maxAge != null) c += `; Max-Age=${Math.floor(opts.maxAge / 1000)}`;
      c += `; Path=${opts.path || "/"}`;
      if (opts.domain) c += `; Domain=${opts.domain}`;
      if (opts.expires) c += `; Expires=${new Date(opts.expires).toUTCString()}`;
      if (opts.httpOnly) c += "; HttpOnly";
      if (opts.secure) c += "; Secure";
      if (opts.sameSite) c += `; SameSite=${opts.sameSite === true ? "Strict" : opts.sameSite}`;
      return this.append("set-cookie", c);
    }
    clearCookie(name, opts = {}) { return this.cookie(name, "", { ...opts, expires: new Date(1) }); }
    json(obj) {
      const body = JSON.stringify(obj === undefined ? null : obj);
      if (!this.hasHeader("content-type")) this.setHeader("content-type", "application/json; charset=utf-8");
      return this.end(body === undefined ? "" : body);
    }
    send(body) {
      if (body === undefined || body === null) return this.end(body === null ? "" : undefined);
      if (typeof body === "number" && arguments.length === 1) { this.status(body); body = STATUS[body] || String(body); }
      if (typeof body === "object" && !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer)) return this.json(body);
      if (typeof body === "string" && !this.hasHeader("content-type")) this.setHeader("content-type", "text/html; charset=utf-8");
      if (typeof body !== "string" && !this.hasHeader("content-type")) this.setHeader("content-type", "application/octet-stream");
      return this.end(body);
    }
    writeHead(code, msgOrHeaders, maybeHeaders) {
      this.status(code);
      const headers = typeof msgOrHeaders === "object" ? msgOrHeaders : maybeHeaders;
      if (typeof msgOrHeaders === "string") this.statusMessage = msgOrHeaders;
      if (headers) this.set(headers);
      return this;
    }
    flushHeaders() {}
    write(chunk) {
      if (this.finished) throw new Error("write after end");
      if (chunk !== undefined && chunk !== null) this._chunks.push(chunk);
      return true;
    }
    end(chunk) {
      if (this.finished) return this;
      if (typeof chunk === "function") chunk = undefined;
      if (chunk !== undefined && chunk !== null) this._chunks.push(chunk);
      this.finished = true;
      this.writableEnded = true;
      this.headersSent = true;
      this._finish(this.statusCode, this._headers, this._chunks);
      this._chunks = [];
      this.emit("finish");
      this.emit("close");
      return this;
    }
  }

  const QUERY_RUNNER_RELEASED = "QueryRunnerAlreadyReleasedError";
  const TRANSACTION_STARTED = "TransactionAlreadyStartedError";
  const TRANSACTION_NOT_STARTED = "TransactionNotStartedError";

  // Medusa's getHttpResponseFromError (packages/core/framework/src/http/middlewares/error-handler.ts).
  function httpResponseFromError(err) {
    if (err && typeof err.statusCode === "number" && err.expose !== undefined) {
      return { statusCode: err.statusCode, body: { message: err.statusCode < 500 ? err.message : "An unknown error occurred.", type: "invalid_data" } };
    }
    const errorType = (err && (err.type || err.name)) || "";
    const body = { code: err && err.code, type: err && err.type, message: err && err.message };
    let statusCode = 500;
    switch (errorType) {
      case QUERY_RUNNER_RELEASED:
      case TRANSACTION_STARTED:
      case TRANSACTION_NOT_STARTED:
      case MedusaError.Types.CONFLICT:
        statusCode = 409;
        body.code = "invalid_state_error";
        body.message = "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.";
        break;
      case MedusaError.Types.UNAUTHORIZED: statusCode = 401; break;
      case MedusaError.Types.FORBIDDEN: statusCode = 403; break;
      case MedusaError.Types.PAYMENT_AUTHORIZATION_ERROR: statusCode = 422; break;
      case MedusaError.Types.DUPLICATE_ERROR: statusCode = 422; body.code = "invalid_request_error"; break;
      case MedusaError.Types.NOT_ALLOWED:
      case MedusaError.Types.INVALID_DATA: statusCode = 400; break;
      case MedusaError.Types.NOT_FOUND: statusCode = 404; break;
      case MedusaError.Types.DB_ERROR: statusCode = 500; body.code = "api_error"; break;
      case MedusaError.Types.UNEXPECTED_STATE:
      case MedusaError.Types.INVALID_ARGUMENT: break;
      default:
        body.code = "unknown_error";
        body.message = "An unknown error occurred.";
        body.type = "unknown_error";
    }
    return { statusCode, body };
  }

  function defaultErrorHandler(err, req, res, _next) {
    const { statusCode, body } = httpResponseFromError(err);
    if (err && Array.isArray(err.issues)) {
      res.status(statusCode).json({ type: MedusaError.Types.INVALID_DATA, message: err.issues.map((i) => i.message).join("\n") });
      return;
    }
    res.status(statusCode).json(body);
  }

  // dispatch runs the middleware chain and the handler for one request. `io` is the Go side:
  // finish(status, headers, chunks) writes the response, reportError(err, status) records a
  // server error for the editor, settled() says the chain has nothing more to run.
  function dispatch(init, scope, chain, errorHandler, io) {
    const req = new Request(init, scope);
    const res = new Response(req, io.finish);
    req.res = res;
    res.locals = {};

    let index = 0;
    let erroring = false;
    const handleError = (err) => {
      if (erroring || res.finished) {
        io.reportError(err, 500, res.finished);
        return;
      }
      erroring = true;
      const status = httpResponseFromError(err).statusCode;
      if (status >= 500 && !(err && err[Symbol.for("medusa-ls.reported")])) io.reportError(err, status, false);
      const handlers = errorHandler ? [errorHandler, defaultErrorHandler] : [defaultErrorHandler];
      let h = 0;
      const nextHandler = (e) => {
        const fn = handlers[h++];
        if (!fn) return;
        try {
          const r = fn(e === undefined ? err : e, req, res, nextHandler);
          if (r && typeof r.then === "function") r.then(() => io.settled(), (e2) => { io.reportError(e2, 500, res.finished); if (!res.finished) defaultErrorHandler(e2, req, res, () => {}); io.settled(); });
          else io.settled();
        } catch (e2) {
          io.reportError(e2, 500, res.finished);
          if (!res.finished) defaultErrorHandler(e2, req, res, () => {});
          io.settled();
        }
      };
      nextHandler(err);
    };
    // Body parsing as Medusa's body parser stack does it: JSON, urlencoded, text.
    try {
      req.body = parseBody(init);
    } catch (e) {
      const err = new Error(e.message);
      err.statusCode = 400;
      err.expose = true;
      err.type = "entity.parse.failed";
      return handleError(err);
    }
    const next = (err) => {
      if (err !== undefined && err !== null && err !== "route" && err !== "router") return handleError(err);
      if (res.finished) return io.settled();
      const layer = chain[index++];
      if (!layer) return io.settled();
      try {
        const isHandler = index === chain.length;
        if (isHandler && Array.isArray(req.errors) && req.errors.length) {
          // Medusa's wrapHandler: validation errors collected by middlewares answer 400.
          res.status(400).json({ errors: req.errors, message: "Provided request body contains errors. Please check the data and retry the request" });
          return io.settled();
        }
        const r = isHandler ? layer(req, res) : layer(req, res, next);
        if (r && typeof r.then === "function") {
          r.then(() => { if (isHandler) io.settled(); }, handleError);
        } else if (isHandler) {
          io.settled();
        }
      } catch (e) {
        handleError(e);
      }
    };
    next();
  }

  return { dispatch, parseQuery, httpResponseFromError, Request, Response };
})
