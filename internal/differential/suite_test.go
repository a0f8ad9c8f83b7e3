package differential_test

// suite is what both runtimes receive, in this order. Trail counts say how many trail entries
// to wait for, not what they hold: that is compared.
func suite() []step {
	get := func(name, path string) step {
		return step{Name: name, Request: &request{Name: name, Method: "GET", Path: path}}
	}
	with := func(name, method, path string, headers map[string]string, body string) step {
		return step{Name: name, Request: &request{Name: name, Method: method, Path: path, Headers: headers, Body: body}}
	}
	admin := map[string]string{"Authorization": "Bearer $ADMIN"}
	preflight := func(origin, method, hdrs string) map[string]string {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if hdrs != "" {
			h["Access-Control-Request-Headers"] = hdrs
		}
		return h
	}
	wf := func(name, workflow, input string, trail int) step {
		return step{Name: name, Request: &request{Name: name, Method: "POST", Path: "/diff/wf/" + workflow, Body: input}, Trail: trail}
	}
	return []step{
		// Routes, params, bodies, middlewares (strings, params, RegExps, methods).
		get("store route with a param", "/store/diff/items/prod_1?a=1&a=2&b[c]=3"),
		with("store POST with a body", "POST", "/store/diff/items/prod_2", nil, `{"qty":2,"tags":["x"]}`),
		with("store DELETE", "DELETE", "/store/diff/items/prod_3", nil, ""),
		get("store unknown route", "/store/diff/nothing"),
		with("store method not served", "PUT", "/store/diff/items/prod_1", nil, `{}`),
		get("custom prefix and RegExp matchers", "/custom/diff/rabc"),
		get("custom route GET", "/custom/diff/x?q=1"),
		with("custom route POST, method matcher", "POST", "/custom/diff/x", nil, `{"n":1}`),
		get("g-flag RegExp matcher, first", "/store/diff/gx/a"),
		get("g-flag RegExp matcher, second", "/store/diff/gx/a"),
		get("g-flag RegExp matcher, third", "/store/diff/gx/a"),
		// Publishable key, authentication.
		{Name: "store without the key", Request: &request{Method: "GET", Path: "/store/diff/plain", NoKey: true}},
		with("store with an unknown key", "GET", "/store/diff/plain", map[string]string{"x-publishable-api-key": "pk_unknown"}, ""),
		get("admin without a token", "/admin/diff/secure"),
		with("admin with the admin token", "GET", "/admin/diff/secure", admin, ""),
		with("admin with a forged token", "GET", "/admin/diff/secure", map[string]string{"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJhY3Rvcl9pZCI6InUifQ.x"}, ""),
		with("admin with a secret key as bearer", "GET", "/admin/diff/secure", map[string]string{"Authorization": "Bearer sk_123"}, ""),
		get("admin AUTHENTICATE = false", "/admin/diff/open"),
		// Sessions: POST /auth/session with a token, then the cookie alone.
		{Name: "session login with the admin token", Request: &request{Method: "POST", Path: "/auth/session", Headers: admin, Pick: "user.actor_type"}},
		with("admin route with the session cookie", "GET", "/admin/diff/secure", map[string]string{"Cookie": "$SESSION"}, ""),
		with("admin route with a forged session cookie", "GET", "/admin/diff/secure", map[string]string{"Cookie": "connect.sid=s%3Aabc.def"}, ""),
		with("session preflight", "OPTIONS", "/auth/session", preflight("http://localhost:9000", "POST", "content-type"), ""),
		with("session preflight from another origin", "OPTIONS", "/auth/session", preflight("http://localhost:8000", "DELETE", ""), ""),
		with("logout", "DELETE", "/auth/session", map[string]string{"Cookie": "$SESSION", "Origin": "http://localhost:9000"}, ""),
		with("admin route after the logout", "GET", "/admin/diff/secure", map[string]string{"Cookie": "$SESSION"}, ""),
		with("logout without a session", "DELETE", "/auth/session", nil, ""),
		with("session login without a token", "POST", "/auth/session", nil, ""),
		// CORS and OPTIONS.
		with("store CORS, allowed origin", "GET", "/store/diff/plain", map[string]string{"Origin": "http://localhost:8000"}, ""),
		with("store CORS, other origin", "GET", "/store/diff/plain", map[string]string{"Origin": "http://evil.test"}, ""),
		with("store preflight", "OPTIONS", "/store/diff/items/prod_1", preflight("http://localhost:8000", "POST", "content-type,x-publishable-api-key"), ""),
		with("store preflight for a method not served", "OPTIONS", "/store/diff/items/prod_1", preflight("http://localhost:8000", "PATCH", ""), ""),
		with("store CORS = false, preflight", "OPTIONS", "/store/diff/nocors", preflight("http://localhost:8000", "GET", ""), ""),
		with("store CORS = false, request", "GET", "/store/diff/nocors", map[string]string{"Origin": "http://localhost:8000"}, ""),
		with("admin preflight", "OPTIONS", "/admin/diff/secure", preflight("http://localhost:9000", "GET", "authorization"), ""),
		with("OPTIONS on a custom route", "OPTIONS", "/custom/diff/x", nil, ""),
		with("OPTIONS on a custom route with an origin", "OPTIONS", "/custom/diff/x", preflight("http://localhost:8000", "GET", ""), ""),
		// Errors.
		get("MedusaError not_found", "/diff/errors/not_found"),
		get("MedusaError invalid_data", "/diff/errors/invalid_data"),
		get("MedusaError not_allowed", "/diff/errors/not_allowed"),
		get("MedusaError unauthorized", "/diff/errors/unauthorized"),
		get("MedusaError duplicate_error", "/diff/errors/duplicate_error"),
		get("MedusaError conflict", "/diff/errors/conflict"),
		get("MedusaError invalid_argument", "/diff/errors/invalid_argument"),
		get("MedusaError payment_authorization_error", "/diff/errors/payment_authorization_error"),
		get("MedusaError unexpected_state", "/diff/errors/unexpected_state"),
		get("MedusaError db_error", "/diff/errors/database_error"),
		get("MedusaError forbidden", "/diff/errors/forbidden"),
		get("MedusaError payment_requires_more_error", "/diff/errors/payment_requires_more_error"),
		get("MedusaError of an unknown type", "/diff/errors/weird_type"),
		get("plain Error", "/diff/errors/plain"),
		get("Error with a statusCode", "/diff/errors/status"),
		get("ZodError thrown by a handler", "/diff/errors/zod"),
		// Validators (zod), query config.
		with("valid body", "POST", "/diff/validated", nil, `{"name":"mug","qty":2,"kind":"a"}`),
		with("body with problems", "POST", "/diff/validated", nil, `{"name":1,"qty":0,"kind":"z","extra":1}`),
		with("malformed JSON body", "POST", "/diff/validated", nil, `{"name":`),
		get("query config defaults", "/diff/query"),
		get("query config fields and order", "/diff/query?fields=%2Bhandle,-title,secret&order=-title&limit=5&q=mug"),
		get("query config order not allowed", "/diff/query?order=price"),
		get("query unknown key", "/diff/query?zzz=1"),
		// Modules with options and a loader (awilix asValue).
		get("module with options", "/diff/module?name=ada"),
		with("module option keys", "POST", "/diff/module", nil, `{}`),
		// Query strings as qs parses them (depth, arrays, prototype keys).
		get("query: prototype key", "/custom/diff/x?__proto__[polluted]=yes&a=1"),
		get("query: after a prototype key", "/custom/diff/x?check=1"),
		get("query: toString key", "/custom/diff/x?toString=x"),
		get("query: nested past the depth", "/custom/diff/x?a[b][c][d][e][f][g]=deep"),
		get("query: array index past the limit", "/custom/diff/x?arr[25]=x&arr[1]=y"),
		get("query: arrays and objects", "/custom/diff/x?l[]=1&l[]=2&o[k]=v&s=a,b&e=&n"),
		get("query: encoded keys and values", "/custom/diff/x?%61=%62&c%5Bd%5D=%E2%9C%93&plus=a+b"),
		with("urlencoded body", "POST", "/custom/diff/x", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a[b]=1&__proto__[x]=2&c=3&c=4"),
		with("text body", "POST", "/custom/diff/x", map[string]string{"Content-Type": "text/plain"}, "just text"),
		// Node built-ins.
		with("node built-ins", "POST", "/diff/node", nil, `{"x":1}`),
		// Response helpers, HEAD.
		get("res.send text", "/custom/diff/resp/text"),
		get("res.sendStatus", "/custom/diff/resp/empty"),
		get("res.status().end()", "/custom/diff/resp/end"),
		get("res.redirect", "/custom/diff/resp/redirect"),
		get("res.type and res.set", "/custom/diff/resp/typed"),
		get("res.status(201).json", "/custom/diff/resp/created"),
		get("res.json of an array", "/custom/diff/resp/array"),
		with("HEAD of a GET route", "HEAD", "/custom/diff/resp/created", nil, ""),
		// /auth CORS.
		with("auth preflight", "OPTIONS", "/auth/diff", preflight("http://localhost:9000", "POST", "content-type"), ""),
		with("auth POST with an origin", "POST", "/auth/diff", map[string]string{"Origin": "http://localhost:9000"}, `{"a":1}`),
		with("auth POST from another origin", "POST", "/auth/diff", map[string]string{"Origin": "http://localhost:8000"}, `{"a":1}`),
		// Subscribers: order and failures.
		{Name: "emit diff.one", Emit: []string{"diff.one", `{"id":1}`}, Trail: 3},
		{Name: "emit diff.two", Emit: []string{"diff.two", `{"id":2}`}, Trail: 3},
		{Name: "emit diff.fail", Emit: []string{"diff.fail", `{"id":3}`}, Trail: 2},
		{Name: "emit an event nobody listens to", Emit: []string{"diff.none", `{}`}},
		{Name: "route emits one, an array, one", Request: &request{Method: "POST", Path: "/diff/events",
			Body: `{"emit":[{"name":"diff.one","data":{"n":1}},[{"name":"diff.two","data":{"n":2}},{"name":"diff.one","data":{"n":3}}],{"name":"diff.two","data":{"n":4}}]}`}, Trail: 15},
		{Name: "grouped events released", Request: &request{Method: "POST", Path: "/diff/events",
			Body: `{"group":"g1","release":true,"emit":[{"name":"diff.one","data":{"n":100}},{"name":"diff.one","data":{"n":101}}]}`}, Trail: 6},
		{Name: "grouped events cleared", Request: &request{Method: "POST", Path: "/diff/events",
			Body: `{"group":"g2","release":false,"emit":[{"name":"diff.one","data":{"n":200}}]}`}},
		{Name: "trail after cleared events", Request: &request{Method: "GET", Path: "/diff/ping"}, Trail: 0},
		{Name: "nothing left in the trail", Request: &request{Method: "GET", Path: "/diff/trail"}},
		// Jobs.
		{Name: "run-job diff-job", Job: "diff-job", Trail: 1},
		{Name: "run-job diff-job again", Job: "diff-job", Trail: 1},
		{Name: "run-job unknown", Job: "no-such-job"},
		// Workflows.
		wf("workflow succeeds", "diff-checkout", `{"qty":2,"price":5,"amount":10}`, 0),
		wf("workflow step fails: compensation", "diff-checkout", `{"qty":2,"price":5,"fail":true}`, 0),
		wf("when, true", "diff-when", `{"vip":true,"points":3}`, 0),
		wf("when, false", "diff-when", `{"vip":false,"points":3}`, 0),
		wf("parallelize succeeds", "diff-parallel", `{"n":1}`, 0),
		wf("parallelize then a failure", "diff-parallel", `{"n":1,"fail":true}`, 0),
		wf("nested workflow", "diff-nested", `{"qty":1,"price":3}`, 0),
		wf("nested workflow, failure after it", "diff-nested", `{"qty":1,"price":3,"failAfter":true}`, 0),
		wf("permanent failure", "diff-permanent", `{"qty":1}`, 0),
		wf("retries then succeeds", "diff-retry", `{"okAt":3}`, 0),
		wf("retries exhausted", "diff-retry", `{"okAt":9}`, 0),
		wf("skip", "diff-skip", `{"skip":true}`, 0),
		wf("skip then a failure", "diff-skip", `{"skip":true,"fail":true}`, 0),
		wf("skip returned as it is", "diff-skip-raw", `{"skip":true}`, 0),
		wf("skip returned as it is, then a failure", "diff-skip-raw", `{"skip":true,"fail":true}`, 0),
		wf("no skip, then a failure", "diff-skip-raw", `{"skip":false,"fail":true}`, 0),
		wf("retryInterval: run returns", "diff-retry-interval", `{"okAt":2}`, 0),
		{Name: "retryInterval: the retry, later", Request: &request{Method: "GET", Path: "/diff/ping"}, Trail: 1},
		wf("retryInterval exhausted: run returns", "diff-retry-interval", `{"okAt":9}`, 0),
		{Name: "retryInterval exhausted: later", Request: &request{Method: "GET", Path: "/diff/ping"}, Trail: 2},
	}
}
