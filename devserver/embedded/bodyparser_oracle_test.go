package embedded

import (
	"strings"
	"testing"
)

// TestBodyParsersMatchMedusa sends bodies to the same routes in Medusa's API loader (its body
// parser stack: express.json, express.text, express.urlencoded with the routes' bodyParser
// options) and in the embedded runtime: limits, strict JSON, types, charsets, encodings, a
// body left unparsed as a stream, req.rawBody.
func TestBodyParsersMatchMedusa(t *testing.T) {
	echo := `const show = (v) => (v === undefined ? "<undefined>" : v)
const answer = (req, res) => res.json({ body: show(req.body), raw: req.rawBody ? req.rawBody.toString("hex") : null })
exports.GET = answer
exports.POST = answer
`
	stream := `exports.POST = (req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(Buffer.from(c)))
  req.on("end", () => res.json({ body: req.body === undefined ? "<undefined>" : req.body, stream: Buffer.concat(chunks).toString() }))
}
`
	iterate := `exports.POST = async (req, res) => {
  let s = ""
  for await (const c of req) s += c.toString()
  res.json({ body: req.body === undefined ? "<undefined>" : req.body, stream: s })
}
`
	files := map[string]string{
		"medusa-config.js": `module.exports = { projectConfig: { http: { storeCors: "*", adminCors: "*", authCors: "*", jwtSecret: "s", cookieSecret: "s" } } }` + "\n",
		"src/api/middlewares.js": `const { defineMiddlewares } = require("@medusajs/framework/http")
exports.default = defineMiddlewares({
  routes: [
    { matcher: "/p/small", bodyParser: { sizeLimit: "10b" } },
    { matcher: "/p/big", method: ["POST"], bodyParser: { sizeLimit: "1mb" } },
    { matcher: "/p/nobody", bodyParser: false },
    { matcher: "/p/iter", method: "POST", bodyParser: false },
    { matcher: "/p/raw", bodyParser: { preserveRawBody: true } },
  ],
})
`,
		"src/api/p/echo/route.js":   echo,
		"src/api/p/small/route.js":  echo,
		"src/api/p/big/route.js":    echo,
		"src/api/p/raw/route.js":    echo,
		"src/api/p/nobody/route.js": stream,
		"src/api/p/iter/route.js":   iterate,
	}
	json := map[string]string{"Content-Type": "application/json"}
	h := func(kv ...string) map[string]string {
		out := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	big := `{"a":"` + strings.Repeat("x", 150<<10) + `"}`
	requests := []httpRequest{
		{Name: "JSON over 100kb", Method: "POST", Path: "/p/echo", Headers: json, Body: big},
		{Name: "text over 100kb", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "text/plain"), Body: strings.Repeat("x", 150<<10)},
		{Name: "urlencoded over 100kb", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/x-www-form-urlencoded"), Body: "a=" + strings.Repeat("x", 150<<10)},
		{Name: "JSON under a route's 1mb", Method: "POST", Path: "/p/big", Headers: json, Body: big[:40] + `"}`},
		{Name: "JSON over a route's 10b", Method: "POST", Path: "/p/small", Headers: json, Body: `{"a":"0123456789012345678901234567890123456789"}`},
		{Name: "JSON under a route's 10b", Method: "POST", Path: "/p/small", Headers: json, Body: `{"a":1}`},
		{Name: "bodyParser false: a stream", Method: "POST", Path: "/p/nobody", Headers: json, Body: `{"a":1}`},
		{Name: "bodyParser false: for await", Method: "POST", Path: "/p/iter", Headers: json, Body: `{"b":2}`},
		{Name: "bodyParser false: no body", Method: "POST", Path: "/p/nobody"},
		{Name: "preserveRawBody", Method: "POST", Path: "/p/raw", Headers: json, Body: `{"id":"évt"}`},
		{Name: "no rawBody without preserveRawBody", Method: "POST", Path: "/p/echo", Headers: json, Body: `{"id":1}`},
		{Name: "JSON string (strict)", Method: "POST", Path: "/p/echo", Headers: json, Body: `"str"`},
		{Name: "JSON number (strict)", Method: "POST", Path: "/p/echo", Headers: json, Body: `42`},
		{Name: "JSON null (strict)", Method: "POST", Path: "/p/echo", Headers: json, Body: ` null`},
		{Name: "JSON array", Method: "POST", Path: "/p/echo", Headers: json, Body: `[1,2]`},
		{Name: "empty JSON body", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/json", "Content-Length", "0")},
		{Name: "vnd.api+json is not parsed", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/vnd.api+json"), Body: `{"a":1}`},
		{Name: "text/json is not parsed", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "text/json"), Body: `{"a":1}`},
		{Name: "JSON in latin1", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/json; charset=latin1"), Body: `{"a":1}`},
		{Name: "urlencoded in iso-8859-1", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/x-www-form-urlencoded; charset=iso-8859-1"), Body: "a=1"},
		{Name: "text in latin1", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "text/plain; charset=latin1"), Body: "café"},
		{Name: "JSON with a byte-order mark", Method: "POST", Path: "/p/echo", Headers: json, Body: "\uFEFF{\"a\":1}"},
		{Name: "gzip that is not", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/json", "Content-Encoding", "gzip"), Body: `{"a":1}`},
		{Name: "unknown encoding", Method: "POST", Path: "/p/echo", Headers: h("Content-Type", "application/json", "Content-Encoding", "zstd"), Body: `{"a":1}`},
		{Name: "GET without a body", Method: "GET", Path: "/p/echo"},
	}
	compareHTTP(t, files, requests, nil)
}
