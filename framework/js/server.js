// The Express-like request and response objects that route handlers and middlewares receive,
// the middleware chain, and Medusa's error handler. Internal: the routes reloader calls
// `dispatch` for each HTTP request; Go owns the socket and writes what `finish` hands back.
(function (host, utils) {
  "use strict";
  const { MedusaError } = utils;
  const EventEmitter = host.EventEmitter;
  const STATUS = host.statusTexts;

  // Query strings and urlencoded bodies are parsed by qs 6.16.2 itself (vendored), with the
  // options Medusa's stack uses. A query string is parsed again by the first layer of
  // @medusajs/medusa's api loader (loaders/api.ts), whose req.query replaces Express's:
  // qs.parse(everything after the first "?", { arrayLimit: Infinity }), so keys that would
  // shadow Object.prototype ("toString", "__proto__") are dropped. body-parser 1.20's extended
  // urlencoded parser is qs.parse with allowPrototypes (so "toString" becomes an own key, while
  // "__proto__" is always refused), a parameter count check, arrayLimit max(100, count), depth
  // 32 with strictDepth.
  const qsParse = host.qsParse;
  function parseQuery(search) {
    // qs answers {} for an empty string, after normalizing its options: most requests.
    if (!search) return {};
    return qsParse(search, { arrayLimit: Infinity });
  }
  function httpError(status, message, type) {
    const err = new Error(message);
    err.status = err.statusCode = status;
    err.expose = status < 500;
    err.type = type;
    return err;
  }
  // body-parser's parameterCount: the number of "&"-separated parts, undefined past the limit.
  function parameterCount(body, limit) {
    let count = 0;
    let index = 0;
    while ((index = body.indexOf("&", index)) !== -1) {
      count++;
      index++;
      if (count === limit) return undefined;
    }
    return count;
  }
  function parseUrlencoded(body) {
    const parameterLimit = 1000;
    const count = parameterCount(body, parameterLimit);
    if (count === undefined) throw httpError(413, "too many parameters", "parameters.too.many");
    try {
      return qsParse(body, { allowPrototypes: true, arrayLimit: Math.max(100, count), depth: 32, strictDepth: true, parameterLimit });
    } catch (e) {
      if (e instanceof RangeError) throw httpError(400, "The input exceeded the depth", "querystring.parse.rangeError");
      throw e;
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

  // parseBody is req.body as Medusa's body parsers leave it (the Go side has decided which one
  // takes the body, and whether it fails: reloaders/bodyparser.go): undefined with bodyParser
  // false, {} when none took it.
  function parseBody(init) {
    if (init.bodyError) throw init.bodyError;
    if (init.bodySkipped) return undefined;
    const text = init.bodyText;
    switch (init.bodyType) {
      case "json":
        return text ? JSON.parse(text) : {};
      case "urlencoded":
        return parseUrlencoded(text || "");
      case "text":
        return text || "";
      default:
        return {};
    }
  }

  const noBody = new Uint8Array(0); // the stream of a request without a body: it only ends

  class Request extends EventEmitter {
    constructor(init, scope) {
      super();
      this.method = init.method;
      this.url = init.url;
      this.originalUrl = init.url;
      this.baseUrl = "";
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
      // As Node's IncomingMessage, a readable stream of the body until a parser has read it.
      this._body = init.bodyUnread ? init.bodyStream || noBody : undefined;
      this.readable = this._body !== undefined;
      this.complete = !this.readable;
      this.readableEnded = !this.readable;
    }
    _flow() {
      if (this._flowing || this._body === undefined) return;
      this._flowing = true;
      const chunk = this._body;
      this._body = undefined;
      setTimeout(() => {
        if (chunk.length) this.emit("data", this._encoding ? chunk.toString(this._encoding) : chunk);
        this.readable = false;
        this.complete = this.readableEnded = true;
        this.emit("end");
        this.emit("close");
      }, 0);
    }
    on(name, fn) {
      super.on(name, fn);
      if (name === "data" || name === "end") this._flow();
      return this;
    }
    once(name, fn) {
      super.once(name, fn);
      if (name === "data" || name === "end") this._flow();
      return this;
    }
    setEncoding(encoding) { this._encoding = encoding; return this; }
    resume() { this._flow(); return this; }
    pause() { return this; }
    pipe(dest) {
      this.on("data", (c) => dest.write(c));
      this.on("end", () => { if (typeof dest.end === "function") dest.end(); });
      return dest;
    }
    // for await (const chunk of req): the body in one chunk (no async generator: goja has none)
    [Symbol.asyncIterator]() {
      const req = this;
      return {
        next() {
          const chunk = req._body;
          req._body = undefined;
          req.readable = false;
          req.complete = req.readableEnded = true;
          if (chunk === undefined || !chunk.length) return Promise.resolve({ done: true, value: undefined });
          return Promise.resolve({ done: false, value: req._encoding ? chunk.toString(req._encoding) : chunk });
        },
        return() { req._body = undefined; return Promise.resolve({ done: true, value: undefined }); },
        [Symbol.asyncIterator]() { return this; },
      };
    }
    // Express's req.path: the pathname of req.url, which a mounted middleware sees without
    // its mount path.
    get path() {
      const u = this.url;
      const q = u.indexOf("?");
      return q < 0 ? u : u.slice(0, q);
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

  // encodeurl 2's encodeUrl: what is not allowed in a URL encoded, "%XX" and reserved
  // characters kept.
  const encodeUrl = (url) => String(url)
    .replace(/(^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uD800-\uDBFF]([^\uDC00-\uDFFF]|$)/g, "$1\uFFFD$2")
    .replace(/(?:[^\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]|%(?:[^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|$))+/g, encodeURI);
  // negotiate is the first of types (in that order) the Accept header takes with the highest
  // q, as negotiator does for res.format; undefined when it takes none.
  function negotiate(accept, types) {
    if (!accept) return types[0];
    const ranges = String(accept).split(",").map((part, i) => {
      const [range, ...params] = part.trim().split(";").map((x) => x.trim());
      const q = params.find((p) => /^q=/i.test(p));
      return { range: range.toLowerCase(), q: q ? Number(q.slice(2)) : 1, i };
    }).filter((r) => r.range);
    let best, bestQ = 0, bestSpec = -1;
    for (const t of types) {
      const [tt, ts] = t.split("/");
      let q = -1, spec = -1;
      for (const r of ranges) {
        const [rt, rs] = r.range.split("/");
        const s = (rt === tt ? 2 : rt === "*" ? 0 : -10) + (rs === ts ? 1 : rs === "*" ? 0 : -10);
        if (s >= 0 && s > spec) { spec = s; q = r.q; }
      }
      if (q > bestQ) { best = t; bestQ = q; bestSpec = spec; }
    }
    return bestQ > 0 ? best : undefined;
  }

  // fresh 0.5 (Express 4's req.fresh): the response a conditional GET already has.
  function fresh(reqHeaders, etag) {
    const noneMatch = reqHeaders["if-none-match"];
    const modifiedSince = reqHeaders["if-modified-since"];
    if (!modifiedSince && !noneMatch) return false;
    const cc = reqHeaders["cache-control"];
    if (cc && /(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(cc)) return false;
    if (noneMatch && noneMatch !== "*") {
      if (!etag) return false;
      const matches = noneMatch.split(",").map((x) => x.trim());
      if (!matches.some((m) => m === etag || m === "W/" + etag || "W/" + m === etag)) return false;
    }
    if (modifiedSince) return false; // no Last-Modified is ever set here
    return true;
  }

  // mime 1.x, as Express uses it: the types of the extensions res.type() is given most, and its
  // charsets.lookup.
  const MIME = {
    bin: "application/octet-stream", css: "text/css", csv: "text/csv", form: "application/x-www-form-urlencoded",
    gif: "image/gif", htm: "text/html", html: "text/html", ico: "image/x-icon", jpeg: "image/jpeg", jpg: "image/jpeg",
    js: "application/javascript", json: "application/json", md: "text/markdown", mjs: "application/javascript",
    pdf: "application/pdf", png: "image/png", svg: "image/svg+xml", text: "text/plain", txt: "text/plain",
    urlencoded: "application/x-www-form-urlencoded", webp: "image/webp", xml: "application/xml", zip: "application/zip",
  };
  const mimeLookup = (t) => {
    const ext = t.replace(/^.*[./\\]/, "").toLowerCase();
    return Object.prototype.hasOwnProperty.call(MIME, ext) ? MIME[ext] : "application/octet-stream";
  };
  const charsetOf = (type) => /^text\/|^application\/(javascript|json)/.test(type);
  // express/lib/utils setCharset: the type with its charset parameter replaced.
  const setCharset = (type, charset) => {
    const [base, ...params] = type.split(";").map((p) => p.trim());
    const kept = params.filter((p) => p && !/^charset\s*=/i.test(p));
    return [base.toLowerCase(), ...kept, "charset=" + charset].join("; ");
  };

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
    sendStatus(code) {
      this.statusCode = code;
      this.type("txt");
      return this.send(STATUS[code] || String(code));
    }
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
    // Express 4's res.set: a Content-Type without a charset gets mime's (utf-8 for text/* and
    // JSON/JavaScript).
    set(field, value) {
      if (typeof field === "object") { for (const k of Object.keys(field)) this.set(k, field[k]); return this; }
      let v = Array.isArray(value) ? value.map(String) : String(value);
      if (String(field).toLowerCase() === "content-type") {
        if (Array.isArray(v)) throw new TypeError("Content-Type cannot be set to an Array");
        if (!/;\s*charset\s*=/.test(v) && charsetOf(v.split(";")[0])) v += "; charset=utf-8";
      }
      return this.setHeader(field, v);
    }
    header(field, value) { return this.set(field, value); }
    get(name) { return this.getHeader(name); }
    append(name, value) {
      const prev = this.getHeader(name);
      return this.setHeader(name, prev === undefined ? value : [].concat(prev, value));
    }
    type(t) {
      t = String(t);
      return this.set("Content-Type", t.indexOf("/") === -1 ? mimeLookup(t) : t);
    }
    contentType(t) { return this.type(t); }
    // Express 4.22's res.location ("back" is the Referrer) and res.redirect (a body negotiated
    // as res.format does: text, html, or none).
    location(url) {
      const loc = url === "back" ? this.req.get("Referrer") || "/" : String(url);
      return this.setHeader("Location", encodeUrl(loc));
    }
    redirect(a, b) {
      let status = 302;
      let address = a;
      if (b !== undefined) {
        if (typeof a === "number") [status, address] = [a, b];
        else status = b;
      }
      address = this.location(address).getHeader("location");
      const kind = negotiate(this.req.headers.accept, ["text/plain", "text/html"]);
      let body = "";
      if (kind === "text/plain") body = `${STATUS[status]}. Redirecting to ${address}`;
      else if (kind === "text/html") body = `<p>${STATUS[status]}. Redirecting to ${escapeHtml(address)}</p>`;
      this.vary("Accept");
      if (kind) this.set("Content-Type", setCharset(kind, "utf-8"));
      this.statusCode = status;
      this.set("Content-Length", String(Buffer.byteLength(body)));
      return this.end(this.req.method === "HEAD" ? undefined : body);
    }
    vary(field) {
      const prev = this.getHeader("vary");
      const list = prev ? String(prev).split(/\s*,\s*/) : [];
      for (const f of [].concat(field)) if (!list.some((x) => x.toLowerCase() === String(f).toLowerCase() || x === "*")) list.push(f);
      return this.setHeader("Vary", list.join(", "));
    }
    // Express 4.22's res.cookie with cookie 0.7's serialize (its order of attributes).
    cookie(name, value, options = {}) {
      const opts = { ...options };
      if (opts.signed) throw new Error('cookieParser("secret") required for signed cookies');
      let c = `${name}=${encodeURIComponent(typeof value === "object" ? "j:" + JSON.stringify(value) : String(value))}`;
      if (opts.maxAge != null && !isNaN(opts.maxAge - 0)) {
        opts.expires = new Date(Date.now() + (opts.maxAge - 0));
        c += `; Max-Age=${Math.floor((opts.maxAge - 0) / 1000)}`;
      }
      if (opts.domain) c += `; Domain=${opts.domain}`;
      c += `; Path=${opts.path == null ? "/" : opts.path}`;
      if (opts.expires) c += `; Expires=${new Date(opts.expires).toUTCString()}`;
      if (opts.httpOnly) c += "; HttpOnly";
      if (opts.secure) c += "; Secure";
      if (opts.partitioned) c += "; Partitioned";
      if (opts.priority) {
        const p = { low: "Low", medium: "Medium", high: "High" }[String(opts.priority).toLowerCase()];
        if (!p) throw new TypeError("option priority is invalid");
        c += `; Priority=${p}`;
      }
      if (opts.sameSite) {
        const v = opts.sameSite === true ? "Strict" : { lax: "Lax", strict: "Strict", none: "None" }[String(opts.sameSite).toLowerCase()];
        if (!v) throw new TypeError("option sameSite is invalid");
        c += `; SameSite=${v}`;
      }
      return this.append("set-cookie", c);
    }
    clearCookie(name, opts = {}) { return this.cookie(name, "", { ...opts, expires: new Date(1) }); }
    // Express 4.22's res.json and res.send (without ETags and freshness).
    json(obj) {
      const body = JSON.stringify(obj);
      if (!this.hasHeader("content-type")) this.set("Content-Type", "application/json");
      return this.send(body);
    }
    send(body) {
      let chunk = body;
      if (typeof chunk === "number" && arguments.length === 1) {
        if (!this.hasHeader("content-type")) this.type("txt");
        this.statusCode = chunk;
        chunk = STATUS[chunk];
      }
      switch (typeof chunk) {
        case "string":
          if (!this.hasHeader("content-type")) this.type("html");
          break;
        case "boolean":
        case "number":
        case "object":
          if (chunk === null) chunk = "";
          else if (chunk instanceof Uint8Array || chunk instanceof ArrayBuffer) {
            if (!this.hasHeader("content-type")) this.type("bin");
          } else return this.json(chunk);
          break;
      }
      if (typeof chunk === "string") {
        const type = this.getHeader("content-type");
        if (typeof type === "string") this.set("Content-Type", setCharset(type, "utf-8"));
      }
      // Express's weak ETag of what is sent, and a 304 for a GET or HEAD that has it already
      if (chunk !== undefined && !this.hasHeader("etag")) this.set("ETag", host.weakETag(chunk));
      const method = this.req.method;
      if ((method === "GET" || method === "HEAD") && ((this.statusCode >= 200 && this.statusCode < 300) || this.statusCode === 304) &&
        fresh(this.req.headers, this.getHeader("etag"))) {
        this.statusCode = 304;
      }
      if (this.statusCode === 204 || this.statusCode === 304) {
        this.removeHeader("content-type");
        this.removeHeader("content-length");
        this.removeHeader("transfer-encoding");
        chunk = "";
      }
      if (this.statusCode === 205) {
        this.setHeader("content-length", "0");
        this.removeHeader("transfer-encoding");
        chunk = "";
      }
      return this.end(this.req.method === "HEAD" ? undefined : chunk);
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
      // on-headers: what must still set headers (the session cookie) does it now.
      const hooks = this._onHeaders || [];
      this._onHeaders = [];
      for (let i = 0; i < hooks.length; i++) hooks[i]();
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
  // http-errors' isHttpError: what body-parser and Express throw.
  const isHttpError = (e) => e instanceof Error && typeof e.expose === "boolean" && typeof e.statusCode === "number" && e.status === e.statusCode;
  const typeOfStatus = { 400: "invalid_data", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict" }; // mapStatusCodeToErrorType
  function httpResponseFromError(err) {
    if (isHttpError(err)) {
      return { statusCode: err.statusCode, body: { message: err.statusCode < 500 ? err.message : "An unknown error occurred.", type: typeOfStatus[err.statusCode] || "unknown_error" } };
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

  // Medusa's error handler words each issue of a ZodError that reaches it with
  // zod-validation-error 5's fromZodIssue(issue).toString(), default options (lib/v4/
  // MessageBuilder.ts, lib/utils/joinPath.ts), and joins them with "\n": each line is
  // "Validation error: " + the issue's message title-cased + where it is. A union issue is each
  // alternative's issues joined with "; ", the distinct alternatives with " or ".
  function zodIssueText(issue) {
    const msg = zodIssueMessage(issue);
    return msg.length > 0 ? "Validation error: " + msg : "Validation error";
  }
  function zodIssueMessage(issue) {
    if (issue.code === "invalid_union" && Array.isArray(issue.errors) && issue.errors.length !== 0) {
      const alternatives = issue.errors.map((issues) => issues.map((sub) => zodIssueMessage({ ...sub, path: issue.path.concat(sub.path) })).join("; "));
      return Array.from(new Set(alternatives)).join(" or ");
    }
    const message = String(issue.message);
    let out = message.length === 0 ? message : message.charAt(0).toUpperCase() + message.slice(1);
    const path = issue.path;
    if (path !== undefined && path.length !== 0) {
      if (path.length === 1 && typeof path[0] === "number") out += ` at index ${path[0]}`;
      else out += ` at "${zodJoinPath(path)}"`;
    }
    return out;
  }
  const symbolText = (key) => key.description ?? "";
  // joinPath: a lone key as it is; otherwise numbers as [0], identifiers after a dot, and a key
  // with a quote, or without any character an identifier can start with, as ["key"]. Its
  // /[$_\p{ID_Start}]…/u is unanchored, so "a-b" counts as an identifier; goja has no \p{…},
  // so Go answers the test (host.hasIdentifierStart).
  function zodJoinPath(path) {
    if (path.length === 1) {
      let key = path[0];
      if (typeof key === "symbol") key = symbolText(key);
      return key.toString() || '""';
    }
    return path.reduce((acc, key) => {
      if (typeof key === "number") return acc + "[" + key.toString() + "]";
      if (typeof key === "symbol") key = symbolText(key);
      if (key.includes('"')) return acc + '["' + key.replace(/"/g, '\\"') + '"]';
      if (!host.hasIdentifierStart(key)) return acc + '["' + key + '"]';
      return acc + (acc.length === 0 ? "" : ".") + key;
    }, "");
  }

  function defaultErrorHandler(err, req, res, _next) {
    const { statusCode, body } = httpResponseFromError(err);
    if (err && Array.isArray(err.issues)) {
      res.status(statusCode).json({ type: MedusaError.Types.INVALID_DATA, message: err.issues.map(zodIssueText).join("\n") });
      return;
    }
    res.status(statusCode).json(body);
  }

  // ---- Express 4's router ------------------------------------------------------------------
  //
  // buildStack and dispatch port what Express 4.22 does with the layers Medusa registers
  // (express/lib/router/index.js handle/trim_prefix, layer.js match, route.js): `app.use(matcher,
  // fn)` layers match a path prefix and see req.url, req.path and req.baseUrl without it;
  // `app.get(matcher, fn)` layers match the whole path and one method (HEAD runs GET's); each
  // layer's req.params are its own; an OPTIONS request that no layer answers gets 200 with the
  // methods of the routes that match its path in `Allow`; nothing matching is Express's 404.
  // Matching is path-to-regexp 0.1.13 itself (vendored). Unlike Express, a RegExp matcher is
  // tested from lastIndex 0 every time, so that a /g or /y flag does not make it match every
  // other request.
  const pathToRegexp = host.pathToRegexp;

  // layers: [{ use: bool, matcher: string | RegExp, method?: "GET"… | "ALL", fn, route?: true }]
  // in Medusa's sorted order. Medusa wraps each fn with wrapHandler.
  function buildStack(layers) {
    const stack = [];
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      const keys = [];
      const end = !l.use;
      const isString = typeof l.matcher === "string";
      let regexp;
      let terminator = false;
      if (isString && !end) {
        // Express's prefix pattern ends in the lookahead (?=/|$), which goja can only run on
        // its slow fallback engine (seconds per compile under the race detector). The same
        // match, in the same search order, is the pattern with that last element captured
        // instead: matchLayer then leaves the captured character out of the matched path.
        const fast = pathToRegexp(l.matcher, keys, { sensitive: false, strict: false, end, lookahead: false });
        const src = fast.source.replace(/\(\?:(?:\/|\\\/|\\u002f)\|\$\)$/, "(\\/|$)");
        terminator = src !== fast.source;
        if (terminator) {
          regexp = new RegExp(src, fast.flags);
        } else {
          keys.length = 0;
          regexp = pathToRegexp(l.matcher, keys, { sensitive: false, strict: false, end });
        }
      } else {
        regexp = pathToRegexp(l.matcher, keys, { sensitive: false, strict: false, end });
      }
      stack.push({
        use: !!l.use,
        keys,
        regexp,
        segments: literalSegments(l.matcher),
        terminator,
        fastSlash: isString && l.matcher === "/" && !end,
        fastStar: isString && l.matcher === "*" && !end,
        method: l.method ? String(l.method).toLowerCase() : undefined,
        fn: wrapHandler(l.fn),
        isRoute: !!l.route,
        index: i,
      });
    }
    return stack;
  }

  // literalSegments are the path segments, lowercased, that every path a path-to-regexp 0.1
  // string matches starts with (matching is case-insensitive): the leading segments made only of
  // letters, digits, "_" and "-", each followed by the end of the string or by "/" and another
  // such character. Anything else ("?", "+", "*", "{", ".", ":param", "(") may make a character
  // optional or repeat it, and ends them; a pattern with a "|" may match elsewhere than at the
  // start, so it has none. layerIndex files each layer under them.
  const LITERAL = /[A-Za-z0-9_-]/;
  function literalSegments(matcher) {
    if (typeof matcher !== "string" || matcher[0] !== "/" || matcher.includes("|")) return [];
    const segs = [];
    for (let i = 1; ; ) {
      let j = i;
      while (j < matcher.length && LITERAL.test(matcher[j])) j++;
      if (j === i) break;
      const atEnd = j === matcher.length;
      if (!atEnd && !(matcher[j] === "/" && (j + 1 === matcher.length || LITERAL.test(matcher[j + 1])))) break;
      segs.push(matcher.slice(i, j).toLowerCase());
      if (atEnd) break;
      i = j + 1;
    }
    return segs;
  }

  // layerIndex is a tree of a stack's layers by their literal segments, so that a request looks
  // only at the layers that can match its path (candidates), in stack order, rather than testing
  // every layer's regexp as Express does: with 1,000 routes that was most of a request's time.
  // Which layers match, and in what order, is unchanged: each candidate still runs its regexp.
  // It is built once per stack (a few ms at 1,000 layers: loops are slow in goja), and a reload
  // that only swaps handlers keeps it (replaceLayers).
  function layerIndex(stack) {
    const root = { layers: [], children: null };
    for (let i = 0; i < stack.length; i++) {
      const segs = stack[i].segments;
      let node = root;
      for (let k = 0; k < segs.length; k++) {
        if (!node.children) node.children = new Map();
        let child = node.children.get(segs[k]);
        if (!child) node.children.set(segs[k], (child = { layers: [], children: null }));
        node = child;
      }
      node.layers.push(i);
    }
    return root;
  }
  function candidates(index, path) {
    const parts = path.toLowerCase().split("/");
    let out = index.layers;
    let merged = false;
    for (let node = index, k = 1; k < parts.length; k++) {
      node = node.children && node.children.get(parts[k]);
      if (!node) break;
      if (node.layers.length) {
        out = out.concat(node.layers);
        merged = true;
      }
    }
    return merged ? out.sort((a, b) => a - b) : out;
  }

  // A route table's stack: its layers between Medusa's core layers and core routes (base),
  // the handlers reloads swapped since it was built (overrides: place → layer) and the index of
  // base's layers (layerIndex). A reload that only swaps handlers makes a new one that shares
  // base and index, so its cost is the changed handlers', not the whole API's: goja copies an
  // array one element at a time (0.3 ms for 1,000 layers), and indexes it in a few ms.
  function buildTableStack(layers) {
    const base = core().concat(buildStack(layers), coreRoutes());
    return { base, overrides: null, index: layerIndex(base), offset: core().length };
  }
  // replaceLayers is buildTableStack for a reload that changed only handlers: stack with the
  // layers at changes[k].i (places in the table's layers) running changes[k].fn, each
  // otherwise as it was. The stack a running request uses is left as it is.
  const MAX_OVERRIDES = 256;
  function replaceLayers(stack, changes) {
    const overrides = new Map(stack.overrides || []);
    for (let k = 0; k < changes.length; k++) {
      const at = stack.offset + changes[k].i;
      overrides.set(at, Object.assign({}, layerAt(stack, at), { fn: wrapHandler(changes[k].fn) }));
    }
    if (overrides.size <= MAX_OVERRIDES) return { base: stack.base, overrides, index: stack.index, offset: stack.offset };
    const base = stack.base.slice();
    overrides.forEach((layer, at) => { base[at] = layer; });
    return { base, overrides: null, index: stack.index, offset: stack.offset };
  }
  function layerAt(stack, at) {
    return (stack.overrides && stack.overrides.get(at)) || stack.base[at];
  }

  // Medusa's wrapHandler (packages/core/framework/src/http/utils/wrap-handler.ts): validation
  // errors collected by earlier middlewares answer 400, and a throw or rejection goes to next.
  // Written without `async` so that an interrupted handler leaves no suspended async frame.
  function wrapHandler(fn) {
    return function wrappedHandler(req, res, next) {
      if (req && req.errors && req.errors.length) {
        res.status(400).json({ errors: req.errors, message: "Provided request body contains errors. Please check the data and retry the request" });
        return Promise.resolve();
      }
      let r;
      try {
        r = fn(req, res, next);
      } catch (err) {
        next(err);
        return Promise.resolve();
      }
      return Promise.resolve(r).then(undefined, (err) => { next(err); });
    };
  }

  function decodeParam(val) {
    if (typeof val !== "string" || val.length === 0) return val;
    try {
      return decodeURIComponent(val);
    } catch (err) {
      if (err instanceof URIError) {
        err.message = "Failed to decode param '" + val + "'";
        err.status = err.statusCode = 400;
      }
      throw err;
    }
  }

  // Layer.match: { path, params } when the layer matches, null when not; throws a 400 error
  // for a parameter that is not valid percent-encoding.
  function matchLayer(layer, path) {
    if (layer.fastSlash) return { path: "", params: {} };
    if (layer.fastStar) return { path, params: { 0: decodeParam(path) } };
    const re = layer.regexp;
    if (re.global || re.sticky) re.lastIndex = 0;
    const m = re.exec(path);
    if (re.global || re.sticky) re.lastIndex = 0;
    if (!m) return null;
    let matched = m[0];
    let groups = m.length;
    if (layer.terminator) {
      groups--;
      matched = matched.slice(0, matched.length - m[groups].length);
    }
    const params = {};
    for (let i = 1; i < groups; i++) {
      const key = layer.keys[i - 1];
      const prop = key ? key.name : i - 1;
      const val = decodeParam(m[i]);
      if (val !== undefined || !Object.prototype.hasOwnProperty.call(params, prop)) params[prop] = val;
    }
    return { path: matched, params };
  }

  function handlesMethod(layer, method) {
    if (layer.method === "all") return true;
    let name = method.toLowerCase();
    if (name === "head" && layer.method !== "head") name = "get";
    return layer.method === name;
  }

  // The methods an OPTIONS response lists for a route layer (Route._options).
  function layerOptions(layer) {
    if (layer.method === "all") return [];
    const out = [layer.method.toUpperCase()];
    if (layer.method === "get") out.push("HEAD");
    return out;
  }

  // finalhandler's 404 page.
  const escapeHtml = (t) => String(t).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  function notFound(req, res) {
    res.status(404);
    res.setHeader("content-security-policy", "default-src 'none'");
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
      escapeHtml(req.method) + " " + escapeHtml(req.path) + "</pre>\n</body>\n</html>\n");
  }

  // ---- Medusa's own layers ---------------------------------------------------------------------
  //
  // What Medusa's ApiLoader (router.ts) registers before the project's middlewares, in its
  // order: /admin requires an authenticated user unless the route exports AUTHENTICATE = false;
  // /store requires a publishable key (x-publishable-api-key), reads the locale, and takes a
  // customer's token when there is one. (CORS comes before these, in Go: reloaders/cors.go.)
  // The embedded runtime has no API key module: the one publishable key it accepts is the
  // development key medusa-ls prints at start (init.publishableKey, framework.DevCredentials).
  const requestInit = new WeakMap();
  const PK_HEADER = "x-publishable-api-key";
  function ensurePublishableApiKey(req, _res, next) {
    const key = req.get(PK_HEADER);
    if (key === undefined || key === null || key === "") {
      return next(new MedusaError(MedusaError.Types.NOT_ALLOWED, `Publishable API key required in the request header: ${PK_HEADER}. You can manage your keys in settings in the dashboard.`));
    }
    const init = requestInit.get(req) || {};
    if (!init.publishableKey || key !== init.publishableKey) {
      return next(new MedusaError(MedusaError.Types.NOT_ALLOWED, "A valid publishable key is required to proceed with the request"));
    }
    req.publishable_key_context = { key, sales_channel_ids: [] };
    return next();
  }
  // @medusajs/utils normalizeLocale.
  function normalizeLocale(locale) {
    const segments = String(locale).split("-");
    const cap = (x) => x.charAt(0).toUpperCase() + x.slice(1);
    if (segments.length === 1) return segments[0].toLowerCase();
    if (segments.length === 2) {
      const isScript = /^[a-z]{4}$/i.test(segments[1]);
      return `${segments[0].toLowerCase()}-${isScript ? cap(segments[1].toLowerCase()) : segments[1].toUpperCase()}`;
    }
    if (segments.length === 3) return `${segments[0].toLowerCase()}-${cap(segments[1].toLowerCase())}-${segments[2].toUpperCase()}`;
    return locale;
  }
  function applyLocale(req, _res, next) {
    const queryLocale = req.query.locale;
    if (queryLocale) {
      req.locale = normalizeLocale(queryLocale);
      delete req.query.locale;
      return next();
    }
    const headerLocale = req.get("x-medusa-locale");
    if (headerLocale) req.locale = normalizeLocale(headerLocale);
    return next();
  }
  const unlessOptedOut = (fn) => function authMiddleware(req, res, next) {
    const init = requestInit.get(req) || {};
    if (init.optedOutOfAuth) return next();
    return fn(req, res, next);
  };
  // ApiLoader's #assignRestrictedFields: req.allowed for every request; for /store the
  // restricted fields of projectConfig.http.restrictedFields.store and the relations limit
  // (http.storeRelationsLimit, 3 by default), read by validateAndTransformQuery.
  const httpConfig = (req) => sessionOptions(req).http;
  function assignAllowed(req, _res, next) {
    req.allowed = [];
    next();
  }
  function assignStoreRestrictedFields(req, _res, next) {
    const http = httpConfig(req);
    req.restrictedFields = new host.http.RestrictedFields();
    req.restrictedFields.add((http.restrictedFields && http.restrictedFields.store) ?? []);
    req.storeRelationsLimit = http.storeRelationsLimit ?? 3;
    next();
  }
  function assignAdminRestrictedFields(req, _res, next) {
    req.restrictedFields = new host.http.RestrictedFields();
    next();
  }
  // ---- sessions --------------------------------------------------------------------------
  //
  // express-session 1.19 as Medusa's express loader configures it when there is no redisUrl:
  // cookie sessionOptions.name ("connect.sid"), signed with sessionOptions.secret or
  // http.cookieSecret, resave, not rolling, saveUninitialized false, cookie HttpOnly on "/",
  // sameSite and secure off outside production, ttl 10 h, and a memory store. A new session is
  // stored and its cookie set only when the request changed it; a known one is stored again
  // on every request (resave) and its cookie set again when the request changed it.
  const sessions = new Map(); // id → { data: JSON text, expires: ms }
  const MAX_SESSIONS = 10000; // the oldest go first beyond this
  const MAX_SESSION_BYTES = 64 * 1024;
  // The options, read again only when the config object changes (a restart, in practice).
  let optionsFor;
  let optionsCache;
  function sessionOptions(req) {
    let config;
    try {
      config = req.scope.resolve("configModule");
    } catch {}
    if (optionsCache && config === optionsFor) return optionsCache;
    const pc = (config && config.projectConfig) || {};
    const so = pc.sessionOptions || {};
    const http = pc.http || {};
    optionsFor = config;
    optionsCache = { name: so.name ?? "connect.sid", secret: so.secret ?? http.cookieSecret ?? "supersecret", ttl: so.ttl ?? 10 * 60 * 60 * 1000, cookie: pc.cookieOptions || {}, http };
    return optionsCache;
  }
  // The session id in the request's cookie when its signature holds (cookie-signature unsign).
  function sessionIdFromCookie(req, name, secret) {
    if (!req.headers.cookie) return undefined;
    const raw = parseCookies(req.headers.cookie)[name];
    if (typeof raw !== "string" || raw.slice(0, 2) !== "s:") return undefined;
    const signed = raw.slice(2);
    const id = signed.slice(0, signed.lastIndexOf("."));
    return host.signCookie(id, secret) === signed ? id : undefined;
  }
  // express-session's hash: the session without its cookie.
  const sessionHash = (sess) => JSON.stringify(sess, (k, v) => (k === "cookie" && v && v.originalMaxAge !== undefined ? undefined : v));
  class SessionCookie {
    constructor(ttl, extra) {
      Object.assign(this, { path: "/", httpOnly: true, secure: false, sameSite: false }, extra);
      this.originalMaxAge = ttl;
      this.expires = new Date(Date.now() + ttl);
    }
    touch() { this.expires = new Date(Date.now() + this.originalMaxAge); }
    serialize(name, value) {
      let c = `${name}=${encodeURIComponent(value)}`;
      if (this.domain) c += `; Domain=${this.domain}`;
      c += `; Path=${this.path || "/"}`;
      if (this.expires) c += `; Expires=${this.expires.toUTCString()}`;
      if (this.httpOnly) c += "; HttpOnly";
      if (this.secure) c += "; Secure";
      if (this.sameSite) c += `; SameSite=${this.sameSite === true ? "Strict" : String(this.sameSite).replace(/^./, (x) => x.toUpperCase())}`;
      return c;
    }
  }
  function makeSession(req, id, data, opts) {
    const sess = Object.assign(Object.create(sessionMethods), data);
    Object.defineProperty(sess, "id", { value: id, enumerable: false, writable: true });
    Object.defineProperty(sess, "req", { value: req, enumerable: false });
    sess.cookie = new SessionCookie(opts.ttl, opts.cookie);
    return sess;
  }
  const sessionMethods = {
    destroy(cb) {
      sessions.delete(this.id);
      delete this.req.session;
      if (cb) cb();
      return this;
    },
    save(cb) {
      storeSession(this.id, this);
      if (cb) cb();
      return this;
    },
    touch() {
      this.cookie.touch();
      return this;
    },
    regenerate(cb) {
      sessions.delete(this.id);
      const opts = this.req.__sessionOptions;
      this.req.sessionID = host.newSessionID();
      this.req.session = makeSession(this.req, this.req.sessionID, {}, opts);
      if (cb) cb();
      return this;
    },
    reload(cb) {
      const stored = sessions.get(this.id);
      if (stored) Object.assign(this, JSON.parse(stored.data));
      if (cb) cb(stored ? undefined : new Error("failed to load session"));
      return this;
    },
  };
  function storeSession(id, sess) {
    const { cookie, ...data } = sess;
    const text = JSON.stringify(data);
    if (text.length > MAX_SESSION_BYTES) throw new MedusaError(MedusaError.Types.INVALID_DATA, `a session holds at most ${MAX_SESSION_BYTES} bytes`);
    sessions.delete(id);
    sessions.set(id, { data: text, expires: Date.now() + cookie.originalMaxAge });
    while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
  }
  function sessionLayer(req, res, next) {
    const opts = sessionOptions(req);
    req.__sessionOptions = opts;
    const cookieId = sessionIdFromCookie(req, opts.name, opts.secret);
    let stored = cookieId !== undefined ? sessions.get(cookieId) : undefined;
    if (stored && stored.expires <= Date.now()) {
      sessions.delete(cookieId);
      stored = undefined;
    }
    req.sessionID = stored ? cookieId : host.newSessionID();
    req.session = makeSession(req, req.sessionID, stored ? JSON.parse(stored.data) : {}, opts);
    const originalId = req.sessionID;
    // A new session's hash is the empty one's.
    const originalHash = stored ? sessionHash(req.session) : "{}";
    (res._onHeaders = res._onHeaders || []).push(() => {
      const sess = req.session;
      if (!sess) return;
      const modified = originalId !== sess.id || originalHash !== sessionHash(sess);
      const isNew = cookieId !== req.sessionID;
      sess.touch();
      if (isNew ? modified : true) storeSession(req.sessionID, sess);
      if (isNew ? modified : sess.cookie.expires != null && modified) {
        res.append("Set-Cookie", sess.cookie.serialize(opts.name, "s:" + host.signCookie(req.sessionID, opts.secret)));
      }
    });
    next();
  }

  // Medusa's /auth/session routes (@medusajs/medusa api/auth/session, with the middlewares of
  // api/auth/middlewares.ts): POST with a bearer token keeps its auth context in the session;
  // DELETE ends the session.
  let authRoutes;
  function coreRoutes() {
    if (!authRoutes) {
      const http = host.http;
      authRoutes = buildStack([
        { matcher: "/auth/session", method: "post", fn: http.authenticate("*", "bearer", { allowUnregistered: true, requireMfa: false }) },
        { matcher: "/auth/session", method: "post", fn: (req, res) => {
          req.session.auth_context = req.auth_context;
          res.status(200).json({ user: req.auth_context });
        } },
        { matcher: "/auth/session", method: "delete", fn: http.authenticate("*", ["session"], { allowUnregistered: true, requireMfa: false }) },
        { matcher: "/auth/session", method: "delete", fn: (req, res) => {
          const name = req.__sessionOptions.name;
          if (req.session) req.session.destroy();
          res.clearCookie(name, req.__sessionOptions.cookie);
          res.json({ success: true });
        } },
      ]);
    }
    return authRoutes;
  }

  let coreStack;
  function core() {
    if (!coreStack) {
      const http = host.http;
      coreStack = buildStack([
        { use: true, matcher: "/", fn: sessionLayer },
        { use: true, matcher: "/", fn: assignAllowed },
        { use: true, matcher: "/store", fn: assignStoreRestrictedFields },
        { use: true, matcher: "/admin", fn: assignAdminRestrictedFields },
        { use: true, matcher: "/admin", fn: unlessOptedOut(http.authenticate("user", ["bearer", "session", "api-key"])) },
        { use: true, matcher: "/store", fn: ensurePublishableApiKey },
        { use: true, matcher: "/store", fn: applyLocale },
        { use: true, matcher: "/store", fn: unlessOptedOut(http.authenticate("customer", ["bearer", "session"], { allowUnauthenticated: true })) },
      ]);
    }
    return coreStack;
  }

  // dispatch runs one request through the stack. `io` is the Go side: finish(status, headers,
  // chunks) writes the response, reportError(err, status) records a server error for the
  // editor, settled() says nothing more will run for this request.
  function dispatch(init, scope, stack, errorHandler, io) {
    const req = new Request(init, scope);
    const res = new Response(req, io.finish);
    req.res = res;
    res.locals = {};
    requestInit.set(req, init);

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
      const body = parseBody(init);
      if (body !== undefined) req.body = body;
      else delete req.body;
    } catch (e) {
      const err = new Error(e.message);
      err.status = err.statusCode = e.statusCode || 400;
      err.expose = true;
      err.type = e.type || "entity.parse.failed";
      return handleError(err);
    }

    const originalUrl = req.url;
    const options = []; // methods for an OPTIONS answer, in stack order
    let idx = 0; // the next layer of the stack to look at
    let candidatesFor = null;
    let cands = [];
    let ci = 0; // the next of cands, the layers that may match candidatesFor
    let removed = "";
    let slashAdded = false;
    // done is Express's final handler: an error goes to the error handlers; an OPTIONS request
    // that routes exist for is answered with them; anything else is a 404.
    const done = (err) => {
      req.url = originalUrl;
      req.baseUrl = "";
      if (err) return handleError(err);
      if (res.finished) return io.settled();
      if (req.method === "OPTIONS" && options.length) {
        const body = options.join(",");
        res.set("Allow", body);
        res.send(body);
        return io.settled();
      }
      notFound(req, res);
      io.settled();
    };
    const next = (err) => {
      let layerError = err === "route" ? null : err;
      if (slashAdded) {
        req.url = req.url.slice(1);
        slashAdded = false;
      }
      if (removed.length !== 0) {
        req.baseUrl = "";
        req.url = removed + req.url;
        removed = "";
      }
      if (layerError === "router") return done(null);
      const path = req.path;
      if (path !== candidatesFor) {
        // The first request, or a middleware rewrote req.url: the candidates from idx on.
        candidatesFor = path;
        cands = candidates(stack.index, path);
        ci = 0;
        while (ci < cands.length && cands[ci] < idx) ci++;
      }
      let layer;
      let match = null;
      while (!match && ci < cands.length) {
        idx = cands[ci++] + 1;
        layer = layerAt(stack, idx - 1);
        try {
          match = matchLayer(layer, path);
        } catch (e) {
          layerError = layerError || e;
          match = null;
          continue;
        }
        if (!match || layer.use) continue;
        if (layerError) {
          match = null;
          continue;
        }
        const has = handlesMethod(layer, req.method);
        if (!has && req.method === "OPTIONS") {
          for (const m of layerOptions(layer)) if (!options.includes(m)) options.push(m);
        }
        if (!has) match = null;
      }
      if (!match) return done(layerError);
      req.params = match.params;
      if (!layer.use) return call(layer, layerError);
      // trim_prefix: a mounted layer sees the path without its mount point.
      const layerPath = match.path;
      if (layerPath.length !== 0) {
        if (layerPath !== path.slice(0, layerPath.length)) return next(layerError);
        const c = path[layerPath.length];
        if (c && c !== "/" && c !== ".") return next(layerError);
        removed = layerPath;
        req.url = req.url.slice(removed.length);
        if (req.url[0] !== "/") {
          req.url = "/" + req.url;
          slashAdded = true;
        }
        req.baseUrl = removed[removed.length - 1] === "/" ? removed.substring(0, removed.length - 1) : removed;
      }
      call(layer, layerError);
    };
    const call = (layer, layerError) => {
      // Every layer Medusa registers is wrapped, so none of them handles errors: an error skips
      // them all, to the error handler.
      if (layerError) return next(layerError);
      let r;
      try {
        r = layer.fn(req, res, next);
      } catch (e) {
        return next(e);
      }
      // A route handler that is done without answering is reported (settled); one that failed
      // is the error handler's to settle.
      if (layer.isRoute && r && typeof r.then === "function") r.then(() => { if (!erroring) io.settled(); });
      else if (layer.isRoute && !erroring) io.settled();
    };
    next();
  }

  return { dispatch, buildTableStack, replaceLayers, parseQuery, httpResponseFromError, Request, Response };
})
