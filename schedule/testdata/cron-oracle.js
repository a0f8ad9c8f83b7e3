// Node side of TestCronMatchesCronParser: for each expression of the JSON file argv[2], what
// cron-parser (the version Medusa's scheduler uses) says: its error message, or the next
// dates after argv[3] in UTC, as Medusa's scheduler calls it (parseExpression, then next()).
const fs = require("fs")
const { parseExpression } = require("cron-parser")
const exprs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"))
const out = {}
for (const expr of exprs) {
  try {
    const it = parseExpression(expr, { currentDate: new Date(process.argv[3]), tz: "UTC" })
    const next = []
    try {
      for (let i = 0; i < 6; i++) next.push(it.next().toDate().toISOString())
    } catch (e) {
      next.push("error: " + e.message)
    }
    out[expr] = { next }
  } catch (e) {
    out[expr] = { error: e.message }
  }
}
process.stdout.write(JSON.stringify(out))
