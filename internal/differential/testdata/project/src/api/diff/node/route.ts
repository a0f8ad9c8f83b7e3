import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import crypto from "crypto"
import path from "path"
import util from "util"
import querystring from "querystring"
import { EventEmitter } from "events"
import { URL } from "url"

// Node built-ins as backend code uses them.
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const raw: Buffer = (req as any).rawBody ?? Buffer.from(JSON.stringify(req.body))
  const e = new EventEmitter()
  let heard = 0
  e.on("x", (n: number) => (heard += n))
  e.emit("x", 2)
  e.emit("x", 3)
  const u = new URL("https://shop.test:8443/a/b?x=1&y=two#frag")
  res.json({
    isBuffer: Buffer.isBuffer(Buffer.from("a")),
    byteLength: Buffer.byteLength("héllo"),
    compare: Buffer.compare(Buffer.from("a"), Buffer.from("b")),
    base64url: Buffer.from("hello?>").toString("base64url"),
    hex: Buffer.from([1, 2, 255]).toString("hex"),
    concat: Buffer.concat([Buffer.from("ab"), Buffer.from("cd")]).toString(),
    sha256: crypto.createHash("sha256").update("abc").digest("hex"),
    hmac: crypto.createHmac("sha256", "key").update("msg").digest("base64"),
    uuidShape: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()),
    timingSafe: crypto.timingSafeEqual(Buffer.from("x"), Buffer.from("x")),
    join: path.join("/a", "b", "../c", "d.ts"),
    ext: path.extname("x/y.test.ts"),
    rel: path.relative("/a/b/c", "/a/d"),
    format: util.format("%s has %d items %j", "cart", 3, { a: 1 }),
    inspect: util.inspect({ a: [1, { b: 2 }] }),
    qs: querystring.stringify({ a: [1, 2], b: "x y" }),
    parsed: querystring.parse("a=1&a=2&b=%20"),
    heard,
    url: { host: u.host, pathname: u.pathname, search: u.search, y: u.searchParams.get("y"), hash: u.hash },
  })
}
