// medusa-ls check for a project with its own Medusa installed: loads every resource file in Node
// the way Medusa's loaders require them (ts-node with the project's tsconfig, as @medusajs/cli
// does), without a database and without serving, and writes what failed to the file named by
// argv[2] as JSON: {loaded: n, errors: [{file, error: {name, message, stack, code}}]}.
"use strict"
const fs = require("fs")
const path = require("path")
const root = process.cwd()
const out = process.argv[2]
const files = JSON.parse(fs.readFileSync(process.argv[3], "utf8"))

function fromProject(name) {
  return require(require.resolve(name, { paths: [root] }))
}

const result = { loaded: 0, errors: [] }
try {
  fromProject("ts-node").register({})
  try {
    fromProject("tsconfig-paths").register({})
  } catch (_) {
    // optional, as in @medusajs/cli
  }
} catch (e) {
  result.errors.push({ file: "", error: { name: "Error", message: `ts-node cannot be loaded from the project: ${e.message}`, stack: "" } })
  fs.writeFileSync(out, JSON.stringify(result))
  process.exit(0)
}

for (const file of files) {
  try {
    require(file)
    result.loaded++
  } catch (e) {
    result.errors.push({
      file,
      error: {
        name: String((e && e.name) || "Error"),
        message: String((e && e.message) || e),
        stack: (e && typeof e.stack === "string" && e.stack) || "",
        code: e && e.code !== undefined ? String(e.code) : undefined,
      },
    })
  }
}
fs.writeFileSync(out, JSON.stringify(result))
// Medusa's modules may leave timers or connections behind; the answer is written.
process.exit(0)
