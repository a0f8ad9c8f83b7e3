//go:build unix

package devserver_test

import (
	"context"
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

	"go.uber.org/goleak"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/storefront"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// binary is medusa-ls built once for these tests: the children are real processes.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "medusa-ls-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "medusa-ls")
	build := exec.Command("go", "build", "-o", binary, "../cmd/medusa-ls")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building medusa-ls:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		// No test leaves a goroutine running: the supervisors, proxies, watchers and control
		// servers they started have stopped.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// waitFor is a correctness bound for asynchronous outcomes, generous so slow machines pass.
const waitFor = 30 * time.Second

type dev struct {
	t    *testing.T
	root string
	sup  *devserver.Supervisor
	url  string
	out  *testutil.Buffer

	mu     sync.Mutex
	events []devserver.Event
	sig    testutil.Signal // notified after every event
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

const storeConfig = `import { defineConfig, loadEnv } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())
module.exports = defineConfig({ projectConfig: { http: {} } })
`

func routeTS(body string) string {
	return "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\n" +
		"export async function GET(req: MedusaRequest, res: MedusaResponse) {\n  " + body + "\n}\n"
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	// Write then rename, as editors do, so that a reader never sees half a file.
	tmp := p + ".medusa-ls-test-tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func startDev(t *testing.T, files map[string]string, configure func(*devserver.Options)) *dev {
	t.Helper()
	root := t.TempDir()
	if _, ok := files["medusa-config.ts"]; !ok {
		writeFile(t, root, "medusa-config.ts", storeConfig)
	}
	for rel, c := range files {
		writeFile(t, root, rel, c)
	}
	return startDevAt(t, root, configure)
}

// startDevAt runs a supervisor on the project in root until the test ends, and waits until
// it serves.
func startDevAt(t *testing.T, root string, configure func(*devserver.Options)) *dev {
	t.Helper()
	d := runDev(t, root, configure)
	d.waitState(devserver.StateReady)
	d.url = d.sup.URL()
	return d
}

// runDev runs a supervisor on the project in root until the test ends.
func runDev(t *testing.T, root string, configure func(*devserver.Options)) *dev {
	t.Helper()
	d := &dev{t: t, root: root, out: &testutil.Buffer{}, done: make(chan error, 1)}
	opts := devserver.Options{
		Root: root, Port: testutil.FreePort(t), Exe: binary, Watch: true, Output: d.out,
		TaskTimeout: 500 * time.Millisecond, RequestTimeout: 10 * time.Second,
		OnEvent: func(e devserver.Event) {
			d.mu.Lock()
			d.events = append(d.events, e)
			d.mu.Unlock()
			d.sig.Notify()
		},
	}
	if configure != nil {
		configure(&opts)
	}
	sup, err := devserver.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	d.sup = sup
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- sup.Run(ctx) }()
	t.Cleanup(d.stop)
	return d
}

// stop stops the supervisor, once.
func (d *dev) stop() {
	d.once.Do(func() {
		d.cancel()
		select {
		case <-d.done:
		case <-time.After(waitFor):
			d.t.Error("supervisor did not stop")
		}
		if d.t.Failed() {
			d.t.Logf("output:\n%s", d.out.String())
		}
	})
}

func (d *dev) waitState(want devserver.State) {
	d.t.Helper()
	d.waitStateWithin(want, waitFor)
}

// waitStateWithin waits for the state: every change of state is followed by an event.
func (d *dev) waitStateWithin(want devserver.State, limit time.Duration) {
	d.t.Helper()
	d.until(limit, func() string {
		if st := d.sup.Status().State; st != want {
			return fmt.Sprintf("state %s, want %s", st, want)
		}
		return ""
	})
}

// waitURL waits until the supervisor listens on its port (it sends its first state after).
func (d *dev) waitURL(limit time.Duration) {
	d.t.Helper()
	d.until(limit, func() string {
		if d.url = d.sup.URL(); d.url == "" {
			return "the port is not open"
		}
		return ""
	})
}

// until re-checks cond after every event of the supervisor (its log lines and output included)
// until it reports "", and fails with its last report and the output after limit.
func (d *dev) until(limit time.Duration, cond func() string) {
	d.t.Helper()
	if last := d.sig.WaitFor(limit, cond); last != "" {
		d.t.Fatalf("after %s: %s; output:\n%s", limit, last, d.out.String())
	}
}

// logged reports whether a log line (the supervisor's, or its child's output) contains s.
func (d *dev) logged(s string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.events {
		if strings.Contains(e.Log, s) {
			return true
		}
	}
	return false
}

// count returns how many events so far match.
func (d *dev) count(match func(devserver.Event) bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, e := range d.events {
		if match(e) {
			n++
		}
	}
	return n
}

// results returns the results of the given kind seen so far.
func (d *dev) results(kind devserver.ResultKind) []ipc.Result {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []ipc.Result
	for _, e := range d.events {
		if e.Result != nil && e.Kind == kind {
			out = append(out, *e.Result)
		}
	}
	return out
}

// waitResult waits until there are more than n results of kind and returns the newest.
func (d *dev) waitResult(kind devserver.ResultKind, n int) ipc.Result {
	d.t.Helper()
	return d.waitResultWithin(kind, waitFor, n)
}

func (d *dev) waitResultWithin(kind devserver.ResultKind, limit time.Duration, n int) ipc.Result {
	d.t.Helper()
	var res ipc.Result
	d.until(limit, func() string {
		rs := d.results(kind)
		if len(rs) <= n {
			return fmt.Sprintf("no %s result after %d", kind, n)
		}
		res = rs[len(rs)-1]
		return ""
	})
	return res
}

// edit writes a file and waits for the reload it causes.
func (d *dev) edit(rel, content string) ipc.Result {
	d.t.Helper()
	n := len(d.results("reload"))
	writeFile(d.t, d.root, rel, content)
	return d.waitReloadOf(n, rel)
}

// waitReloadOf waits for the first reload after the nth whose batch has rel, and returns it: a
// reload still running from an earlier change (the removal of a file a case created, a file a
// case wrote and then waited on through HTTP) is not taken for this one.
func (d *dev) waitReloadOf(n int, rel string) ipc.Result {
	d.t.Helper()
	suffix := string(filepath.Separator) + filepath.FromSlash(rel)
	var res ipc.Result
	d.until(waitFor, func() string {
		rs := d.results("reload")
		for _, r := range rs[min(n, len(rs)):] {
			for _, f := range r.Files {
				if strings.HasSuffix(f, suffix) {
					res = r
					return ""
				}
			}
		}
		return fmt.Sprintf("no reload of %s after %d reloads", rel, n)
	})
	return res
}

// storeClient sends the development publishable key, as a storefront does: the embedded
// runtime's /store routes require it, as Medusa's do.
var storeClient = storefront.Client(0)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := storeClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (d *dev) expect(path string, status int, want string) {
	d.t.Helper()
	code, body := get(d.t, d.url+path)
	if code != status || !strings.Contains(body, want) {
		d.t.Fatalf("GET %s = %d %q; want %d containing %q", path, code, body, status, want)
	}
}

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
		c := d.sup.Status().Credentials
		if c == nil || c.PublishableKey != storefront.Key {
			t.Fatalf("status credentials = %+v, want the key %s", c, storefront.Key)
		}
		for _, want := range []string{"-H 'x-publishable-api-key: " + c.PublishableKey + "'", "-H 'authorization: Bearer " + c.AdminToken + "'"} {
			if !strings.Contains(d.out.String(), want) {
				t.Errorf("the terminal lacks %q:\n%s", want, d.out.String())
			}
		}
	})
	t.Run("route edit served", func(t *testing.T) {
		d.expect("/store/hello", 200, `{"v":"<one>"}`)
		res := d.edit("src/api/store/hello/route.ts", "import { fmt } from \"../../../utils/fmt\"\n"+routeTS(`res.json({ v: fmt("two") })`))
		if !res.Success || len(res.Reloaded) != 1 || res.Reloaded[0].Name != "GET /store/hello" {
			t.Fatalf("%+v", res)
		}
		d.expect("/store/hello", 200, `{"v":"<two>"}`)
		if !strings.Contains(d.out.String(), "[HMR] reloaded src/api/store/hello/route.ts (route GET /store/hello) in ") {
			t.Fatalf("terminal lacks the reload line:\n%s", d.out.String())
		}
	})
	t.Run("parameter route", func(t *testing.T) { d.expect("/store/items/prod_9", 200, `{"id":"<prod_9>"}`) })
	t.Run("util edit reloads importers", func(t *testing.T) {
		res := d.edit("src/utils/fmt.ts", "export const fmt = (s: string) => `[${s}]`\n")
		if len(res.Reloaded) != 2 {
			t.Fatalf("reloaded %+v", res.Reloaded)
		}
		d.expect("/store/hello", 200, `[two]`)
		d.expect("/store/items/x", 200, `[x]`)
	})
	t.Run("middleware edit", func(t *testing.T) {
		d.edit("src/api/middlewares.ts", `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/store*", middlewares: [(req: any, res: any, next: any) => { res.setHeader("x-mw", "b"); next() }] }] })
`)
		resp, err := storeClient.Get(d.url + "/store/hello")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Mw") != "b" {
			t.Fatalf("x-mw = %q", resp.Header.Get("X-Mw"))
		}
	})
	t.Run("new route file appears", func(t *testing.T) {
		d.edit("src/api/store/fresh/route.ts", routeTS(`res.json({ fresh: 1 })`))
		d.expect("/store/fresh", 200, `{"fresh":1}`)
	})
	t.Run("deleted file gives 404", func(t *testing.T) {
		n := len(d.results("reload"))
		os.Remove(filepath.Join(d.root, "src/api/store/fresh/route.ts"))
		d.waitResult("reload", n)
		d.expect("/store/fresh", 404, "Cannot GET /store/fresh")
	})
	t.Run("type-only import is fine", func(t *testing.T) {
		// Its own batch: a file whose content is final is reported at once.
		if res := d.edit("src/types.ts", "export interface Thing { id: string }\nexport type Id = string\n"); !res.Success {
			t.Fatalf("%+v", res.Errors)
		}
		res := d.edit("src/api/store/typed/route.ts", "import type { Thing } from \"../../../types\"\nimport { Id } from \"../../../types\"\n"+
			routeTS(`const t: Thing = { id: "t1" }; const i: Id = "i"; res.json({ t, i })`))
		if !res.Success {
			t.Fatalf("%+v", res.Errors)
		}
		d.expect("/store/typed", 200, `{"t":{"id":"t1"},"i":"i"}`)
	})
	t.Run("save that changes nothing reloads nothing", func(t *testing.T) {
		n := len(d.results("reload"))
		b, _ := os.ReadFile(filepath.Join(d.root, "src/api/store/hello/route.ts"))
		writeFile(t, d.root, "src/api/store/hello/route.ts", string(b))
		d.sup.Enqueue(filepath.Join(d.root, "src/api/store/hello/route.ts"))
		// A change saved after it: whatever the unchanged save caused comes before that change's
		// reload, or in it.
		d.edit("src/api/store/later/route.ts", routeTS(`res.json({ later: 1 })`))
		rs := d.results("reload")[n:]
		if len(rs) != 1 || len(rs[0].Files) != 1 || diag.RelPath(d.root, rs[0].Files[0]) != "src/api/store/later/route.ts" {
			var files [][]string
			for _, r := range rs {
				files = append(files, r.Files)
			}
			t.Fatalf("reloads of %v; want only the later change's: an unchanged file caused a reload", files)
		}
		d.expect("/store/later", 200, `{"later":1}`)
	})
}

func TestSyntaxErrorKeepsOldCodeAndRecovers(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/store/hello/route.ts": routeTS(`res.json({ v: 1 })`)}, nil)
	res := d.edit("src/api/store/hello/route.ts", routeTS(`res.json({ v: 2 )`))
	if res.Success || len(res.Errors) == 0 {
		t.Fatalf("want a failed reload, got %+v", res)
	}
	e := res.Errors[0]
	if diag.RelPath(d.root, e.File) != "src/api/store/hello/route.ts" || e.Line != 3 || e.Column == 0 || e.Code != diag.CodeSyntax {
		t.Fatalf("error %+v", e)
	}
	d.expect("/store/hello", 200, `{"v":1}`)
	out := d.out.String()
	if !strings.Contains(out, "src/api/store/hello/route.ts:3:") || !strings.Contains(out, "> 3 |") {
		t.Fatalf("terminal lacks file:line:col and a code frame:\n%s", out)
	}
	res = d.edit("src/api/store/hello/route.ts", routeTS(`res.json({ v: 3 })`))
	if !res.Success || len(res.Problems) != 0 {
		t.Fatalf("recovery %+v", res)
	}
	d.expect("/store/hello", 200, `{"v":3}`)
}

func TestRunawayCodeIsInterrupted(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/loop/route.ts": routeTS("let n = 0\n  while (n >= 0) { n++ }"),
		"src/api/ok/route.ts":   routeTS(`res.json({ ok: 1 })`),
	}, nil)
	t.Run("handler", func(t *testing.T) {
		d.expect("/loop", 500, "interrupted")
		d.expect("/ok", 200, `{"ok":1}`)
		d.until(waitFor, func() string {
			d.mu.Lock()
			defer d.mu.Unlock()
			for _, e := range d.events {
				if e.Runtime != nil && len(e.Runtime.Problems) > 0 && e.Runtime.Problems[0].Line == 4 {
					return ""
				}
			}
			return "no runtime error on the loop's line"
		})
	})
	t.Run("top level", func(t *testing.T) {
		res := d.edit("src/api/ok/route.ts", "let n = 0\nwhile (n >= 0) { n++ }\n"+routeTS(`res.json({ ok: 2 })`))
		if res.Success || len(res.Errors) == 0 || res.Errors[0].Line != 2 {
			t.Fatalf("%+v", res)
		}
		d.expect("/ok", 200, `{"ok":1}`)
		res = d.edit("src/api/ok/route.ts", routeTS(`res.json({ ok: 3 })`))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		d.expect("/ok", 200, `{"ok":3}`)
	})
}

func childPIDs(t *testing.T, parent int) []int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-P", fmt.Sprint(parent)).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		var p int
		fmt.Sscan(f, &p)
		if p > 0 {
			pids = append(pids, p)
		}
	}
	return pids
}

func TestKilledChildIsRestartedAndPortKeepsAccepting(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/pid/route.ts": routeTS(`res.json({ pid: process.pid })`)}, nil)
	_, body := get(t, d.url+"/pid")
	var pid int
	fmt.Sscanf(body, `{"pid":%d}`, &pid)
	if pid == 0 {
		t.Fatalf("body %q", body)
	}
	n := len(d.results("restart"))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Requests made right away wait in the socket's backlog for the new child.
	code, body := get(t, d.url+"/pid")
	if code != 200 || body == fmt.Sprintf(`{"pid":%d}`, pid) {
		t.Fatalf("after kill: %d %s", code, body)
	}
	d.waitResult("restart", n)
}

func TestEnvChangeRestartsWithNewValue(t *testing.T) {
	d := startDev(t, map[string]string{
		".env":                   "GREETING=one\n",
		"src/api/greet/route.ts": routeTS(`res.json({ g: process.env.GREETING })`),
	}, nil)
	d.expect("/greet", 200, `{"g":"one"}`)
	n := len(d.results("restart"))
	writeFile(t, d.root, ".env", "GREETING=two\n")
	d.waitResult("restart", n)
	d.expect("/greet", 200, `{"g":"two"}`)
}

func TestHMROffRestartsPerChange(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/pid/route.ts": routeTS(`res.json({ v: 1, pid: process.pid })`),
		"medusa-config.ts": `import { defineConfig } from "@medusajs/framework/utils"
module.exports = defineConfig({ featureFlags: { backend_hmr: false } })
`,
	}, nil)
	if d.sup.Status().HMR {
		t.Fatal("backend_hmr false was not honoured")
	}
	_, before := get(t, d.url+"/pid")
	n := len(d.results("restart"))
	writeFile(t, d.root, "src/api/pid/route.ts", routeTS(`res.json({ v: 2, pid: process.pid })`))
	d.waitResult("restart", n)
	_, after := get(t, d.url+"/pid")
	if !strings.Contains(after, `"v":2`) || after[strings.Index(after, "pid"):] == before[strings.Index(before, "pid"):] {
		t.Fatalf("before %s after %s: want new code in a new process", before, after)
	}
	if len(d.results("reload")) != 0 {
		t.Fatal("with backend_hmr off nothing should reload in place")
	}
	if !strings.Contains(d.out.String(), "[Watcher]") {
		t.Fatalf("terminal should say [Watcher]:\n%s", d.out.String())
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
				resp, err := client.Get(d.url + "/store/hello")
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
		if res := d.edit("src/api/store/hello/route.ts", routeTS(fmt.Sprintf(`res.json({ v: %d })`, i))); !res.Success {
			t.Fatalf("reload %d: %+v", i, res.Errors)
		}
	}
	close(stop)
	wg.Wait()
	d.expect("/store/hello", 200, `{"v":200}`)
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
	n := len(d.results("reload"))
	if err := os.Rename(staging, filepath.Join(d.root, "src/api/burst")); err != nil {
		t.Fatal(err)
	}
	res := d.waitResult("reload", n)
	if rs := d.results("reload")[n:]; len(rs) != 1 || !res.Success || len(res.Reloaded) != 300 {
		t.Fatalf("%d reloads, the first of %d routes (success %v); want one of 300", len(rs), len(res.Reloaded), res.Success)
	}
	d.expect("/burst/r299", 200, `{"r":299}`)
	// and nothing after it: a change saved later is the next reload
	d.edit("src/api/a/route.ts", routeTS(`res.json({ a: 2 })`))
	if rs := d.results("reload")[n:]; len(rs) != 2 || len(rs[1].Files) != 1 {
		t.Fatalf("%d reloads after the burst and one save; want 2", len(rs))
	}
}

func TestDevelopCommandLine(t *testing.T) {
	t.Run("not a project", func(t *testing.T) {
		cmd := exec.Command(binary, "develop", t.TempDir())
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 || !strings.Contains(string(out), "not a Medusa project") {
			t.Fatalf("exit %v, output %q", err, out)
		}
	})
	t.Run("unknown flag", func(t *testing.T) {
		out, err := exec.Command(binary, "develop", "--bogus").CombinedOutput()
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
	cmd := exec.Command(binary, "develop", root, "--port", fmt.Sprint(port))
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
	cmd := exec.Command(binary, "check", root, "--json")
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
	text, _ := exec.Command(binary, "check", root).Output()
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
	writeFile(t, d.root, "src/admin/widgets/brand.tsx", "export default () => <div>v1</div>\nexport const config = { zone: \"product.details.before\" }\n")
	for rel, path := range routes {
		d.expect(path, 200, `{"v":1}`)
		if res := d.edit(rel, route(2)); !res.Success {
			t.Fatalf("%s: %+v", rel, res)
		}
		d.expect(path, 200, `{"v":2}`)
	}
	for _, r := range d.results("reload") {
		for _, f := range r.Files {
			if strings.Contains(filepath.ToSlash(f), "src/admin/") {
				t.Errorf("an admin extension was reloaded: %+v", r)
			}
		}
	}
}
