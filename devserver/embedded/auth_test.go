package embedded

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestDefaultAuthAsMedusa: by default /store needs the publishable key and /admin an admin
// token, as in Medusa; the development credentials pass, come with the load's result, and fill
// req.auth_context; AUTHENTICATE = false opens a route.
func TestDefaultAuthAsMedusa(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"medusa-config.ts":               `module.exports = { projectConfig: { http: { jwtSecret: "test-secret" } } }` + "\n",
		"src/api/store/hello/route.ts":   route(`res.json({ pk: (req as any).publishable_key_context?.key?.slice(0, 3), who: (req as any).auth_context?.actor_id ?? null })`),
		"src/api/admin/stats/route.ts":   route(`res.json({ who: (req as any).auth_context.actor_id })`),
		"src/api/admin/public/route.ts":  route(`res.json({ open: true })`) + "export const AUTHENTICATE = false\n",
		"src/api/admin/context/route.ts": route(`res.json((req as any).auth_context)`),
		"src/api/store/open/route.ts":    route(`res.json({ open: true })`) + "export const AUTHENTICATE = false\n",
		"src/api/hooks/ping/route.ts":    route(`res.json({ open: true })`),
		"src/api/custom/mine/route.ts":   route(`res.json({ who: (req as any).auth_context.actor_type })`),
		"src/api/middlewares.ts": `import { defineMiddlewares, authenticate } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/custom/mine", middlewares: [authenticate("customer", "bearer")] }] })
`,
	}
	for rel, c := range files {
		writeFileT(t, root, rel, c)
	}
	out := &testutil.Buffer{}
	app, err := New(Options{Root: root, Env: map[string]string{"NODE_ENV": "development"}, TaskTimeout: 2 * time.Second,
		RequestTimeout: 5 * time.Second, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	res := app.Load(context.Background())
	if !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	c := app.Credentials()
	if !strings.HasPrefix(c.PublishableKey, "pk_") || strings.Count(c.AdminToken, ".") != 2 {
		t.Fatalf("credentials %+v", c)
	}
	if res.Credentials == nil || *res.Credentials != c || c != framework.NewDevCredentials("test-secret") {
		t.Errorf("the load's credentials %+v, the app's %+v: want those of the project's jwtSecret", res.Credentials, c)
	}
	other := framework.NewDevCredentials("")
	pk := map[string]string{"x-publishable-api-key": c.PublishableKey}
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	tests := []struct {
		name, path string
		headers    map[string]string
		status     int
		body       string
	}{
		{"store without key", "/store/hello", nil, 400, `{"type":"not_allowed","message":"Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard."}`},
		{"store with another key", "/store/hello", map[string]string{"x-publishable-api-key": "pk_other"}, 400, `"message":"A valid publishable key is required to proceed with the request"`},
		{"store with the key", "/store/hello", pk, 200, `{"pk":"pk_","who":null}`},
		{"store with the key and a customer", "/store/hello", merge(pk, bearer(c.CustomerToken)), 200, `{"pk":"pk_","who":"cus_medusa_ls_dev"}`},
		{"admin without token", "/admin/stats", nil, 401, `{"message":"Unauthorized"}`},
		{"admin with a customer token", "/admin/stats", bearer(c.CustomerToken), 401, `{"message":"Unauthorized"}`},
		{"admin with a token signed elsewhere", "/admin/stats", bearer(c.AdminToken[:len(c.AdminToken)-2] + "xx"), 401, `{"message":"Unauthorized"}`},
		{"admin with the admin token", "/admin/stats", bearer(c.AdminToken), 200, `{"who":"user_medusa_ls_dev"}`},
		{"admin with a token of the default secret", "/admin/stats", bearer(other.AdminToken), 401, `{"message":"Unauthorized"}`},
		{"admin: auth_context as Medusa fills it", "/admin/context", bearer(c.AdminToken), 200,
			`{"actor_id":"user_medusa_ls_dev","actor_type":"user","auth_identity_id":"authid_medusa_ls_dev_user","auth_provider":"emailpass","mfa_enabled":false,"mfa_challenge_completed_at":null,"app_metadata":{"user_id":"user_medusa_ls_dev"},"user_metadata":{},"iat":1735689600}`},
		{"store route with AUTHENTICATE = false still needs the key", "/store/open", nil, 400, `"type":"not_allowed"`},
		{"store route with AUTHENTICATE = false and the key", "/store/open", pk, 200, `{"open":true}`},
		{"a route outside /store and /admin", "/hooks/ping", nil, 200, `{"open":true}`},
		{"admin route with AUTHENTICATE = false", "/admin/public", nil, 200, `{"open":true}`},
		{"authenticate() without token", "/custom/mine", nil, 401, `{"message":"Unauthorized"}`},
		{"authenticate() with a customer", "/custom/mine", bearer(c.CustomerToken), 200, `{"who":"customer"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) {
				t.Fatalf("GET %s = %d %s; want %d containing %s", tt.path, resp.StatusCode, b, tt.status, tt.body)
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func writeFileT(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestJWTSecretAsMedusa: the secret the credentials are signed with, and authenticate()
// checks, is found where Medusa finds it: projectConfig.http.jwtSecret, else JWT_SECRET (through
// defineConfig, or the config manager's fallback for a plain object), else "supersecret".
func TestJWTSecretAsMedusa(t *testing.T) {
	tests := []struct {
		name, config string
		env          map[string]string
		secret       string
	}{
		{"configured", `module.exports = { projectConfig: { http: { jwtSecret: "cfg" } } }`, map[string]string{"JWT_SECRET": "env"}, "cfg"},
		{"defineConfig reads JWT_SECRET", `const { defineConfig } = require("@medusajs/framework/utils")
module.exports = defineConfig({ projectConfig: { http: {} } })`, map[string]string{"JWT_SECRET": "env"}, "env"},
		{"plain object falls back to JWT_SECRET", `module.exports = { projectConfig: { http: {} } }`, map[string]string{"JWT_SECRET": "env"}, "env"},
		{"nothing set", `const { defineConfig } = require("@medusajs/framework/utils")
module.exports = defineConfig({})`, nil, framework.DefaultJWTSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFileT(t, root, "medusa-config.js", tt.config+"\n")
			writeFileT(t, root, "src/api/admin/who/route.ts", route(`res.json({ who: (req as any).auth_context.actor_id })`))
			env := map[string]string{"NODE_ENV": "development"}
			for k, v := range tt.env {
				env[k] = v
			}
			app, err := New(Options{Root: root, Env: env, TaskTimeout: 2 * time.Second, RequestTimeout: 5 * time.Second, Output: &testutil.Buffer{}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(app.Close)
			if res := app.Load(context.Background()); !res.Success {
				t.Fatalf("load: %+v", res.Errors)
			}
			want := framework.NewDevCredentials(tt.secret)
			if got := app.Credentials(); got != want {
				t.Fatalf("credentials are not those of the secret %q", tt.secret)
			}
			srv := httptest.NewServer(app.Handler())
			t.Cleanup(srv.Close)
			req, _ := http.NewRequest("GET", srv.URL+"/admin/who", nil)
			req.Header.Set("Authorization", "Bearer "+want.AdminToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != `{"who":"user_medusa_ls_dev"}` {
				t.Fatalf("GET /admin/who with the admin token = %d %s", resp.StatusCode, b)
			}
		})
	}
}

// TestSessionAuthAsMedusa: POST /auth/session with a bearer token keeps its auth context in an
// express-session cookie (connect.sid, signed with cookieSecret, HttpOnly), which then
// authenticates /admin and /store requests as Medusa's "session" auth type does; DELETE
// /auth/session ends it. A forged or unknown cookie authenticates nothing.
func TestSessionAuthAsMedusa(t *testing.T) {
	root := t.TempDir()
	for rel, c := range map[string]string{
		"medusa-config.ts":             `module.exports = { projectConfig: { http: { jwtSecret: "test-secret", cookieSecret: "cookie-secret", authCors: "http://auth.test" } } }` + "\n",
		"src/api/admin/stats/route.ts": route(`res.json({ who: (req as any).auth_context.actor_id })`),
		"src/api/store/hello/route.ts": route(`res.json({ who: (req as any).auth_context?.actor_id ?? null })`),
		"src/api/custom/big/route.ts":  route(`(req as any).session.big = "x".repeat(Number(req.query.n)); res.json({ ok: true })`),
	} {
		writeFileT(t, root, rel, c)
	}
	app, err := New(Options{Root: root, Env: map[string]string{"NODE_ENV": "development"}, TaskTimeout: 2 * time.Second, RequestTimeout: 5 * time.Second, Output: &testutil.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	if res := app.Load(context.Background()); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	c := app.Credentials()
	do := func(method, path string, h map[string]string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	cookieRe := regexp.MustCompile(`^connect\.sid=(s%3A[A-Za-z0-9_-]{32}\.[A-Za-z0-9+/%]+); Path=/; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; HttpOnly$`)
	login := func(token string) string {
		t.Helper()
		code, body, h := do("POST", "/auth/session", map[string]string{"Authorization": "Bearer " + token})
		m := cookieRe.FindStringSubmatch(h.Get("Set-Cookie"))
		if code != 200 || !strings.HasPrefix(body, `{"user":{"actor_id":`) || m == nil {
			t.Fatalf("POST /auth/session = %d %s, Set-Cookie %q", code, body, h.Get("Set-Cookie"))
		}
		return "connect.sid=" + m[1]
	}
	admin := login(c.AdminToken)
	customer := login(c.CustomerToken)
	pk := c.PublishableKey
	for _, tt := range []struct {
		name, method, path string
		headers            map[string]string
		status             int
		body               string
		setsCookie         bool
	}{
		{"admin route with the admin session", "GET", "/admin/stats", map[string]string{"Cookie": admin}, 200, `{"who":"user_medusa_ls_dev"}`, false},
		{"admin route with a customer session", "GET", "/admin/stats", map[string]string{"Cookie": customer}, 401, `{"message":"Unauthorized"}`, false},
		{"store route with the customer session", "GET", "/store/hello", map[string]string{"Cookie": customer, "x-publishable-api-key": pk}, 200, `{"who":"cus_medusa_ls_dev"}`, false},
		{"forged signature", "GET", "/admin/stats", map[string]string{"Cookie": admin[:len(admin)-3] + "abc"}, 401, `{"message":"Unauthorized"}`, false},
		{"unsigned cookie", "GET", "/admin/stats", map[string]string{"Cookie": "connect.sid=" + strings.TrimPrefix(strings.SplitN(admin, ".", 2)[0], "connect.sid=s%3A")}, 401, `{"message":"Unauthorized"}`, false},
		{"POST /auth/session without a token", "POST", "/auth/session", nil, 401, `{"message":"Unauthorized"}`, false},
		{"DELETE /auth/session without a session", "DELETE", "/auth/session", nil, 401, `{"message":"Unauthorized"}`, false},
		{"preflight for /auth/session", "OPTIONS", "/auth/session", map[string]string{"Origin": "http://auth.test", "Access-Control-Request-Method": "POST"}, 204, ``, false},
		{"a session within the size limit", "GET", "/custom/big?n=1000", nil, 200, `{"ok":true}`, true},
		{"a session over the size limit", "GET", "/custom/big?n=70000", nil, 400, `"message":"a session holds at most 65536 bytes"`, false},
		{"DELETE /auth/session", "DELETE", "/auth/session", map[string]string{"Cookie": admin}, 200, `{"success":true}`, true},
		{"the ended session", "GET", "/admin/stats", map[string]string{"Cookie": admin}, 401, `{"message":"Unauthorized"}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body, h := do(tt.method, tt.path, tt.headers)
			if code != tt.status || !strings.Contains(body, tt.body) {
				t.Fatalf("%s %s = %d %s; want %d containing %s", tt.method, tt.path, code, body, tt.status, tt.body)
			}
			if got := h.Get("Set-Cookie"); (got != "") != tt.setsCookie {
				t.Errorf("Set-Cookie %q", got)
			}
			if tt.method == "OPTIONS" && h.Get("Access-Control-Allow-Origin") != "http://auth.test" {
				t.Errorf("preflight headers %v", h)
			}
			if tt.method == "DELETE" && code == 200 && !strings.HasPrefix(h.Get("Set-Cookie"), "connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
				t.Errorf("the cookie is not cleared: %q", h.Get("Set-Cookie"))
			}
		})
	}
}
