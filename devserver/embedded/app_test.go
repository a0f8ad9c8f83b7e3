package embedded

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

const config = `import { defineConfig, loadEnv } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())
module.exports = defineConfig({ projectConfig: { http: { storeCors: "http://localhost:8000" } } })
`

type fixture struct {
	t    *testing.T
	root string
	app  *App
	srv  *httptest.Server
	out  *testutil.Buffer

	mu       sync.Mutex
	runtime  []reloaders.RuntimeError
	reported testutil.Signal // notified after each runtime error
}

// newFixture loads files as a project in an App whose TaskTimeout is 300 ms, so that runaway
// code is interrupted quickly; configure changes the options (a test that is not about runaway
// code sets a timeout a loaded machine cannot reach).
func newFixture(t *testing.T, files map[string]string, configure ...func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, root: t.TempDir(), out: &testutil.Buffer{}}
	f.write("medusa-config.ts", config)
	for rel, c := range files {
		f.write(rel, c)
	}
	opts := Options{Root: f.root, Env: map[string]string{"NODE_ENV": "development"}, TaskTimeout: 300 * time.Millisecond,
		RequestTimeout: 5 * time.Second, Output: f.out, OnRuntimeError: func(e reloaders.RuntimeError) {
			f.mu.Lock()
			f.runtime = append(f.runtime, e)
			f.mu.Unlock()
			f.reported.Notify()
		}}
	for _, c := range configure {
		c(&opts)
	}
	app, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	t.Cleanup(app.Close)
	return f
}

func (f *fixture) load() ipc.Result {
	f.t.Helper()
	res := f.app.Load(context.Background())
	f.srv = httptest.NewServer(f.app.Handler())
	f.t.Cleanup(f.srv.Close)
	return res
}

func (f *fixture) path(rel string) string { return filepath.Join(f.root, filepath.FromSlash(rel)) }

func (f *fixture) write(rel, content string) {
	f.t.Helper()
	p := f.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) reload(action ipc.Action, rels ...string) ipc.Result {
	f.t.Helper()
	var cs []ipc.Change
	for _, r := range rels {
		cs = append(cs, ipc.Change{Action: action, File: f.path(r)})
	}
	return f.app.Reload(context.Background(), cs)
}

func (f *fixture) get(method, path, body string) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	// As a storefront does: /store routes require the key (TestDefaultAuthAsMedusa).
	req.Header.Set("x-publishable-api-key", f.app.Credentials().PublishableKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *fixture) expect(method, path, body string, status int, want string) {
	f.t.Helper()
	code, got := f.get(method, path, body)
	if code != status || !strings.Contains(got, want) {
		f.t.Fatalf("%s %s = %d %s; want %d containing %q", method, path, code, got, status, want)
	}
}

func route(body string) string {
	return `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  ` + body + `
}
`
}

func TestServeRouteParamsBodyAndMiddleware(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/api/store/hello/route.ts":      route(`res.json({ message: "hello", q: req.query })`),
		"src/api/store/items/[id]/route.ts": route(`res.json({ id: req.params.id, mw: (req as any).seen })`),
		"src/api/store/items/route.ts":      `export const POST = async (req: any, res: any) => { res.status(201).json({ got: req.body }) }` + "\n",
		"src/api/middlewares.ts": `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/store/items/*", middlewares: [(req: any, res: any, next: any) => { req.seen = "yes"; next() }] }] })
`,
	})
	if res := f.load(); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	f.expect("GET", "/store/hello?a=1&a=2&b[c]=3", "", 200, `{"message":"hello","q":{"a":["1","2"],"b":{"c":"3"}}}`)
	f.expect("GET", "/store/items/Prod_1", "", 200, `{"id":"Prod_1","mw":"yes"}`)
	f.expect("GET", "/STORE/Hello/", "", 200, `"message":"hello"`)
	f.expect("POST", "/store/items", `{"n":1}`, 201, `{"got":{"n":1}}`)
	f.expect("POST", "/store/items", `{bad json`, 400, `"type":"invalid_data"`)
	f.expect("GET", "/store/nothing", "", 404, "Cannot GET /store/nothing")
	f.expect("DELETE", "/store/hello", "", 404, "Cannot DELETE /store/hello")
	f.expect("GET", "/health", "", 200, "OK")
}

func TestEditAddDeleteRoute(t *testing.T) {
	f := newFixture(t, map[string]string{"src/api/store/hello/route.ts": route(`res.json({ v: 1 })`)})
	f.load()
	f.expect("GET", "/store/hello", "", 200, `{"v":1}`)

	f.write("src/api/store/hello/route.ts", route(`res.json({ v: 2 })`))
	res := f.reload(ipc.ActionChange, "src/api/store/hello/route.ts")
	if !res.Success || !res.Applied || len(res.Reloaded) != 1 || res.Reloaded[0].Name != "GET /store/hello" {
		t.Fatalf("reload: %+v", res)
	}
	f.expect("GET", "/store/hello", "", 200, `{"v":2}`)

	f.write("src/api/store/new/route.ts", route(`res.json({ fresh: true })`))
	f.reload(ipc.ActionAdd, "src/api/store/new/route.ts")
	f.expect("GET", "/store/new", "", 200, `{"fresh":true}`)

	os.Remove(f.path("src/api/store/new/route.ts"))
	res = f.reload(ipc.ActionUnlink, "src/api/store/new/route.ts")
	if !res.Success || len(res.Removed) != 1 {
		t.Fatalf("unlink: %+v", res)
	}
	f.expect("GET", "/store/new", "", 404, "Cannot GET")
}

// TestHandlerSwapsAcrossManyRoutes: saves that only change handlers swap them into the live
// stack; past 256 swapped layers the stack is rebuilt with them in place. Every route serves
// its own latest handler before, across and after that.
func TestHandlerSwapsAcrossManyRoutes(t *testing.T) {
	const n = 300
	files := map[string]string{}
	rel := func(i int) string { return fmt.Sprintf("src/api/custom/r%03d/route.ts", i) }
	for i := range n {
		files[rel(i)] = route(fmt.Sprintf("res.json({ i: %d, v: 0 })", i))
	}
	f := newFixture(t, files)
	if res := f.load(); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	check := func(v func(i int) int) {
		t.Helper()
		for _, i := range []int{0, 1, 128, 255, 256, 299} {
			f.expect("GET", fmt.Sprintf("/custom/r%03d", i), "", 200, fmt.Sprintf(`{"i":%d,"v":%d}`, i, v(i)))
		}
	}
	// One save at a time for the first 200 routes, then the other 100 in one batch: 300
	// swapped layers, past the 256 the overlay holds.
	for i := range 200 {
		f.write(rel(i), route(fmt.Sprintf("res.json({ i: %d, v: 1 })", i)))
		if res := f.reload(ipc.ActionChange, rel(i)); !res.Success {
			t.Fatalf("reload %d: %+v", i, res)
		}
	}
	check(func(i int) int { return map[bool]int{true: 1, false: 0}[i < 200] })
	var batch []string
	for i := 200; i < n; i++ {
		f.write(rel(i), route(fmt.Sprintf("res.json({ i: %d, v: 1 })", i)))
		batch = append(batch, rel(i))
	}
	if res := f.reload(ipc.ActionChange, batch...); !res.Success || len(res.Reloaded) != 100 {
		t.Fatalf("batch: %+v", res)
	}
	check(func(int) int { return 1 })
	for _, i := range []int{0, 299} {
		f.write(rel(i), route(fmt.Sprintf("res.json({ i: %d, v: 2 })", i)))
		if res := f.reload(ipc.ActionChange, rel(i)); !res.Success {
			t.Fatalf("reload %d: %+v", i, res)
		}
	}
	check(func(i int) int { return map[bool]int{true: 2, false: 1}[i == 0 || i == 299] })
}

func TestSyntaxErrorKeepsOldCodeThenRecovers(t *testing.T) {
	f := newFixture(t, map[string]string{"src/api/store/hello/route.ts": route(`res.json({ v: 1 })`)})
	f.load()
	f.write("src/api/store/hello/route.ts", route(`res.json({ v: 2 }))`))
	res := f.reload(ipc.ActionChange, "src/api/store/hello/route.ts")
	if res.Success || res.Applied || len(res.Errors) == 0 {
		t.Fatalf("want a failed reload, got %+v", res)
	}
	d := res.Errors[0]
	if d.File != f.path("src/api/store/hello/route.ts") || d.Line != 3 || d.Code != diag.CodeSyntax {
		t.Fatalf("error at %+v", d)
	}
	if !diag.HasErrors(res.Problems) {
		t.Fatal("problems should list the syntax error")
	}
	f.expect("GET", "/store/hello", "", 200, `{"v":1}`)

	f.write("src/api/store/hello/route.ts", route(`res.json({ v: 3 })`))
	res = f.reload(ipc.ActionChange, "src/api/store/hello/route.ts")
	if !res.Success || len(res.Problems) != 0 {
		t.Fatalf("recovery: %+v", res)
	}
	f.expect("GET", "/store/hello", "", 200, `{"v":3}`)
}

func TestUtilEditReloadsImporters(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/utils/greet.ts": `export const greet = (n: string) => "hi " + n` + "\n",
		"src/api/a/route.ts": `import { greet } from "../../utils/greet"` + "\n" + route(`res.json({ a: greet("a") })`),
		"src/api/b/route.ts": `import { greet } from "../../utils/greet"` + "\n" + route(`res.json({ b: greet("b") })`),
		"src/api/c/route.ts": route(`res.json({ c: 1 })`),
		"src/lib/unused.ts":  "export const x = 1\n",
	})
	f.load()
	f.write("src/utils/greet.ts", `export const greet = (n: string) => "hello " + n`+"\n")
	res := f.reload(ipc.ActionChange, "src/utils/greet.ts")
	if !res.Success || len(res.Reloaded) != 2 {
		t.Fatalf("reloaded %+v", res.Reloaded)
	}
	f.expect("GET", "/a", "", 200, `"hello a"`)
	f.expect("GET", "/b", "", 200, `"hello b"`)

	res = f.reload(ipc.ActionChange, "src/lib/unused.ts")
	if !res.Success || res.Applied || !strings.Contains(res.Note, "nothing imports src/lib/unused.ts") {
		t.Fatalf("unused file: %+v", res)
	}
	res = f.reload(ipc.ActionChange, "logs/app.log")
	if !res.Success || res.Applied {
		t.Fatalf("log file: %+v", res)
	}
}

func TestBrokenUtilBlocksOnlyItsImporters(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/utils/u.ts":     "export const u = () => 1\n",
		"src/api/a/route.ts": `import { u } from "../../utils/u"` + "\n" + route(`res.json({ a: u() })`),
		"src/api/c/route.ts": route(`res.json({ c: 1 })`),
	})
	f.load()
	f.write("src/utils/u.ts", "export const u = () =>\n")
	res := f.reload(ipc.ActionChange, "src/utils/u.ts")
	// One diagnostic per cause: the syntax error, with the import site as its related place.
	if res.Success || len(res.Errors) != 1 || len(res.Errors[0].Related) != 1 || res.Errors[0].Related[0].File != f.path("src/api/a/route.ts") {
		t.Fatalf("want the syntax error with the import site as related, got %+v", res)
	}
	f.expect("GET", "/a", "", 200, `{"a":1}`)
	// An unrelated edit is not blocked by the broken util.
	f.write("src/api/c/route.ts", route(`res.json({ c: 2 })`))
	if res := f.reload(ipc.ActionChange, "src/api/c/route.ts"); !res.Success || !res.Applied {
		t.Fatalf("unrelated edit: %+v", res)
	}
	f.expect("GET", "/c", "", 200, `{"c":2}`)
	// Fixing the util brings route a back.
	f.write("src/utils/u.ts", "export const u = () => 5\n")
	if res := f.reload(ipc.ActionChange, "src/utils/u.ts"); !res.Success || len(res.Problems) != 0 {
		t.Fatalf("fix: %+v", res)
	}
	f.expect("GET", "/a", "", 200, `{"a":5}`)
}

func TestMissingImportRecoversWhenFileIsAdded(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/api/a/route.ts": `import { later } from "../../lib/later"` + "\n" + route(`res.json({ v: later })`),
	})
	res := f.load()
	if res.Success || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "Cannot find module") {
		t.Fatalf("load: %+v", res)
	}
	f.expect("GET", "/a", "", 404, "Cannot GET")
	f.write("src/lib/later.ts", "export const later = 'here'\n")
	if res := f.reload(ipc.ActionAdd, "src/lib/later.ts"); !res.Success || !res.Applied {
		t.Fatalf("add: %+v", res)
	}
	f.expect("GET", "/a", "", 200, `{"v":"here"}`)
}

func TestHandlerErrorsBecomeResponsesAndDiagnostics(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/api/boom/route.ts": `import { MedusaError } from "@medusajs/framework/utils"
export const GET = async (req: any, res: any) => {
  throw new Error("boom")
}
export const POST = async (req: any, res: any) => {
  throw new MedusaError(MedusaError.Types.NOT_FOUND, "no such thing")
}
`,
		"src/api/loop/route.ts":   route("let n = 0; while (n >= 0) { n++ }"),
		"src/api/silent/route.ts": route("const x = 1"),
	})
	f.load()
	f.expect("GET", "/boom", "", 500, `"message":"An unknown error occurred."`)
	f.expect("POST", "/boom", "", 404, `{"type":"not_found","message":"no such thing"}`)
	f.expect("GET", "/loop", "", 500, "interrupted")
	f.expect("GET", "/silent", "", 500, "without sending a response")
	// The runtime keeps serving after an interrupt.
	f.expect("POST", "/boom", "", 404, "no such thing")
	f.mu.Lock()
	defer f.mu.Unlock()
	var lines []string
	for _, e := range f.runtime {
		for _, p := range e.Problems {
			lines = append(lines, diag.RelPath(f.root, p.File)+":"+itoa(p.Line)+" "+p.Code)
		}
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{"src/api/boom/route.ts:3 runtime-error", "src/api/loop/route.ts:3 runtime-error", "src/api/silent/route.ts:2 runtime-error"} {
		if !strings.Contains(got, want) {
			t.Errorf("runtime errors %q lack %q", got, want)
		}
	}
	if strings.Contains(got, "route.ts:6") {
		t.Errorf("a MedusaError 404 is not a bug and should not be reported: %q", got)
	}
}

func itoa(n int) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestCORSForStoreRoutes(t *testing.T) {
	f := newFixture(t, map[string]string{"src/api/store/hello/route.ts": route(`res.json({ ok: true })`)})
	f.load()
	req, _ := http.NewRequest("OPTIONS", f.srv.URL+"/store/hello", nil)
	req.Header.Set("Origin", "http://localhost:8000")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8000" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ = http.NewRequest("GET", f.srv.URL+"/store/hello", nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("x-publishable-api-key", f.app.Credentials().PublishableKey)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("an unlisted origin was allowed")
	}
}

// A request waiting for the loop while a reload runs there is served by the reload's new code;
// a request whose handler is already running when the reload commits finishes on its old code.
func TestRequestsRunOnTheTableLiveWhenTheyStart(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/api/store/slow/route.ts": route(`console.log("slow started"); await new Promise((r) => setTimeout(r, 300)); res.json({ v: "old-slow" })`),
		"src/api/store/q/route.ts":    route(`res.json({ v: "old-q" })`),
	})
	if res := f.load(); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	rt := f.app.Runtime()
	type answer struct{ body string }
	get := func(path string) chan answer {
		c := make(chan answer, 1)
		go func() {
			req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
			req.Header.Set("x-publishable-api-key", f.app.Credentials().PublishableKey) // a /store route
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				c <- answer{err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			c <- answer{string(b)}
		}()
		return c
	}
	// The slow handler starts (its timer pends) before the reload.
	slow := get("/store/slow")
	testutil.Eventually(t, 10*time.Second, func() string {
		return unless(strings.Contains(f.out.String(), "slow started"), "the slow handler did not start")
	})

	// Hold the loop, queue the reload behind it, then a request behind the reload.
	hold, held := make(chan struct{}), make(chan struct{})
	go func() {
		_ = rt.Do(context.Background(), nil, "hold", func(*goja.Runtime) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held
	f.write("src/api/store/q/route.ts", route(`res.json({ v: "new-q" })`))
	f.write("src/api/store/slow/route.ts", route(`res.json({ v: "new-slow" })`))
	reloaded := make(chan ipc.Result, 1)
	go func() {
		reloaded <- f.reload(ipc.ActionChange, "src/api/store/q/route.ts", "src/api/store/slow/route.ts")
	}()
	testutil.Eventually(t, 10*time.Second, func() string { return unless(rt.Waiting() == 1, "the reload did not reach the loop") })
	queued := get("/store/q")
	testutil.Eventually(t, 10*time.Second, func() string { return unless(rt.Waiting() == 2, "the request did not reach the loop") })
	close(hold)
	if res := <-reloaded; !res.Success || !res.Applied {
		t.Fatalf("reload: %+v", res)
	}
	for _, c := range []struct {
		name string
		got  chan answer
		want string
	}{
		{"queued behind the reload", queued, "new-q"},
		{"running during the reload", slow, "old-slow"},
		{"after the reload", get("/store/slow"), "new-slow"},
	} {
		if a := <-c.got; !strings.Contains(a.body, c.want) {
			t.Errorf("%s: got %s, want %s", c.name, a.body, c.want)
		}
	}
}

// unless is "" when ok, else why, for testutil.Eventually.
func unless(ok bool, why string) string {
	if ok {
		return ""
	}
	return why
}

// Saves that keep a route file's paths and methods swap only its handlers into the live stack;
// every other layer (middlewares, other routes, other methods) keeps working in its place, and
// a save that changes the shape rebuilds the stack.
func TestHandlerSwapKeepsTheRestOfTheStack(t *testing.T) {
	const twoMethods = `export const GET = async (req: any, res: any) => { res.json({ v: "%s", mw: req.seen }) }
export const POST = async (req: any, res: any) => { res.json({ post: "%s" }) }
`
	f := newFixture(t, map[string]string{
		"src/api/store/a/route.ts":      strings.ReplaceAll(twoMethods, "%s", "a1"),
		"src/api/store/b/[id]/route.ts": route(`res.json({ b: req.params.id, mw: (req as any).seen })`),
		"src/api/middlewares.ts": `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/store/*", middlewares: [(req: any, res: any, next: any) => { req.seen = "yes"; next() }] }] })
`,
	})
	if res := f.load(); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	steps := []struct {
		name, file, content string
		want                [][3]string // method, path, body substring
	}{
		{"handlers only", "src/api/store/a/route.ts", strings.ReplaceAll(twoMethods, "%s", "a2"),
			[][3]string{{"GET", "/store/a", `{"v":"a2","mw":"yes"}`}, {"POST", "/store/a", `{"post":"a2"}`}, {"GET", "/store/b/7", `{"b":"7","mw":"yes"}`}}},
		{"again", "src/api/store/b/[id]/route.ts", route(`res.json({ b2: req.params.id, mw: (req as any).seen })`),
			[][3]string{{"GET", "/store/b/8", `{"b2":"8","mw":"yes"}`}, {"GET", "/store/a", `{"v":"a2","mw":"yes"}`}}},
		{"a method less", "src/api/store/a/route.ts", route(`res.json({ v: "a3", mw: (req as any).seen })`),
			[][3]string{{"GET", "/store/a", `{"v":"a3","mw":"yes"}`}, {"POST", "/store/a", `Cannot POST /store/a`}, {"GET", "/store/b/9", `{"b2":"9"`}}},
		{"handlers only after the rebuild", "src/api/store/a/route.ts", route(`res.json({ v: "a4", mw: (req as any).seen })`),
			[][3]string{{"GET", "/store/a", `{"v":"a4","mw":"yes"}`}, {"GET", "/store/b/1", `{"b2":"1","mw":"yes"}`}}},
	}
	for _, st := range steps {
		f.write(st.file, st.content)
		if res := f.reload(ipc.ActionChange, st.file); !res.Success || !res.Applied {
			t.Fatalf("%s: reload %+v", st.name, res)
		}
		for _, w := range st.want {
			if _, got := f.get(w[0], w[1], ""); !strings.Contains(got, w[2]) {
				t.Errorf("%s: %s %s = %s, want %s", st.name, w[0], w[1], got, w[2])
			}
		}
	}
}
