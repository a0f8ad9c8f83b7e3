package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/oracle"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// oracleApp loads the project in dir with the embedded runtime and serves it.
func oracleApp(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	srv, _ := oracleAppWith(t, dir)
	return srv
}

// oracleAppWith is oracleApp that also returns the app.
func oracleAppWith(t *testing.T, dir string) (*httptest.Server, *App) {
	t.Helper()
	app, err := New(Options{Root: dir, Env: map[string]string{"NODE_ENV": "development"}, TaskTimeout: 10 * time.Second,
		RequestTimeout: 30 * time.Second, Output: &testutil.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	if res := app.Load(context.Background()); !res.Success {
		t.Fatalf("embedded load: %+v", res.Errors)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	return srv, app
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "oracle", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, b)
	}
	return out
}

func decodeJSON(t *testing.T, what string, b []byte) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v: %s", what, err, b)
	}
	return out
}

// runCases pairs scenario outcomes ({name: [run, …]}) of both sides into cases, one per run.
func runCases(t *testing.T, medusa, embedded map[string]any) []oracle.Case {
	t.Helper()
	names := slices.Sorted(maps.Keys(medusa))
	var cases []oracle.Case
	for _, name := range names {
		m, _ := medusa[name].([]any)
		e, _ := embedded[name].([]any)
		if len(e) != len(m) {
			cases = append(cases, oracle.Case{Name: name, Medusa: m, Embedded: e})
			continue
		}
		for i := range m {
			cases = append(cases, oracle.Case{Name: fmt.Sprintf("%s#%d", name, i), Medusa: m[i], Embedded: e[i]})
		}
	}
	return cases
}

// TestWorkflowsMatchMedusa runs the scenarios of testdata/oracle/workflows.js through the
// embedded workflows SDK and through Medusa's own (@medusajs/workflows-sdk and its transaction
// orchestrator) and compares the trail of invokes and compensations, state, result, errors
// and what run() threw.
func TestWorkflowsMatchMedusa(t *testing.T) {
	dir := oracle.Project(t, map[string]string{
		"medusa-config.js":           "module.exports = { projectConfig: { http: {} } }\n",
		"src/workflows/oracle.js":    readTestdata(t, "workflows.js"),
		"run-workflows.js":           readTestdata(t, "run-workflows.js"),
		"src/api/oracle/wf/route.js": "const { run } = require(\"../../../workflows/oracle\")\nexports.GET = async (req, res) => { res.json(await run(req.scope)) }\n",
	})
	medusa := decodeJSON(t, "node", oracle.Node(t, dir, "run-workflows.js", filepath.Join(dir, "src/workflows/oracle.js")))
	srv := oracleApp(t, dir)
	embedded := getJSON(t, srv.URL+"/oracle/wf")
	oracle.Compare(t, runCases(t, medusa, embedded), nil)
}

// oracleErrorsRoute throws what its path names.
const oracleErrorsRoute = `const { MedusaError } = require("@medusajs/framework/utils")
exports.GET = async (req, res, next) => {
  const t = req.params.type
  if (t === "plain") throw new Error("plain failure")
  if (t === "string") throw "a string"
  if (t === "status") { const e = new Error("teapot"); e.statusCode = 418; e.expose = true; throw e }
  if (t === "next") return next(new MedusaError(MedusaError.Types.NOT_FOUND, "via next"))
  throw new MedusaError(t, "message for " + t)
}
`

// oracleJWTSecret is projectConfig.http.jwtSecret of the HTTP oracle's project.
const oracleJWTSecret = "oracle-secret"

// httpRequest is one request of the HTTP oracle.
type httpRequest struct {
	Name    string            `json:"name"`
	NoKey   bool              `json:"-"` // send no x-publishable-api-key (others get the valid one)
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// comparedHeaders are the response headers whose values are compared with Medusa's.
var comparedHeaders = []string{"content-type", "allow", "vary", "access-control-allow-origin", "access-control-allow-credentials",
	"access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age",
	"location", "etag"}

// noRedirects answers with what the server said, a redirect included (fetch: redirect manual).
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// httpOutcome keeps what is compared of a response.
func httpOutcome(status int, headers map[string]string, body string) map[string]any {
	h := map[string]any{}
	for _, k := range comparedHeaders {
		if v, ok := headers[k]; ok {
			h[k] = v
		}
	}
	var b any = body
	var j any
	if json.Unmarshal([]byte(body), &j) == nil {
		b = j
	}
	return map[string]any{"status": float64(status), "headers": h, "body": b}
}

// compareHTTP serves the project files with Medusa's ApiLoader in Node and with the embedded
// runtime, sends both the requests and compares status, compared headers and body.
func compareHTTP(t *testing.T, files map[string]string, requests []httpRequest, intended map[string]string) {
	t.Helper()
	files["run-http.js"] = readTestdata(t, "run-http.js")
	dir := oracle.Project(t, files)
	srv, app := oracleAppWith(t, dir)
	creds := app.Credentials()
	for i := range requests {
		r := &requests[i]
		h := map[string]string{}
		for k, v := range r.Headers {
			h[k] = strings.ReplaceAll(strings.ReplaceAll(v, "$ADMIN_TOKEN", creds.AdminToken), "$CUSTOMER_TOKEN", creds.CustomerToken)
		}
		if _, set := h["x-publishable-api-key"]; !set && !r.NoKey {
			h["x-publishable-api-key"] = creds.PublishableKey
		}
		r.Headers = h
	}
	reqJSON, _ := json.Marshal(requests)
	if err := os.WriteFile(filepath.Join(dir, "requests.json"), reqJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	var medusa []struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	outFile := filepath.Join(dir, "responses.json")
	oracle.Node(t, dir, "run-http.js", filepath.Join(dir, "requests.json"), outFile, creds.PublishableKey)
	out, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &medusa); err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	if len(medusa) != len(requests) {
		t.Fatalf("node answered %d of %d requests", len(medusa), len(requests))
	}
	var cases []oracle.Case
	for i, r := range requests {
		req, err := http.NewRequest(r.Method, srv.URL+"/", strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		// The path is sent as written, even when it is not valid percent-encoding.
		req.URL.Opaque = "//" + req.URL.Host + r.Path
		for k, v := range r.Headers {
			req.Header.Set(k, v)
		}
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := map[string]string{}
		for k, vs := range resp.Header {
			h[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
		m := medusa[i]
		cases = append(cases, oracle.Case{Name: fmt.Sprintf("%s (%s %s)", r.Name, r.Method, r.Path),
			Medusa: httpOutcome(m.Status, m.Headers, m.Body), Embedded: httpOutcome(resp.StatusCode, h, string(b))})
	}
	oracle.Compare(t, cases, intended)
}

// echoRoute answers with what the middlewares recorded, the params and the query.
func echoRoute(methods ...string) string {
	var b strings.Builder
	for _, m := range methods {
		fmt.Fprintf(&b, "exports.%s = (req, res) => res.json({ route: %q, mw: req.mw || [], params: req.params, query: req.query, body: req.body, path: req.path, baseUrl: req.baseUrl, url: req.url, polluted: ({}).x, auth: req.auth_context, pk: req.publishable_key_context, locale: req.locale })\n", m, m)
	}
	return b.String()
}

const oracleMiddlewares = `const { defineMiddlewares, authenticate, validateAndTransformBody, validateAndTransformQuery } = require("@medusajs/framework/http")
const { z } = require("@medusajs/framework/zod")
const mark = (name) => (req, res, next) => { (req.mw = req.mw || []).push([name, req.params, req.path, req.baseUrl, req.url]); next() }
exports.default = defineMiddlewares({
  routes: [
    { matcher: "/store/items*", middlewares: [mark("items-star")] },
    { matcher: "/store/items/:id", middlewares: [mark("items-id")] },
    { matcher: "/store/items/:id", methods: ["POST"], middlewares: [mark("items-id-post")] },
    { matcher: "/store/items", methods: ["GET", "DELETE"], middlewares: [mark("items-get-delete")] },
    { matcher: /^\/custom\/r[a-z]+/, middlewares: [mark("custom-regexp")] },
    { matcher: /^\/store\/gx\/.*/g, middlewares: [mark("global-flag")] },
    { matcher: /^\/store\/sticky/y, middlewares: [mark("sticky-flag")] },
    { matcher: "/custom", middlewares: [mark("custom-prefix")] },
    { matcher: "/custom/x", methods: ["ALL"], middlewares: [mark("custom-x-all")] },
    { matcher: "/admin/*", middlewares: [mark("admin-star")] },
    { matcher: "/store/Items/:id", methods: ["get"], middlewares: [mark("items-case")] },
    { matcher: "/custom/guarded", middlewares: [authenticate("customer", ["bearer"])] },
    // Matchers whose literal start the embedded runtime's layer index files them under.
    { matcher: "/shop", middlewares: [mark("shop")] },
    { matcher: "/shop/", middlewares: [mark("shop-slash")] },
    { matcher: "/SHOP/Items", middlewares: [mark("shop-items-case")] },
    { matcher: "/shop/items/:id?", middlewares: [mark("shop-optional-id")] },
    { matcher: "/shop/item?s", middlewares: [mark("shop-optional-s")] },
    { matcher: "/shop/it+ems", middlewares: [mark("shop-repeated-t")] },
    { matcher: "/shop/(items|things)", middlewares: [mark("shop-group")] },
    { matcher: "/nothing|/shop", middlewares: [mark("shop-alternation")] },
    { matcher: "/nothing/x|/shop", middlewares: [mark("shop-alternation-after-a-segment")] },
    { matcher: "/shop/items.json", middlewares: [mark("shop-dot")] },
    { matcher: "/shop/:a/:b", middlewares: [mark("shop-two-params")] },
    { matcher: "/shop-x", middlewares: [mark("shop-dash")] },
    { matcher: "/sh*", middlewares: [mark("sh-star")] },
    { matcher: "/shop/items/:id/sub", method: "GET", middlewares: [mark("shop-sub-get")] },
    { matcher: "/vq", method: "GET", middlewares: [validateAndTransformQuery(z.object({ q: z.string().optional(), ids: z.array(z.string()).optional(), n: z.coerce.number().optional(), limit: z.coerce.number().optional(), offset: z.coerce.number().optional(), fields: z.string().optional(), order: z.string().optional(), meta: z.object({ a: z.string() }).optional() }), { defaults: ["id"], isList: true })] },
    { matcher: "/validated", method: "POST", middlewares: [validateAndTransformBody(z.object({ name: z.string(), qty: z.number().min(1), kind: z.enum(["a", "b"]).optional(), tags: z.array(z.string()).optional() }))] },
    { matcher: "/validated-nested", method: "POST", middlewares: [validateAndTransformBody(z.object({ a: z.object({ b: z.number() }), items: z.array(z.object({ name: z.string() })) }))] },
  ],
})
`

// oracleZodRoute throws the ZodError of the schema and input its path names, as a handler
// that calls schema.parse does: Medusa's error handler words each issue with
// zod-validation-error's fromZodIssue.
const oracleZodRoute = `const { z } = require("@medusajs/framework/zod")
const cases = {
  "one": () => z.object({ a: z.string() }).parse({}),
  "several": () => z.object({ a: z.string(), qty: z.number().min(1) }).parse({ a: 1, qty: 0 }),
  "nested": () => z.object({ a: z.object({ b: z.number() }) }).parse({ a: { b: "x" } }),
  "array-index": () => z.object({ items: z.array(z.object({ name: z.string() })) }).parse({ items: [{ name: "ok" }, {}] }),
  "root-index": () => z.array(z.string()).parse(["a", 1]),
  "quoted-keys": () => z.object({ meta: z.record(z.string(), z.number()) }).parse({ meta: { "0": "x", 'x"y': "x", "-": "x", "a-b": "x", "k": 1 } }),
  "custom-message": () => z.object({ price: z.number().refine((n) => n > 0, "must be positive") }).parse({ price: -1 }),
  "no-path": () => z.object({ p: z.string(), q: z.string() }).refine((v) => v.p === v.q, "passwords do not match").parse({ p: "a", q: "b" }),
  "union": () => z.object({ v: z.union([z.string(), z.object({ x: z.boolean() })]) }).parse({ v: { x: 1 } }),
  "formats": () => z.object({ email: z.string().email(), kind: z.enum(["a", "b"]), n: z.number().max(3), extra: z.never().optional() }).strict().parse({ email: "no", kind: "c", n: 9, zz: 1 }),
}
exports.GET = (req, res) => { cases[req.params.case](); res.json({ parsed: true }) }
`

// TestHTTPMatchesMedusa compares middleware matching, CORS, OPTIONS and query-string parsing
// with Medusa's ApiLoader on Express.
func TestHTTPMatchesMedusa(t *testing.T) {
	files := map[string]string{
		"medusa-config.js":                     `module.exports = { projectConfig: { http: { storeCors: "http://store.test", adminCors: "http://admin.test,/\\.admin\\.test$/", authCors: "http://auth.test, http://spaced.test,*", jwtSecret: "s", cookieSecret: "s" } } }` + "\n",
		"src/api/middlewares.js":               oracleMiddlewares,
		"src/api/store/items/route.js":         echoRoute("GET", "POST"),
		"src/api/store/items/[id]/route.js":    echoRoute("GET", "POST", "DELETE"),
		"src/api/store/gx/a/route.js":          echoRoute("GET"),
		"src/api/store/sticky/route.js":        echoRoute("GET"),
		"src/api/store/nocors/route.js":        echoRoute("GET", "POST") + "exports.CORS = false\n",
		"src/api/store/own-options/route.js":   echoRoute("GET", "OPTIONS"),
		"src/api/custom/x/route.js":            echoRoute("GET", "POST"),
		"src/api/custom/rabc/route.js":         echoRoute("GET"),
		"src/api/admin/thing/route.js":         echoRoute("GET", "PUT") + "exports.AUTHENTICATE = false\n",
		"src/api/auth/thing/route.js":          echoRoute("POST"),
		"src/api/q/route.js":                   echoRoute("GET"),
		"src/api/errors/[type]/route.js":       oracleErrorsRoute,
		"src/api/vq/route.js":                  "exports.GET = (req, res) => res.json({ validated: req.validatedQuery, filters: req.filterableFields })\n",
		"src/api/validated/route.js":           "exports.POST = (req, res) => res.json({ validated: req.validatedBody, body: req.body })\n",
		"src/api/validated-nested/route.js":    "exports.POST = (req, res) => res.json({ validated: req.validatedBody })\n",
		"src/api/zod/[case]/route.js":          oracleZodRoute,
		"src/api/store/admin-like/route.js":    echoRoute("GET"),
		"src/api/admin/locked/route.js":        echoRoute("GET", "POST"),
		"src/api/admin/open-get/route.js":      echoRoute("GET") + "exports.AUTHENTICATE = false\n",
		"src/api/store/me/route.js":            echoRoute("GET"),
		"src/api/custom/guarded/route.js":      echoRoute("GET"),
		"src/api/shop/route.js":                echoRoute("GET"),
		"src/api/shop/items/route.js":          echoRoute("GET"),
		"src/api/shop/items/[id]/route.js":     echoRoute("GET"),
		"src/api/shop/items/[id]/sub/route.js": echoRoute("GET", "POST"),
		"src/api/shop/things/route.js":         echoRoute("GET"),
		"src/api/shop-x/route.js":              echoRoute("GET"),
		"src/api/shopping/route.js":            echoRoute("GET"),
	}
	store := map[string]string{"Origin": "http://store.test"}
	pre := func(origin, method string, extra ...string) map[string]string {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if len(extra) > 0 {
			h["Access-Control-Request-Headers"] = extra[0]
		}
		return h
	}
	requests := []httpRequest{
		// Middleware matching: strings, params, methods, RegExps, case.
		{Name: "static route and star matcher", Method: "GET", Path: "/store/items"},
		{Name: "param route", Method: "GET", Path: "/store/items/it_1"},
		{Name: "param route POST", Method: "POST", Path: "/store/items/it_1", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":1}`},
		{Name: "method-limited middleware, other method", Method: "DELETE", Path: "/store/items/it_2"},
		{Name: "upper-case path", Method: "GET", Path: "/STORE/ITEMS/It_3"},
		{Name: "trailing slash", Method: "GET", Path: "/store/items/"},
		{Name: "regexp matcher", Method: "GET", Path: "/custom/rabc"},
		{Name: "prefix and ALL", Method: "POST", Path: "/custom/x"},
		{Name: "g flag, first", Method: "GET", Path: "/store/gx/a"},
		{Name: "g flag, second", Method: "GET", Path: "/store/gx/a"},
		{Name: "g flag, third", Method: "GET", Path: "/store/gx/a"},
		{Name: "y flag, first", Method: "GET", Path: "/store/sticky"},
		{Name: "y flag, second", Method: "GET", Path: "/store/sticky"},
		{Name: "admin star", Method: "GET", Path: "/admin/thing"},
		{Name: "no route", Method: "GET", Path: "/store/none"},
		{Name: "no route with middleware", Method: "GET", Path: "/custom/nothing"},
		// Which layers a path reaches, where their matchers start with literal segments.
		{Name: "literal: /shop", Method: "GET", Path: "/shop"},
		{Name: "literal: /shop/", Method: "GET", Path: "/shop/"},
		{Name: "literal: /SHOP", Method: "GET", Path: "/SHOP"},
		{Name: "literal: /shop/items", Method: "GET", Path: "/shop/items"},
		{Name: "literal: /Shop/ITEMS/", Method: "GET", Path: "/Shop/ITEMS/"},
		{Name: "literal: /shop/items/7", Method: "GET", Path: "/shop/items/7"},
		{Name: "literal: /shop/items/7/sub", Method: "GET", Path: "/shop/items/7/sub"},
		{Name: "literal: POST /shop/items/7/sub", Method: "POST", Path: "/shop/items/7/sub"},
		{Name: "literal: /shop/things", Method: "GET", Path: "/shop/things"},
		{Name: "literal: /shop-x", Method: "GET", Path: "/shop-x"},
		{Name: "literal: /shopping", Method: "GET", Path: "/shopping"},
		{Name: "literal: /shop//items", Method: "GET", Path: "/shop//items"},
		{Name: "literal: /shop/item", Method: "GET", Path: "/shop/item"},
		// CORS and OPTIONS.
		{Name: "store GET allowed origin", Method: "GET", Path: "/store/items", Headers: store},
		{Name: "store GET other origin", Method: "GET", Path: "/store/items", Headers: map[string]string{"Origin": "http://evil.test"}},
		{Name: "store preflight", Method: "OPTIONS", Path: "/store/items", Headers: pre("http://store.test", "GET", "x-publishable-api-key,content-type")},
		{Name: "store preflight other origin", Method: "OPTIONS", Path: "/store/items", Headers: pre("http://evil.test", "GET")},
		{Name: "store preflight method without route", Method: "OPTIONS", Path: "/store/items", Headers: pre("http://store.test", "DELETE")},
		{Name: "store OPTIONS without preflight headers", Method: "OPTIONS", Path: "/store/items"},
		{Name: "store param preflight", Method: "OPTIONS", Path: "/store/items/it_1", Headers: pre("http://store.test", "DELETE")},
		{Name: "CORS=false preflight", Method: "OPTIONS", Path: "/store/nocors", Headers: pre("http://store.test", "POST")},
		{Name: "CORS=false GET", Method: "GET", Path: "/store/nocors", Headers: store},
		{Name: "own OPTIONS handler, preflight", Method: "OPTIONS", Path: "/store/own-options", Headers: pre("http://store.test", "GET")},
		{Name: "own OPTIONS handler, plain", Method: "OPTIONS", Path: "/store/own-options", Headers: store},
		{Name: "custom prefix OPTIONS", Method: "OPTIONS", Path: "/custom/x"},
		{Name: "custom prefix preflight", Method: "OPTIONS", Path: "/custom/x", Headers: pre("http://store.test", "POST")},
		{Name: "custom prefix GET with origin", Method: "GET", Path: "/custom/x", Headers: store},
		{Name: "OPTIONS on unknown path", Method: "OPTIONS", Path: "/custom/unknown"},
		{Name: "admin preflight", Method: "OPTIONS", Path: "/admin/thing", Headers: pre("http://admin.test", "PUT")},
		{Name: "admin regexp origin", Method: "GET", Path: "/admin/thing", Headers: map[string]string{"Origin": "http://x.admin.test"}},
		{Name: "admin store origin", Method: "GET", Path: "/admin/thing", Headers: store},
		{Name: "auth preflight", Method: "OPTIONS", Path: "/auth/thing", Headers: pre("http://auth.test", "POST")},
		{Name: "auth POST", Method: "POST", Path: "/auth/thing", Headers: map[string]string{"Origin": "http://auth.test"}},
		{Name: "origins are not trimmed", Method: "POST", Path: "/auth/thing", Headers: map[string]string{"Origin": "http://spaced.test"}},
		{Name: "a * origin is a string", Method: "POST", Path: "/auth/thing", Headers: map[string]string{"Origin": "http://any.test"}},
		{Name: "HEAD has no route of its own for CORS", Method: "HEAD", Path: "/store/items", Headers: store},
		{Name: "encoded param", Method: "GET", Path: "/store/items/a%20b%2Fc"},
		{Name: "bad percent-encoding in a param", Method: "GET", Path: "/store/items/%zz"},
		{Name: "middleware mounted on a prefix sees the rest", Method: "GET", Path: "/custom/x/"},
		{Name: "route under another namespace name", Method: "GET", Path: "/store/admin-like", Headers: store},
		// Query strings as Express's qs parses them.
		{Name: "repeated keys", Method: "GET", Path: "/q?a=1&a=2"},
		{Name: "nested object", Method: "GET", Path: "/q?b[c]=3&b[d][e]=4"},
		{Name: "brackets array", Method: "GET", Path: "/q?a[]=1&a[]=2"},
		{Name: "indexed array", Method: "GET", Path: "/q?a[1]=y&a[0]=x"},
		{Name: "index over arrayLimit", Method: "GET", Path: "/q?a[21]=z"},
		{Name: "depth over 5", Method: "GET", Path: "/q?a[b][c][d][e][f][g][h]=1"},
		{Name: "__proto__ refused", Method: "GET", Path: "/q?__proto__[x]=1&ok=1"},
		{Name: "__proto__ nested refused", Method: "GET", Path: "/q?a[__proto__][x]=1"},
		{Name: "constructor prototype", Method: "GET", Path: "/q?constructor[prototype][x]=1"},
		{Name: "toString and hasOwnProperty", Method: "GET", Path: "/q?toString=x&hasOwnProperty=y"},
		{Name: "plus and percent", Method: "GET", Path: "/q?a+b=c+d&e=%20f%2B&g=%zz"},
		{Name: "empty and bare keys", Method: "GET", Path: "/q?a=&b&=c&&d=1"},
		{Name: "mixed array and object", Method: "GET", Path: "/q?a[]=1&a[b]=2"},
		{Name: "dots are keys", Method: "GET", Path: "/q?a.b=1"},
		{Name: "semicolon", Method: "GET", Path: "/q?a=1;b=2"},
		{Name: "unclosed bracket", Method: "GET", Path: "/q?a[b=1&c]=2"},
		{Name: "array then scalar", Method: "GET", Path: "/q?a[]=1&a=2"},
		// What Medusa refuses by default, and what it lets through.
		{Name: "store without publishable key", Method: "GET", Path: "/store/items", NoKey: true},
		{Name: "store with an unknown key", Method: "GET", Path: "/store/items", Headers: map[string]string{"x-publishable-api-key": "pk_nope"}},
		{Name: "store without key, no route", Method: "GET", Path: "/store/none", NoKey: true},
		{Name: "store preflight needs no key", Method: "OPTIONS", Path: "/store/items", NoKey: true, Headers: pre("http://store.test", "GET")},
		{Name: "custom prefix needs no key", Method: "GET", Path: "/custom/x", NoKey: true},
		{Name: "admin without token", Method: "GET", Path: "/admin/locked"},
		{Name: "admin with a bad token", Method: "GET", Path: "/admin/locked", Headers: map[string]string{"Authorization": "Bearer abc.def.ghi"}},
		{Name: "admin with the admin token", Method: "GET", Path: "/admin/locked", Headers: map[string]string{"Authorization": "Bearer $ADMIN_TOKEN"}},
		{Name: "admin with a customer token", Method: "POST", Path: "/admin/locked", Headers: map[string]string{"Authorization": "Bearer $CUSTOMER_TOKEN"}},
		{Name: "admin with a secret key as bearer", Method: "GET", Path: "/admin/locked", Headers: map[string]string{"Authorization": "Bearer sk_123"}},
		{Name: "admin without route", Method: "GET", Path: "/admin/nothing"},
		{Name: "admin AUTHENTICATE=false, GET", Method: "GET", Path: "/admin/open-get"},
		{Name: "admin AUTHENTICATE=false, other method", Method: "POST", Path: "/admin/open-get"},
		{Name: "store with a customer token", Method: "GET", Path: "/store/me", Headers: map[string]string{"Authorization": "Bearer $CUSTOMER_TOKEN"}},
		{Name: "store with an admin token", Method: "GET", Path: "/store/me", Headers: map[string]string{"Authorization": "Bearer $ADMIN_TOKEN"}},
		{Name: "authenticate() in a middleware, no token", Method: "GET", Path: "/custom/guarded"},
		{Name: "authenticate() in a middleware, customer", Method: "GET", Path: "/custom/guarded", Headers: map[string]string{"Authorization": "Bearer $CUSTOMER_TOKEN"}},
		{Name: "locale from the query", Method: "GET", Path: "/store/me?locale=pt-br&x=1"},
		// Errors thrown by a handler, and what Medusa's error handler answers for each.
		{Name: "MedusaError not_found", Method: "GET", Path: "/errors/not_found"},
		{Name: "MedusaError invalid_data", Method: "GET", Path: "/errors/invalid_data"},
		{Name: "MedusaError not_allowed", Method: "GET", Path: "/errors/not_allowed"},
		{Name: "MedusaError unauthorized", Method: "GET", Path: "/errors/unauthorized"},
		{Name: "MedusaError forbidden", Method: "GET", Path: "/errors/forbidden"},
		{Name: "MedusaError duplicate_error", Method: "GET", Path: "/errors/duplicate_error"},
		{Name: "MedusaError conflict", Method: "GET", Path: "/errors/conflict"},
		{Name: "MedusaError database_error", Method: "GET", Path: "/errors/database_error"},
		{Name: "MedusaError invalid_argument", Method: "GET", Path: "/errors/invalid_argument"},
		{Name: "MedusaError unexpected_state", Method: "GET", Path: "/errors/unexpected_state"},
		{Name: "MedusaError payment_authorization_error", Method: "GET", Path: "/errors/payment_authorization_error"},
		{Name: "MedusaError payment_requires_more_error", Method: "GET", Path: "/errors/payment_requires_more_error"},
		{Name: "plain Error", Method: "GET", Path: "/errors/plain"},
		{Name: "thrown string", Method: "GET", Path: "/errors/string"},
		{Name: "error with statusCode and expose", Method: "GET", Path: "/errors/status"},
		{Name: "error passed to next", Method: "GET", Path: "/errors/next"},
		// Bodies validated with zod, as Medusa words the failures.
		{Name: "valid body", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"mug","qty":2,"kind":"a"}`},
		{Name: "missing field", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"qty":2}`},
		{Name: "wrong type", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":5,"qty":"2"}`},
		{Name: "too small", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"x","qty":0}`},
		{Name: "unknown field", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"x","qty":1,"extra":true}`},
		{Name: "bad enum", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"x","qty":1,"kind":"c"}`},
		{Name: "bad array element", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"x","qty":1,"tags":["a",2]}`},
		{Name: "four problems, three told", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":1,"qty":0,"kind":"z","x":1}`},
		{Name: "nested body, wrong types", Method: "POST", Path: "/validated-nested", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":{"b":"x"},"items":[{"name":1}]}`},
		{Name: "nested body, missing fields", Method: "POST", Path: "/validated-nested", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":{},"items":[{}]}`},
		// ZodErrors thrown by a handler (schema.parse), as Medusa's error handler words them.
		{Name: "ZodError, one issue", Method: "GET", Path: "/zod/one"},
		{Name: "ZodError, several issues", Method: "GET", Path: "/zod/several"},
		{Name: "ZodError, nested path", Method: "GET", Path: "/zod/nested"},
		{Name: "ZodError, array index path", Method: "GET", Path: "/zod/array-index"},
		{Name: "ZodError, index at the root", Method: "GET", Path: "/zod/root-index"},
		{Name: "ZodError, keys that need quoting", Method: "GET", Path: "/zod/quoted-keys"},
		{Name: "ZodError, custom message", Method: "GET", Path: "/zod/custom-message"},
		{Name: "ZodError, no path", Method: "GET", Path: "/zod/no-path"},
		{Name: "ZodError, union", Method: "GET", Path: "/zod/union"},
		{Name: "ZodError, formats, enum, max, unknown key", Method: "GET", Path: "/zod/formats"},
		{Name: "query validated", Method: "GET", Path: "/vq?q=mug&ids[]=a,b&n=3&limit=10&offset=5"},
		{Name: "query with a.b keys", Method: "GET", Path: "/vq?meta.a=x"},
		{Name: "query too deep", Method: "GET", Path: "/vq?meta.a.b=x"},
		{Name: "query unknown key", Method: "GET", Path: "/vq?zzz=1"},
		{Name: "query wrong type", Method: "GET", Path: "/vq?n=abc"},
		{Name: "query comma list", Method: "GET", Path: "/vq?ids=a,b"},
		{Name: "malformed JSON", Method: "POST", Path: "/validated", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":`},
		{Name: "urlencoded body", Method: "POST", Path: "/store/items", Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: "a[b]=1&__proto__[x]=2&c=3&c=4"},
	}
	compareHTTP(t, files, requests, map[string]string{
		"g flag, second (GET /store/gx/a)":                       statelessRegExp,
		"y flag, second (GET /store/sticky)":                     statelessRegExp,
		"bad percent-encoding in a param (GET /store/items/%zz)": "Go's HTTP server refuses a request target that is not valid percent-encoding with 400 before any project code runs; Medusa's router throws and answers 500",
		"thrown string (GET /errors/string)":                     "Medusa's error handler itself fails on a thrown string (the 'in' operator on a string) and Express answers 500 with an HTML stack trace; medusa-ls answers Medusa's JSON 500",
		"malformed JSON (POST /validated)":                       "the status and type are Medusa's; the message is goja's JSON.parse wording, not V8's",
	})
}

// statelessRegExp is why medusa-ls differs from Medusa for a RegExp matcher with the g or y
// flag: Express tests it with exec, which keeps lastIndex, so in Medusa the middleware runs on
// every other request; medusa-ls matches the same every time and warns about the flag.
const statelessRegExp = "a RegExp matcher with g or y matches every request in medusa-ls (Express keeps lastIndex and skips every other one); a warning says so"

const eventsTrail = `// Subscribers record when they start; each then yields to a timer before it ends.
const starts = []
let ended = 0
module.exports = {
  starts,
  async run(name, event, args) {
    const md = event.metadata || {}
    starts.push([name, event.name, event.data && event.data.i, Object.keys(event).sort(), Object.keys(md).sort(),
      typeof md.created_at, typeof md.published_at, md.eventGroupId ?? null, Object.keys(args).sort()])
    await new Promise((r) => setTimeout(r, 0))
    ended++
  },
  ends: () => ended,
}
`

func eventsSubscriber(fn, event, context string) string {
	return fmt.Sprintf(`const trail = require("../lib/trail")
exports.default = async function %s(args) { await trail.run(%q, args.event, args) }
exports.config = { event: %s%s }
`, fn, fn, event, context)
}

const eventsDriver = `// The emits both runtimes run, on the bus they give: single messages, arrays, a group held
// and released, events only "*" hears. It waits until every handler has ended and returns
// the order in which they started.
const trail = require("./trail")
exports.run = async function run(eventBus) {
  const m = (name, i, group) => ({ name, data: { i }, ...(group ? { metadata: { eventGroupId: group } } : {}) })
  let expected = 0
  const count = (name) => { expected += name === "order.placed" || name === "order.shipped" ? 3 : 1 }
  const emit = async (msgs) => { for (const x of [].concat(msgs)) if (!x.metadata) count(x.name); await eventBus.emit(msgs) }
  await emit(m("order.placed", 1))
  await emit(m("order.shipped", 2))
  await emit([m("order.placed", 3), m("order.shipped", 4), m("order.placed", 5)])
  const group = []
  for (let i = 100; i < 112; i++) group.push(m(i % 3 ? "order.placed" : "order.shipped", i, "g1"))
  await emit(group)
  await emit(m("other.thing", 6))
  for (const x of group) count(x.name)
  await eventBus.releaseGroupedEvents("g1")
  await emit([m("order.shipped", 7), m("other.thing", 8)])
  await emit(m("dropped", 9, "g2"))
  await eventBus.clearGroupedEvents("g2")
  while (trail.ends() < expected) await new Promise((r) => setTimeout(r, 1))
  return trail.starts
}
`

// TestEventOrderMatchesMedusa loads the same subscribers with Medusa's SubscriberLoader on
// @medusajs/event-bus-local and in the embedded runtime, runs the same emits, and compares the
// order in which the handlers started.
func TestEventOrderMatchesMedusa(t *testing.T) {
	dir := oracle.Project(t, map[string]string{
		"medusa-config.js":               "module.exports = { projectConfig: { http: {} } }\n",
		"run-events.js":                  readTestdata(t, "run-events.js"),
		"src/lib/trail.js":               eventsTrail,
		"src/lib/driver.js":              eventsDriver,
		"src/subscribers/a-both.js":      eventsSubscriber("aBoth", `["order.placed", "order.shipped"]`, ""),
		"src/subscribers/b-star.js":      eventsSubscriber("bStar", `"*"`, ""),
		"src/subscribers/c-shipped.js":   eventsSubscriber("cShipped", `"order.shipped"`, ""),
		"src/subscribers/d-placed.js":    eventsSubscriber("dPlaced", `"order.placed"`, `, context: { subscriberId: "dee" }`),
		"src/api/oracle/events/route.js": "exports.GET = async (req, res) => { res.json({ trail: await require(\"../../../lib/driver\").run(req.scope.resolve(\"event_bus\")) }) }\n",
	})
	out := string(oracle.Node(t, dir, "run-events.js"))
	i := strings.LastIndex(out, "@@trail ")
	if i < 0 {
		t.Fatalf("node printed no trail: %s", out)
	}
	var medusa []any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out[i+len("@@trail "):])), &medusa); err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	srv := oracleApp(t, dir)
	embedded, _ := getJSON(t, srv.URL+"/oracle/events")["trail"].([]any)
	var cases []oracle.Case
	for k := range max(len(medusa), len(embedded)) {
		var m, e any
		if k < len(medusa) {
			m = medusa[k]
		}
		if k < len(embedded) {
			e = embedded[k]
		}
		cases = append(cases, oracle.Case{Name: fmt.Sprintf("handler start #%d", k+1), Medusa: m, Embedded: e})
	}
	oracle.Compare(t, cases, nil)
}
