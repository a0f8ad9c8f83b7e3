package embedded

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"testing"
)

// TestResponseHelpersMatchMedusa compares Express's response helpers as Medusa serves them with
// the embedded runtime's: ETags and conditional GETs, redirects, cookies, status texts.
func TestResponseHelpersMatchMedusa(t *testing.T) {
	cookie := func(opts string) string {
		return `exports.GET = (req, res) => {
  try { res.cookie("foo", "bar", ` + opts + `) } catch (e) { return res.json({ threw: e.message }) }
  res.json({ c: String(res.get("set-cookie")).replace(/Expires=[^;]+/, "Expires=X") })
}
`
	}
	files := map[string]string{
		"medusa-config.js":                 `module.exports = { projectConfig: { http: { storeCors: "*", adminCors: "*", authCors: "*", jwtSecret: "s", cookieSecret: "s" } } }` + "\n",
		"src/api/r/json/route.js":          "exports.GET = (req, res) => res.json({ ok: true })\nexports.POST = exports.GET\n",
		"src/api/r/text/route.js":          "exports.GET = (req, res) => res.send(\"héllo\")\n",
		"src/api/r/empty/route.js":         "exports.GET = (req, res) => res.send(\"\")\n",
		"src/api/r/own-etag/route.js":      "exports.GET = (req, res) => { res.set(\"ETag\", '\"v1\"'); res.json({ ok: 1 }) }\n",
		"src/api/r/created/route.js":       "exports.GET = (req, res) => res.status(201).json({ ok: true })\n",
		"src/api/r/redirect/route.js":      "exports.GET = (req, res) => res.redirect(\"/target?a b&c=é\")\n",
		"src/api/r/redirect301/route.js":   "exports.GET = (req, res) => res.redirect(301, \"https://example.test/a b\")\n",
		"src/api/r/back/route.js":          "exports.GET = (req, res) => res.redirect(\"back\")\n",
		"src/api/r/teapot/route.js":        "exports.GET = (req, res) => res.sendStatus(418)\n",
		"src/api/r/too-large/route.js":     "exports.GET = (req, res) => res.sendStatus(413)\n",
		"src/api/r/cookie/route.js":        cookie(`{ maxAge: 1000, sameSite: "lax", httpOnly: true, domain: "example.test" }`),
		"src/api/r/cookie-signed/route.js": cookie(`{ signed: true }`),
		"src/api/r/cookie-none/route.js":   cookie(`{ sameSite: "none", secure: true, path: "/x" }`),
	}
	h := func(kv ...string) map[string]string {
		out := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	jsonETag := weakETagOf(`{"ok":true}`)
	// Conditional requests say Cache-Control themselves, as a browser revalidating does: Node's
	// fetch, which sends Medusa's, adds "no-cache" to any that does not.
	requests := []httpRequest{
		{Name: "JSON with its ETag", Method: "GET", Path: "/r/json"},
		{Name: "text with its ETag", Method: "GET", Path: "/r/text"},
		{Name: "empty body", Method: "GET", Path: "/r/empty"},
		{Name: "If-None-Match that matches", Method: "GET", Path: "/r/json", Headers: h("If-None-Match", jsonETag, "Cache-Control", "max-age=0")},
		{Name: "If-None-Match, strong form", Method: "GET", Path: "/r/json", Headers: h("If-None-Match", jsonETag[2:], "Cache-Control", "max-age=0")},
		{Name: "If-None-Match among others", Method: "GET", Path: "/r/json", Headers: h("If-None-Match", `"x", `+jsonETag, "Cache-Control", "max-age=0")},
		{Name: "If-None-Match *", Method: "GET", Path: "/r/json", Headers: h("If-None-Match", "*", "Cache-Control", "max-age=0")},
		{Name: "If-None-Match with no-cache", Method: "GET", Path: "/r/json", Headers: h("If-None-Match", jsonETag, "Cache-Control", "no-cache")},
		{Name: "If-None-Match that does not match", Method: "GET", Path: "/r/json", Headers: h("If-None-Match", `W/"nope"`, "Cache-Control", "max-age=0")},
		{Name: "If-None-Match on a POST", Method: "POST", Path: "/r/json", Headers: h("If-None-Match", jsonETag, "Cache-Control", "max-age=0")},
		{Name: "If-None-Match on a 201", Method: "GET", Path: "/r/created", Headers: h("If-None-Match", jsonETag, "Cache-Control", "max-age=0")},
		{Name: "the route's own ETag", Method: "GET", Path: "/r/own-etag", Headers: h("If-None-Match", `"v1"`, "Cache-Control", "max-age=0")},
		{Name: "redirect", Method: "GET", Path: "/r/redirect"},
		{Name: "redirect, HTML wanted", Method: "GET", Path: "/r/redirect", Headers: h("Accept", "text/html")},
		{Name: "redirect, JSON wanted", Method: "GET", Path: "/r/redirect", Headers: h("Accept", "application/json")},
		{Name: "redirect 301", Method: "GET", Path: "/r/redirect301"},
		{Name: "redirect back with a Referer", Method: "GET", Path: "/r/back", Headers: h("Referer", "http://shop.test/cart")},
		{Name: "redirect back without", Method: "GET", Path: "/r/back"},
		{Name: "sendStatus 418", Method: "GET", Path: "/r/teapot"},
		{Name: "sendStatus 413", Method: "GET", Path: "/r/too-large"},
		{Name: "cookie with maxAge and sameSite", Method: "GET", Path: "/r/cookie"},
		{Name: "signed cookie without a secret", Method: "GET", Path: "/r/cookie-signed"},
		{Name: "cookie sameSite none", Method: "GET", Path: "/r/cookie-none"},
	}
	compareHTTP(t, files, requests, nil)
}

// weakETagOf is Express's ETag of body, for requests that send it back.
func weakETagOf(body string) string {
	sum := sha1.Sum([]byte(body))
	return fmt.Sprintf(`W/"%x-%s"`, len(body), base64.StdEncoding.EncodeToString(sum[:])[:27])
}
