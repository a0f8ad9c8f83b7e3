package embedded

import (
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
)

// BenchmarkReloadOneRoute measures one route edit in a project of many routes, and one that
// breaks it (what didSave → diagnostics waits for in the child).
func BenchmarkReloadOneRoute(b *testing.B) {
	for _, n := range []int{10, 1000} {
		for _, broken := range []bool{false, true} {
			name := fmt.Sprintf("routes=%d", n)
			if broken {
				name += "/syntax-error"
			}
			b.Run(name, func(b *testing.B) {
				app := benchApp(b, map[string]string{}, n)
				root := app.opts.Root
				target := filepath.Join(root, "src/api/gen/r0000/route.ts")
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					body := fmt.Sprintf("res.json({ v: %d })", i)
					if broken {
						body = fmt.Sprintf("res.json({ , v: %d })", i)
					}
					os.WriteFile(target, []byte(route(body)), 0o644)
					if res := app.Reload(context.Background(), []ipc.Change{{Action: ipc.ActionChange, File: target}}); res.Success == broken {
						b.Fatalf("success %v: %v", res.Success, res.Errors)
					}
				}
			})
		}
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkServeRequest measures one request through Medusa's default layers (session,
// publishable key or admin token) to a route, in process (no network).
func BenchmarkServeRequest(b *testing.B) {
	q := `res.json({ ok: true, q: req.query })`
	// With the 1,000 generated routes, each in its own layer, which a request to the last one
	// passes on its way.
	app := benchApp(b, map[string]string{"src/api/store/hello/route.ts": q, "src/api/admin/hello/route.ts": q, "src/api/custom/hello/route.ts": q}, 1000)
	c := app.Credentials()
	h := app.Handler()
	for _, tt := range []struct{ name, path, header, value string }{
		{"custom", "/custom/hello?a=1", "", ""},
		{"store with the key", "/store/hello?a=1", "x-publishable-api-key", c.PublishableKey},
		{"admin with the token", "/admin/hello?a=1", "Authorization", "Bearer " + c.AdminToken},
		{"the last of 1,000 routes", "/gen/r0999", "", ""},
		{"the first of 1,000 routes", "/gen/r0000", "", ""},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", tt.path, nil)
				if tt.header != "" {
					req.Header.Set(tt.header, tt.value)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("GET %s = %d %s", tt.path, w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkFirstRequestAfterReload measures the request that follows a route edit in a project
// of 1,000 routes: the first to run on the new table, which must not rebuild what the edit left
// as it was (the stack's layers and their index).
func BenchmarkFirstRequestAfterReload(b *testing.B) {
	app := benchApp(b, map[string]string{}, 1000)
	root := app.opts.Root
	h := app.Handler()
	get := func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/gen/r0000", nil))
		if w.Code != 200 {
			b.Fatalf("GET /gen/r0000 = %d %s", w.Code, w.Body)
		}
	}
	get()
	target := filepath.Join(root, "src/api/gen/r0000/route.ts")
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		os.WriteFile(target, []byte(route(fmt.Sprintf("res.json({ v: %d })", i))), 0o644)
		if res := app.Reload(context.Background(), []ipc.Change{{Action: ipc.ActionChange, File: target}}); !res.Success {
			b.Fatal(res.Errors)
		}
		b.StartTimer()
		get()
	}
}

// benchApp loads a project of the given route files (relative path → handler body) plus n
// generated routes, src/api/gen/rNNNN (the generated project of `make bench`).
func benchApp(b *testing.B, routes map[string]string, n int) *App {
	b.Helper()
	root := b.TempDir()
	os.WriteFile(filepath.Join(root, "medusa-config.ts"), []byte(config), 0o644)
	files := maps.Clone(routes)
	for i := range n {
		files[fmt.Sprintf("src/api/gen/r%04d/route.ts", i)] = fmt.Sprintf("res.json({ i: %d })", i)
	}
	for rel, body := range files {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(route(body)), 0o644)
	}
	app, err := New(Options{Root: root, Env: map[string]string{}, TaskTimeout: 5 * time.Second, RequestTimeout: 5 * time.Second, Output: discardWriter{}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(app.Close)
	if res := app.Load(context.Background()); !res.Success {
		b.Fatal(res.Errors)
	}
	return app
}
