//go:build unix

package devserver_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/devtest"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/storefront"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

func TestDevelopReloadsRoutesInPlace(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/utils/fmt.ts":                  "export const fmt = (s: string) => `<${s}>`\n",
		"src/api/store/hello/route.ts":      "import { fmt } from \"../../../utils/fmt\"\n" + routeTS(`res.json({ v: fmt("one") })`),
		"src/api/store/items/[id]/route.ts": "import { fmt } from \"../../../../utils/fmt\"\n" + routeTS(`res.json({ id: fmt(req.params.id) })`),
		"src/api/middlewares.ts": `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/store*", middlewares: [(req: any, res: any, next: any) => { res.setHeader("x-mw", "a"); next() }] }] })
`,
	}, nil)
	t.Run("development credentials in the banner and the status", func(t *testing.T) {
		c := d.Sup.Status().Credentials
		if c == nil || c.PublishableKey != storefront.Key {
			t.Fatalf("status credentials = %+v, want the key %s", c, storefront.Key)
		}
		for _, want := range []string{"-H 'x-publishable-api-key: " + c.PublishableKey + "'", "-H 'authorization: Bearer " + c.AdminToken + "'"} {
			if !strings.Contains(d.Out.String(), want) {
				t.Errorf("the terminal lacks %q:\n%s", want, d.Out.String())
			}
		}
	})
	t.Run("route edit served", func(t *testing.T) {
		d.Expect("/store/hello", 200, `{"v":"<one>"}`)
		res := d.Edit("src/api/store/hello/route.ts", "import { fmt } from \"../../../utils/fmt\"\n"+routeTS(`res.json({ v: fmt("two") })`))
		if !res.Success || len(res.Reloaded) != 1 || res.Reloaded[0].Name != "GET /store/hello" {
			t.Fatalf("%+v", res)
		}
		d.Expect("/store/hello", 200, `{"v":"<two>"}`)
		if !strings.Contains(d.Out.String(), "[HMR] reloaded src/api/store/hello/route.ts (route GET /store/hello) in ") {
			t.Fatalf("terminal lacks the reload line:\n%s", d.Out.String())
		}
	})
	t.Run("parameter route", func(t *testing.T) { d.Expect("/store/items/prod_9", 200, `{"id":"<prod_9>"}`) })
	t.Run("util edit reloads importers", func(t *testing.T) {
		res := d.Edit("src/utils/fmt.ts", "export const fmt = (s: string) => `[${s}]`\n")
		if len(res.Reloaded) != 2 {
			t.Fatalf("reloaded %+v", res.Reloaded)
		}
		d.Expect("/store/hello", 200, `[two]`)
		d.Expect("/store/items/x", 200, `[x]`)
	})
	t.Run("middleware edit", func(t *testing.T) {
		d.Edit("src/api/middlewares.ts", `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/store*", middlewares: [(req: any, res: any, next: any) => { res.setHeader("x-mw", "b"); next() }] }] })
`)
		resp, err := storeClient.Get(d.URL + "/store/hello")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Mw") != "b" {
			t.Fatalf("x-mw = %q", resp.Header.Get("X-Mw"))
		}
	})
	t.Run("new route file appears", func(t *testing.T) {
		d.Edit("src/api/store/fresh/route.ts", routeTS(`res.json({ fresh: 1 })`))
		d.Expect("/store/fresh", 200, `{"fresh":1}`)
	})
	t.Run("deleted file gives 404", func(t *testing.T) {
		n := len(d.Results("reload"))
		os.Remove(filepath.Join(d.Root, "src/api/store/fresh/route.ts"))
		d.WaitResult("reload", n)
		d.Expect("/store/fresh", 404, "Cannot GET /store/fresh")
	})
	t.Run("type-only import is fine", func(t *testing.T) {
		// Its own batch: a file whose content is final is reported at once.
		if res := d.Edit("src/types.ts", "export interface Thing { id: string }\nexport type Id = string\n"); !res.Success {
			t.Fatalf("%+v", res.Errors)
		}
		res := d.Edit("src/api/store/typed/route.ts", "import type { Thing } from \"../../../types\"\nimport { Id } from \"../../../types\"\n"+
			routeTS(`const t: Thing = { id: "t1" }; const i: Id = "i"; res.json({ t, i })`))
		if !res.Success {
			t.Fatalf("%+v", res.Errors)
		}
		d.Expect("/store/typed", 200, `{"t":{"id":"t1"},"i":"i"}`)
	})
	t.Run("save that changes nothing reloads nothing", func(t *testing.T) {
		n := len(d.Results("reload"))
		b, _ := os.ReadFile(filepath.Join(d.Root, "src/api/store/hello/route.ts"))
		writeFile(t, d.Root, "src/api/store/hello/route.ts", string(b))
		d.Sup.Enqueue(filepath.Join(d.Root, "src/api/store/hello/route.ts"))
		// A change saved after it: whatever the unchanged save caused comes before that change's
		// reload, or in it.
		d.Edit("src/api/store/later/route.ts", routeTS(`res.json({ later: 1 })`))
		rs := d.Results("reload")[n:]
		if len(rs) != 1 || len(rs[0].Files) != 1 || diag.RelPath(d.Root, rs[0].Files[0]) != "src/api/store/later/route.ts" {
			var files [][]string
			for _, r := range rs {
				files = append(files, r.Files)
			}
			t.Fatalf("reloads of %v; want only the later change's: an unchanged file caused a reload", files)
		}
		d.Expect("/store/later", 200, `{"later":1}`)
	})
}

func TestSyntaxErrorKeepsOldCodeAndRecovers(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/store/hello/route.ts": routeTS(`res.json({ v: 1 })`)}, nil)
	res := d.Edit("src/api/store/hello/route.ts", routeTS(`res.json({ v: 2 )`))
	if res.Success || len(res.Errors) == 0 {
		t.Fatalf("want a failed reload, got %+v", res)
	}
	e := res.Errors[0]
	if diag.RelPath(d.Root, e.File) != "src/api/store/hello/route.ts" || e.Line != 3 || e.Column == 0 || e.Code != diag.CodeSyntax {
		t.Fatalf("error %+v", e)
	}
	d.Expect("/store/hello", 200, `{"v":1}`)
	out := d.Out.String()
	if !strings.Contains(out, "src/api/store/hello/route.ts:3:") || !strings.Contains(out, "> 3 |") {
		t.Fatalf("terminal lacks file:line:col and a code frame:\n%s", out)
	}
	res = d.Edit("src/api/store/hello/route.ts", routeTS(`res.json({ v: 3 })`))
	if !res.Success || len(res.Problems) != 0 {
		t.Fatalf("recovery %+v", res)
	}
	d.Expect("/store/hello", 200, `{"v":3}`)
}

func TestRunawayCodeIsInterrupted(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/loop/route.ts": routeTS("let n = 0\n  while (n >= 0) { n++ }"),
		"src/api/ok/route.ts":   routeTS(`res.json({ ok: 1 })`),
	}, nil)
	t.Run("handler", func(t *testing.T) {
		d.Expect("/loop", 500, "interrupted")
		d.Expect("/ok", 200, `{"ok":1}`)
		d.Until(waitFor, func() string {
			for _, e := range d.RuntimeErrors() {
				if len(e.Problems) > 0 && e.Problems[0].Line == 4 {
					return ""
				}
			}
			return "no runtime error on the loop's line"
		})
	})
	t.Run("top level", func(t *testing.T) {
		res := d.Edit("src/api/ok/route.ts", "let n = 0\nwhile (n >= 0) { n++ }\n"+routeTS(`res.json({ ok: 2 })`))
		if res.Success || len(res.Errors) == 0 || res.Errors[0].Line != 2 {
			t.Fatalf("%+v", res)
		}
		d.Expect("/ok", 200, `{"ok":1}`)
		res = d.Edit("src/api/ok/route.ts", routeTS(`res.json({ ok: 3 })`))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		d.Expect("/ok", 200, `{"ok":3}`)
	})
}

func TestKilledChildIsRestartedAndPortKeepsAccepting(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/pid/route.ts": routeTS(`res.json({ pid: process.pid })`)}, nil)
	_, body := get(t, d.URL+"/pid")
	var pid int
	fmt.Sscanf(body, `{"pid":%d}`, &pid)
	if pid == 0 {
		t.Fatalf("body %q", body)
	}
	n := len(d.Results("restart"))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Requests made right away wait in the socket's backlog for the new child.
	code, body := get(t, d.URL+"/pid")
	if code != 200 || body == fmt.Sprintf(`{"pid":%d}`, pid) {
		t.Fatalf("after kill: %d %s", code, body)
	}
	d.WaitResult("restart", n)
}

func TestEnvChangeRestartsWithNewValue(t *testing.T) {
	d := startDev(t, map[string]string{
		".env":                   "GREETING=one\n",
		"src/api/greet/route.ts": routeTS(`res.json({ g: process.env.GREETING })`),
	}, nil)
	d.Expect("/greet", 200, `{"g":"one"}`)
	n := len(d.Results("restart"))
	writeFile(t, d.Root, ".env", "GREETING=two\n")
	d.WaitResult("restart", n)
	d.Expect("/greet", 200, `{"g":"two"}`)
}

func TestHMROffRestartsPerChange(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/pid/route.ts": routeTS(`res.json({ v: 1, pid: process.pid })`),
		"medusa-config.ts": `import { defineConfig } from "@medusajs/framework/utils"
module.exports = defineConfig({ featureFlags: { backend_hmr: false } })
`,
	}, nil)
	if d.Sup.Status().HMR {
		t.Fatal("backend_hmr false was not honoured")
	}
	_, before := get(t, d.URL+"/pid")
	n := len(d.Results("restart"))
	writeFile(t, d.Root, "src/api/pid/route.ts", routeTS(`res.json({ v: 2, pid: process.pid })`))
	d.WaitResult("restart", n)
	_, after := get(t, d.URL+"/pid")
	if !strings.Contains(after, `"v":2`) || after[strings.Index(after, "pid"):] == before[strings.Index(before, "pid"):] {
		t.Fatalf("before %s after %s: want new code in a new process", before, after)
	}
	if len(d.Results("reload")) != 0 {
		t.Fatal("with backend_hmr off nothing should reload in place")
	}
	if !strings.Contains(d.Out.String(), "[Watcher]") {
		t.Fatalf("terminal should say [Watcher]:\n%s", d.Out.String())
	}
}

func TestReloadsUnderLoadNeverFail(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/store/hello/route.ts": routeTS(`res.json({ v: 0 })`)}, nil)
	var failures, requests atomic.Int64
	var lastFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := storefront.Client(waitFor)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(d.URL + "/store/hello")
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					lastFailure.Store(err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(b), `"v":`) {
					failures.Add(1)
					lastFailure.Store(fmt.Sprintf("%d %s", resp.StatusCode, b))
				}
			}
		}()
	}
	for i := 1; i <= 200; i++ {
		if res := d.Edit("src/api/store/hello/route.ts", routeTS(fmt.Sprintf(`res.json({ v: %d })`, i))); !res.Success {
			t.Fatalf("reload %d: %+v", i, res.Errors)
		}
	}
	close(stop)
	wg.Wait()
	d.Expect("/store/hello", 200, `{"v":200}`)
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d of %d requests failed during 200 reloads; last: %v", f, requests.Load(), lastFailure.Load())
	}
	t.Logf("%d requests during 200 reloads, none failed", requests.Load())
}

// A checkout of 300 new route files is one reload of 300 routes. They arrive at once (one
// folder moved into place), so the batch does not depend on the machine's speed; how the
// watcher batches files written one by one is devserver/watch's (TestBurstWindow, on a fake
// clock, and TestCheckoutOfNewFoldersIsOneBatch).
func TestBurstIsOneBatch(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/a/route.ts": routeTS(`res.json({ a: 1 })`)}, nil)
	staging := filepath.Join(t.TempDir(), "burst")
	for i := 0; i < 300; i++ {
		writeFile(t, staging, fmt.Sprintf("r%03d/route.ts", i), routeTS(fmt.Sprintf(`res.json({ r: %d })`, i)))
	}
	n := len(d.Results("reload"))
	if err := os.Rename(staging, filepath.Join(d.Root, "src/api/burst")); err != nil {
		t.Fatal(err)
	}
	res := d.WaitResult("reload", n)
	if rs := d.Results("reload")[n:]; len(rs) != 1 || !res.Success || len(res.Reloaded) != 300 {
		t.Fatalf("%d reloads, the first of %d routes (success %v); want one of 300", len(rs), len(res.Reloaded), res.Success)
	}
	d.Expect("/burst/r299", 200, `{"r":299}`)
	// and nothing after it: a change saved later is the next reload
	d.Edit("src/api/a/route.ts", routeTS(`res.json({ a: 2 })`))
	if rs := d.Results("reload")[n:]; len(rs) != 2 || len(rs[1].Files) != 1 {
		t.Fatalf("%d reloads after the burst and one save; want 2", len(rs))
	}
}

func TestDevelopCommandLine(t *testing.T) {
	t.Run("not a project", func(t *testing.T) {
		cmd := exec.Command(devtest.Binary, "develop", t.TempDir())
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 || !strings.Contains(string(out), "not a Medusa project") {
			t.Fatalf("exit %v, output %q", err, out)
		}
	})
	t.Run("unknown flag", func(t *testing.T) {
		out, err := exec.Command(devtest.Binary, "develop", "--bogus").CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "bogus") {
			t.Fatalf("exit %v, output %q", err, out)
		}
	})
	t.Run("SIGTERM leaves nothing behind", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, root, "medusa-config.ts", storeConfig)
		writeFile(t, root, "src/api/x/route.ts", routeTS(`res.json({ x: 1 })`))
		cmd, out := developProcess(t, root, testutil.FreePort(t))
		kids := childPIDs(t, cmd.Process.Pid)
		if len(kids) != 1 {
			t.Fatalf("children %v; output:\n%s", kids, out.String())
		}
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(waitFor):
			t.Fatal("develop did not exit on SIGTERM")
		}
		if err := syscall.Kill(kids[0], 0); err == nil {
			t.Fatalf("child %d outlived the supervisor", kids[0])
		}
	})
}

// developProcess starts `medusa-ls develop root --port port` as its own process and waits for
// its ready line.
func developProcess(t *testing.T, root string, port int) (*exec.Cmd, *testutil.Buffer) {
	t.Helper()
	cmd := exec.Command(devtest.Binary, "develop", root, "--port", fmt.Sprint(port))
	out := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Not fatal: the callers say what they expected of it.
	out.WaitFor(waitFor, func(s string) string {
		if !strings.Contains(s, "ready on") {
			return "no ready line"
		}
		return ""
	})
	return cmd, out
}

func TestCheckJSON(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/api/ok/route.ts", routeTS(`res.json({ ok: 1 })`))
	writeFile(t, root, "src/api/bad/route.ts", routeTS(`res.json({ ok: 1 )`))
	writeFile(t, root, "src/api/empty/route.ts", "export const helper = 1\n")
	cmd := exec.Command(devtest.Binary, "check", root, "--json")
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v", err)
	}
	for _, want := range []string{
		`"kind": "route"`, `"name": "GET /ok"`, `"file": "src/api/ok/route.ts"`,
		`"file": "src/api/bad/route.ts"`, `"line": 3`, `"severity": "error"`, `"code": "syntax-error"`,
		`"file": "src/api/empty/route.ts"`, `"severity": "warning"`, `"code": "convention"`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("check --json lacks %s:\n%s", want, out)
		}
	}
	text, _ := exec.Command(devtest.Binary, "check", root).Output()
	if !strings.Contains(string(text), "src/api/bad/route.ts:3:") || !strings.Contains(string(text), "error:") || !strings.Contains(string(text), "[syntax-error]") {
		t.Fatalf("text output:\n%s", text)
	}
}

// Medusa's develop ignores dist, static, private, .medusa and src/admin at the project's root
// only: routes in folders of those names further down are routes, and reload; an admin
// extension (served by the admin's Vite build) reloads nothing in the server.
func TestFoldersNamedLikeOutputsStillReload(t *testing.T) {
	routes := map[string]string{
		"src/api/admin/uploads/route.ts":     "/admin/uploads",
		"src/api/store/build/route.ts":       "/store/build",
		"src/api/store/static/[id]/route.ts": "/store/static/x",
		"src/api/store/coverage/route.ts":    "/store/coverage",
	}
	// The admin route opts out of Medusa's default admin authentication: the test is about
	// reloading, not about logging in.
	route := func(v int) string {
		return routeTS(fmt.Sprintf(`res.json({ v: %d })`, v)) + "export const AUTHENTICATE = false\n"
	}
	files := map[string]string{}
	for rel := range routes {
		files[rel] = route(1)
	}
	d := startDev(t, files, nil)
	writeFile(t, d.Root, "src/admin/widgets/brand.tsx", "export default () => <div>v1</div>\nexport const config = { zone: \"product.details.before\" }\n")
	for rel, path := range routes {
		d.Expect(path, 200, `{"v":1}`)
		if res := d.Edit(rel, route(2)); !res.Success {
			t.Fatalf("%s: %+v", rel, res)
		}
		d.Expect(path, 200, `{"v":2}`)
	}
	for _, r := range d.Results("reload") {
		for _, f := range r.Files {
			if strings.Contains(filepath.ToSlash(f), "src/admin/") {
				t.Errorf("an admin extension was reloaded: %+v", r)
			}
		}
	}
}
