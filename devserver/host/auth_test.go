package host

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestDefaultAuthAsMedusa: with RequireAuth, /store needs the publishable key and /admin an
// admin token, as Medusa's defaults; the development credentials pass, are printed once, and
// fill req.auth_context; AUTHENTICATE = false opens a route.
func TestDefaultAuthAsMedusa(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"medusa-config.ts":              `module.exports = { projectConfig: { http: { jwtSecret: "test-secret" } } }` + "\n",
		"src/api/store/hello/route.ts":  route(`res.json({ pk: (req as any).publishable_key_context?.key?.slice(0, 3), who: (req as any).auth_context?.actor_id ?? null })`),
		"src/api/admin/stats/route.ts":  route(`res.json({ who: (req as any).auth_context.actor_id })`),
		"src/api/admin/public/route.ts": route(`res.json({ open: true })`) + "export const AUTHENTICATE = false\n",
		"src/api/custom/mine/route.ts":  route(`res.json({ who: (req as any).auth_context.actor_type })`),
		"src/api/middlewares.ts": `import { defineMiddlewares, authenticate } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/custom/mine", middlewares: [authenticate("customer", "bearer")] }] })
`,
	}
	for rel, c := range files {
		writeFileT(t, root, rel, c)
	}
	out := &testutil.Buffer{}
	app, err := New(Options{Root: root, Env: map[string]string{"NODE_ENV": "development"}, TaskTimeout: 2 * time.Second,
		RequestTimeout: 5 * time.Second, Output: out, RequireAuth: true})
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
	if !strings.HasPrefix(c.PublishableKey, "pk_") || strings.Count(c.AdminToken, ".") != 2 {
		t.Fatalf("credentials %+v", c)
	}
	if got := out.String(); !strings.Contains(got, c.PublishableKey) || !strings.Contains(got, c.AdminToken) {
		t.Errorf("the credentials are not printed:\n%s", got)
	}
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
