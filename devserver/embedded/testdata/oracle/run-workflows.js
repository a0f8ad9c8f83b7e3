// Node side of the workflow oracle: runs workflows.js against real Medusa and prints JSON.
const { createMedusaContainer } = require("@medusajs/framework/utils")
require(process.argv[2]).run(createMedusaContainer()).then((out) => {
  process.stdout.write(JSON.stringify(out))
}, (e) => { console.error(e); process.exit(1) })
