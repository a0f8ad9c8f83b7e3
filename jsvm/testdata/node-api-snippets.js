// Node API snippets that both the embedded runtime and Node 20 run (TestNodeAPIMatchesNode):
// each returns a JSON-able value, or throws, and both sides must agree.
const snippets = {
  "Buffer.isBuffer(buffer)": () => Buffer.isBuffer(Buffer.from("a")),
  "Buffer.isBuffer(Uint8Array)": () => Buffer.isBuffer(new Uint8Array(1)),
  "Buffer.isBuffer(string)": () => Buffer.isBuffer("a"),
  "Buffer.byteLength utf8": () => Buffer.byteLength("héllo wörld"),
  "Buffer.byteLength base64": () => Buffer.byteLength("aGVsbG8=", "base64"),
  "Buffer.byteLength ArrayBuffer": () => Buffer.byteLength(new ArrayBuffer(7)),
  "Buffer.byteLength Buffer": () => Buffer.byteLength(Buffer.alloc(3)),
  "Buffer.isEncoding": () => [Buffer.isEncoding("UTF-8"), Buffer.isEncoding("hex"), Buffer.isEncoding("nope"), Buffer.isEncoding("")],
  "Buffer.compare": () => [Buffer.compare(Buffer.from("a"), Buffer.from("b")), Buffer.compare(Buffer.from("b"), Buffer.from("a")), Buffer.compare(Buffer.from("ab"), Buffer.from("ab"))],
  "buf.compare": () => [Buffer.from("abc").compare(Buffer.from("abd")), Buffer.from("abc").compare(Buffer.from("ab"))],
  "slice is a Buffer": () => Buffer.from("abcdef").slice(1, 3).toString("hex"),
  "slice is a view": () => { const b = Buffer.from("abc"); b.slice(0, 1)[0] = 0x41; return b.toString() },
  "subarray is a Buffer": () => Buffer.from("abcdef").subarray(2).toString(),
  "toJSON": () => JSON.stringify(Buffer.from("hi")),
  "copy": () => { const a = Buffer.from("hello"), b = Buffer.alloc(3); const n = a.copy(b, 0, 1); return [n, b.toString()] },
  "swap16": () => Buffer.from([1, 2, 3, 4]).swap16().toString("hex"),
  "allocUnsafe length": () => Buffer.allocUnsafe(5).length,
  "concat": () => Buffer.concat([Buffer.from("a"), Buffer.from("bc")]).toString(),
  "base64url": () => Buffer.from("héllo?").toString("base64url"),
  "utf8Slice": () => Buffer.from("hello").utf8Slice(1, 3),
  "hmac of a raw body": () => require("crypto").createHmac("sha256", "whsec").update(Buffer.from('{"id":1}')).digest("hex"),
  "timingSafeEqual": () => require("crypto").timingSafeEqual(Buffer.from("abc"), Buffer.from("abc")),
  "buffer.kMaxLength": () => [require("buffer").kMaxLength, require("buffer").constants.MAX_STRING_LENGTH],
  "buffer.isUtf8": () => [require("buffer").isUtf8(Buffer.from("é")), require("buffer").isUtf8(Buffer.from([0xff]))],
  "buffer.isAscii": () => [require("buffer").isAscii(Buffer.from("a")), require("buffer").isAscii(Buffer.from("é"))],
  "events.listenerCount": () => { const E = require("events"); const e = new E(); e.on("x", () => {}); return [E.listenerCount(e, "x"), E.getEventListeners(e, "x").length] },
  "events.errorMonitor": () => typeof require("events").errorMonitor,
  "assert.match": () => { require("assert").match("abc", /b/); return "ok" },
  "assert.doesNotThrow": () => { require("assert").doesNotThrow(() => 1); return "ok" },
  "assert.ifError(null)": () => { require("assert").ifError(null); return "ok" },
  "fs/promises is fs.promises": () => require("fs/promises") === require("fs").promises,
  "timers.promises": () => require("timers").promises === require("timers/promises"),
  "process.argv0": () => typeof process.argv0,
  "process.getuid": () => typeof process.getuid(),
  "process.domain": () => process.domain,
}

snippets["base64url round trip"] = () => Buffer.from(Buffer.from("héllo?>").toString("base64url"), "base64url").toString()
snippets["isUtf8 overlong and surrogate"] = () => [require("buffer").isUtf8(Buffer.from([0xc0, 0x80])), require("buffer").isUtf8(Buffer.from([0xed, 0xa0, 0x80])), require("buffer").isUtf8(Buffer.from([0xf0, 0x9f, 0x98, 0x80]))]

// What Intl gives without a locale or options (en-US), which the embedded runtime formats itself.
snippets["Number toLocaleString"] = () => [1234567.891, 0.1 + 0.2, -1234.5, -0.0004, 1e21, 999.9996, 12, NaN, -Infinity].map((x) => x.toLocaleString())
snippets["Number toLocaleString en-US"] = () => (1234.5).toLocaleString("en-US")
snippets["Date toLocale*"] = () => { const d = new Date(2024, 0, 5, 13, 4, 9); return [d.toLocaleString(), d.toLocaleDateString(), d.toLocaleTimeString(), new Date(2024, 0, 5, 0, 0, 0).toLocaleTimeString(), new Date(NaN).toLocaleString()] }
snippets["Error.captureStackTrace in a custom error"] = () => {
  class AppError extends Error { constructor(message) { super(); Error.captureStackTrace(this, AppError); this.name = "AppError"; this.message = message } }
  const e = new AppError("boom")
  return [e.stack.split("\n")[0], e instanceof AppError, Object.keys(e)]
}
snippets["Error.captureStackTrace on an object"] = () => { const o = { message: "m" }; Error.captureStackTrace(o); return [typeof o.stack, o.stack.split("\n")[0], Object.keys(o)] }
snippets["Symbol.asyncIterator"] = () => typeof Symbol.asyncIterator
snippets["RegExp identity"] = () => [/x/ instanceof RegExp, /x/.constructor === RegExp, new RegExp("a", "g") instanceof RegExp, RegExp("a", "gi").flags, "a-b-c".split(/-/).length, Object.prototype.toString.call(new RegExp("a"))]

exports.run = function run() {
  const out = {}
  for (const [name, fn] of Object.entries(snippets)) {
    try {
      out[name] = { value: fn() }
    } catch (e) {
      out[name] = { threw: e && e.name }
    }
  }
  return out
}
