// Generates exports.json: the names (and kinds of value) that each Node built-in the README
// lists exports in Node 20, and the members of the classes and objects projects use from them.
// The embedded runtime gives every one of them: implemented, or a stand-in that throws an
// error naming it. Regenerate with Node 20:
//   node jsvm/node20/generate.js > jsvm/node20/exports.json
const modules = ["path", "crypto", "util", "events", "buffer", "url", "os", "fs", "fs/promises", "assert", "querystring", "timers", "timers/promises"]
const skip = new Set(["length", "name", "prototype", "arguments", "caller", "constructor"])
function kinds(o, names) {
  const out = {}
  for (const k of names.sort()) {
    if (skip.has(k) || k.startsWith("_")) continue
    let d
    for (let p = o; p && !d; p = Object.getPrototypeOf(p)) d = Object.getOwnPropertyDescriptor(p, k)
    out[k] = !d ? "undefined" : d.get ? "accessor" : typeof d.value
  }
  return out
}
const proto = (c) => [...new Set([...Object.getOwnPropertyNames(c.prototype), ...Object.getOwnPropertyNames(Uint8Array.prototype), ...Object.getOwnPropertyNames(Object.getPrototypeOf(Uint8Array.prototype))])]
const out = { node: process.version, modules: {}, members: {} }
for (const m of modules) out.modules[m] = kinds(require(m), Object.keys(require(m)))
out.members["Buffer"] = kinds(Buffer, Object.getOwnPropertyNames(Buffer))
out.members["Buffer.prototype"] = kinds(Buffer.prototype, proto(Buffer))
out.members["events.EventEmitter.prototype"] = kinds(require("events").EventEmitter.prototype, Object.getOwnPropertyNames(require("events").EventEmitter.prototype))
out.members["process"] = kinds(process, Object.keys(process))
process.stdout.write(JSON.stringify(out, null, 1) + "\n")
