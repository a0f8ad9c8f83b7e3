package embedded

import (
	"strings"
	"testing"
)

// queryConfigMiddlewares validate the query of each /…/ql* route with a different query config.
const queryConfigMiddlewares = `const { defineMiddlewares, validateAndTransformQuery } = require("@medusajs/framework/http")
const { z } = require("@medusajs/framework/zod")
const schema = z.object({ fields: z.string().optional(), limit: z.coerce.number().optional(), offset: z.coerce.number().optional(), order: z.string().optional(), q: z.string().optional(), with_deleted: z.string().optional() })
const vq = (config) => validateAndTransformQuery(schema, config)
exports.default = defineMiddlewares({
  routes: [
    { matcher: "/store/ql", method: "GET", middlewares: [vq({ defaults: ["id", "title", "variants.sku", "*options"], isList: true, defaultLimit: 20 })] },
    { matcher: "/store/ql-limit1", method: "GET", middlewares: [vq({ defaults: ["id"], isList: true, storeRelationsLimit: 1 })] },
    { matcher: "/admin/ql-allowed", method: "GET", middlewares: [vq({ defaults: ["id", "title"], allowed: ["id", "title", "handle", "variants", "variants.sku"], isList: true })] },
    { matcher: "/admin/qr", method: "GET", middlewares: [vq({ defaults: ["id", "title", "*variants"] })] },
    { matcher: "/admin/ql-disallowed", method: "GET", middlewares: [vq({ defaults: ["id"], disallowed: ["secret", /_link$/g], isList: true })] },
    { matcher: "/admin/ql-custom", method: "GET", middlewares: [(req, res, next) => { req.allowed = ["id", "name"]; next() }, vq({ defaults: ["id"], isList: true })] },
    { matcher: "/custom/ql", method: "GET", middlewares: [vq({ defaults: ["id"], isList: true })] },
  ],
})
`

// queryConfigRoute answers with everything validateAndTransformQuery set on the request.
const queryConfigRoute = `exports.GET = (req, res) => res.json({ validatedQuery: req.validatedQuery, filterableFields: req.filterableFields, queryConfig: req.queryConfig, remoteQueryConfig: req.remoteQueryConfig, listConfig: req.listConfig, retrieveConfig: req.retrieveConfig, allowed: req.allowed })
`

// TestQueryConfigMatchesMedusa compares validateAndTransformQuery's field and relation rules
// (defaults, fields replacing them, +field, -field, *relation and relation.*, allowed lists,
// /store's restricted fields and relations limit, disallowed fields, fields a middleware
// allows through req.allowed), limit, offset and order, and list versus retrieve configs,
// with Medusa's own ApiLoader and validateAndTransformQuery.
func TestQueryConfigMatchesMedusa(t *testing.T) {
	files := map[string]string{
		"medusa-config.js": `const { defineConfig } = require("@medusajs/framework/utils")
module.exports = defineConfig({ projectConfig: { http: { jwtSecret: "s", cookieSecret: "s" } } })
`,
		"src/api/middlewares.js": queryConfigMiddlewares,
	}
	for _, p := range []string{"store/ql", "store/ql-limit1", "admin/ql-allowed", "admin/qr", "admin/ql-disallowed", "admin/ql-custom", "custom/ql"} {
		files["src/api/"+p+"/route.js"] = queryConfigRoute
	}
	admin := map[string]string{"Authorization": "Bearer $ADMIN_TOKEN"}
	q := func(name, path string) httpRequest {
		r := httpRequest{Name: name, Method: "GET", Path: path}
		if strings.HasPrefix(path, "/admin/") {
			r.Headers = admin
		}
		return r
	}
	requests := []httpRequest{
		q("defaults", "/store/ql"),
		q("fields replace the defaults", "/store/ql?fields=title,handle"),
		q("+field adds", "/store/ql?fields=%2Bhandle"),
		q("space adds, as a + decoded", "/store/ql?fields=+handle"),
		q("-field removes what is under it", "/store/ql?fields=-variants"),
		q("-field removes a star relation", "/store/ql?fields=-options"),
		q("+ and - together", "/store/ql?fields=%2Bhandle,-title"),
		q("*relation", "/store/ql?fields=*categories"),
		q("relation.*", "/store/ql?fields=categories.*"),
		q("star with a plain field", "/store/ql?fields=*categories,title"),
		q("empty fields", "/store/ql?fields="),
		q("only commas", "/store/ql?fields=,,"),
		q("nested fields", "/store/ql?fields=variants.options.value,variants.sku"),
		q("limit, offset, descending order", "/store/ql?limit=5&offset=10&order=-created_at"),
		q("nested order", "/store/ql?order=variants.sku"),
		q("prototype key in order", "/store/ql?order=__proto__.polluted"),
		q("filters and with_deleted", "/store/ql?q=mug&with_deleted=true"),
		q("default limit of the config", "/store/ql?offset=3"),
		q("store restricts orders", "/store/ql?fields=orders.id,title,order.total"),
		q("store restricts a star relation", "/store/ql?fields=*orders"),
		q("relations within the store limit", "/store/ql?fields=a.b.c.d"),
		q("relations beyond the store limit", "/store/ql?fields=a.b.c.d.e,x.y"),
		q("star relation beyond the store limit", "/store/ql?fields=*a.b.c.d"),
		q("the config's own relations limit", "/store/ql-limit1?fields=a.b"),
		q("the config's own relations limit, exceeded", "/store/ql-limit1?fields=a.b.c"),
		q("allowed fields only", "/admin/ql-allowed?fields=title,secret,variants.id"),
		q("allowed star relation", "/admin/ql-allowed?fields=*variants"),
		q("allowed, with modifiers", "/admin/ql-allowed?fields=%2Bhandle,%2Bprice"),
		q("allowed order", "/admin/ql-allowed?order=-handle"),
		q("order outside the allowed list", "/admin/ql-allowed?order=price"),
		q("retrieve config", "/admin/qr"),
		q("retrieve with fields and paging", "/admin/qr?fields=%2Bhandle&limit=5&order=title"),
		q("disallowed segments and patterns", "/admin/ql-disallowed?fields=name,secret,order_link.order,nested.secret.x,SECRET,*brand_link"),
		q("disallowed, twice (stateless patterns)", "/admin/ql-disallowed?fields=a_link,b_link,c_link"),
		q("fields a middleware allows", "/admin/ql-custom?fields=name,other"),
		q("outside /store and /admin", "/custom/ql?fields=orders.id,a.b.c.d.e.f"),
		q("unknown query key", "/store/ql?nope=1"),
	}
	compareHTTP(t, files, requests, nil)
}
