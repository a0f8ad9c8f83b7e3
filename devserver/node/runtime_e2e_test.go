//go:build unix

package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// startNode runs the fixture with the node runtime; Medusa takes seconds to boot, so the node
// tests share one dev server and run in order.
func startNode(t *testing.T, files map[string]string) *dev {
	return startNodeWith(t, files, nil)
}

// startNodeWith is startNode with more options set by configure.
func startNodeWith(t *testing.T, files map[string]string, configure func(*devserver.Options)) *dev {
	root := medusafixture.ForTest(t, files)
	d := runDev(t, root, func(o *devserver.Options) {
		o.Runtime = devserver.RuntimeNode
		o.ReadyTimeout = 3 * time.Minute
		o.TaskTimeout = 5 * time.Second
		if configure != nil {
			configure(o)
		}
	})
	// Medusa boots in 5-10 s alone, and several times that on a busy CI machine running other
	// packages' tests beside it: wait as long as the supervisor itself would.
	d.WaitStateWithin(devserver.StateReady, 3*time.Minute)
	d.URL = d.Sup.URL()
	if rt := d.Sup.Status().Runtime; rt != devserver.RuntimeNode {
		t.Fatalf("runtime %q", rt)
	}
	return d
}

// poll GETs path until its body contains want.
func (d *dev) poll(path, want string) {
	d.T.Helper()
	testutil.Eventually(d.T, waitFor, func() string {
		resp, err := http.Get(d.URL + path)
		if err != nil {
			return fmt.Sprintf("GET %s: %v; output:\n%s", path, err, d.Out.String())
		}
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if body := string(b[:n]); !strings.Contains(body, want) {
			return fmt.Sprintf("GET %s = %q, want %q; output:\n%s", path, body, want, d.Out.String())
		}
		return ""
	})
}

// hammer GETs url until stop is closed, starting at once: it returns when its first request has
// an answer, and its func returns every status other than 200 it saw (and says so when it hardly
// sent any, so that "none failed" is never vacuous).
func hammer(url string, stop <-chan struct{}) func() []string {
	var mu sync.Mutex
	var bad []string
	sent := 0
	done := make(chan struct{})
	first := make(chan struct{}) // closed once the first request has its answer
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := http.Get(url)
			mu.Lock()
			sent++
			if err != nil {
				bad = append(bad, err.Error())
			} else {
				if resp.StatusCode != http.StatusOK {
					bad = append(bad, resp.Status)
				}
				resp.Body.Close()
			}
			mu.Unlock()
			if sent == 1 {
				close(first)
			}
		}
	}()
	select {
	case <-first:
	case <-done:
	}
	return func() []string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		if sent < 2 {
			return append(bad, fmt.Sprintf("only %d requests were sent", sent))
		}
		return bad
	}
}

const (
	nodeRoute = `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  res.json({ v: %s })
}
`
	greetingLib  = "export const greeting = (name: string) => `hi ${name} %s`\n"
	greetRoute   = "import { greeting } from \"../../lib/greeting\"\nexport const GET = (req: any, res: any) => res.json({ msg: greeting(\"ada\") })\n"
	wfRoute      = "import helloWorkflow from \"../../workflows/hello\"\nexport const GET = async (req: any, res: any) => {\n  const { result } = await helloWorkflow(req.scope).run({ input: { name: \"ada\" } })\n  res.json({ result })\n}\n"
	greeterRoute = "export const GET = (req: any, res: any) => res.json({ msg: (req.scope.resolve(\"greeter\") as any).greet(\"ada\") })\n"
)

func nodeRouteTS(v string) string { return strings.Replace(nodeRoute, "%s", v, 1) }

func TestNodeRuntime(t *testing.T) {
	d := startNode(t, map[string]string{
		"src/lib/greeting.ts":      strings.Replace(greetingLib, "%s", "v1", 1),
		"src/api/greet/route.ts":   greetRoute,
		"src/api/wf/route.ts":      wfRoute,
		"src/api/greeter/route.ts": greeterRoute,
		"src/api/hello/route.ts":   nodeRouteTS("1"),
		"src/api/flavor/route.ts":  "export const GET = (req: any, res: any) => res.json(process.env.FIXTURE_FLAVOR ?? \"plain\")\n",
	})
	// The node tests share one dev server (Medusa takes seconds to start) and run in order.
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(st *testing.T) {
			d.T = st
			defer func() { d.T = t }()
			f(st)
		})
	}
	d.Expect("/hello", 200, `{"v":1}`)
	d.Expect("/health", 200, "OK")

	// Without workers, the fixture serves as one shared process as before: no processes of
	// other roles, and the status lists the one.
	run("no workers: one shared process", func(t *testing.T) {
		if ps := d.processes(); len(ps) != 1 || ps[0].Role != node.RoleShared || ps[0].PID == 0 {
			t.Fatalf("processes %+v", ps)
		}
	})

	run("route edits are served with no failed request meanwhile", func(t *testing.T) {
		stop := make(chan struct{})
		bad := hammer(d.URL+"/hello", stop) // returns once its first request is answered
		for i := 2; i <= 4; i++ {
			res := d.Edit("src/api/hello/route.ts", nodeRouteTS(strings.Repeat("1", i)))
			if !res.Success {
				t.Fatalf("reload %d failed: %+v", i, res.Errors)
			}
			d.Expect("/hello", 200, `{"v":`+strings.Repeat("1", i)+`}`)
		}
		close(stop)
		if b := bad(); len(b) > 0 {
			t.Fatalf("%d requests failed during route reloads: %v", len(b), b[:min(len(b), 5)])
		}
		d.Expect("/health", 200, "OK") // Medusa's own /health is gone after a route reload
	})

	run("syntax error keeps the old code and points at the line", func(t *testing.T) {
		res := d.Edit("src/api/hello/route.ts", "export async function GET(req: any, res: any) {\n  res.json({ v: 5 \n}\n")
		if res.Success || len(res.Errors) == 0 {
			t.Fatalf("want a failed reload, got %+v", res)
		}
		e := res.Errors[0]
		if filepath.Base(e.File) != "route.ts" || e.Line < 2 || e.Code != diag.CodeSyntax {
			t.Fatalf("error %+v", e)
		}
		d.Expect("/hello", 200, `{"v":1111}`)
		res = d.Edit("src/api/hello/route.ts", nodeRouteTS("6"))
		if !res.Success || len(res.Problems) != 0 {
			t.Fatalf("fix: %+v", res)
		}
		d.Expect("/hello", 200, `{"v":6}`)
	})

	// Route, subscriber and job files are checked by esbuild beside Medusa's reload (whose
	// compiler fails on them too); other files are checked first. Either way: one diagnostic, at
	// the syntax error, and the last good code keeps running.
	run("syntax errors in each kind: one diagnostic on the line, last good code kept", func(t *testing.T) {
		for _, tc := range []struct {
			file, breakAt, broken string
			line                  int
			emit                  string // an event whose subscriber must still run the old code
			path                  string // a route that runs the file's code and must still answer 200
		}{
			{file: "src/subscribers/product-created.ts", breakAt: "  logger.info(`FIXTURE-SUB v1", broken: "  logger.info((`FIXTURE-SUB v1", line: 6, emit: "product.created"},
			{file: "src/jobs/tick.ts", breakAt: "  name: \"fixture-tick\",", broken: "  name: \"fixture-tick\" \"x\",", line: 9},
			{file: "src/workflows/steps/sync-brand.ts", breakAt: "import", broken: "import import", line: 1},
			{file: "src/workflows/hello.ts", breakAt: "  return new WorkflowResponse(msg)", broken: "  return new WorkflowResponse(msg", line: 10, path: "/wf"},
			{file: "src/workflows/hooks/created-product.ts", breakAt: "    if (!additional_data?.brand_id) {", broken: "    if (!additional_data?.brand_id {", line: 15},
		} {
			t.Run(filepath.Base(tc.file), func(t *testing.T) {
				src := mustRead(t, filepath.Join(d.Root, tc.file))
				if !strings.Contains(src, tc.breakAt) {
					t.Fatalf("%s has no %q", tc.file, tc.breakAt)
				}
				res := d.Edit(tc.file, strings.Replace(src, tc.breakAt, tc.broken, 1))
				if res.Success || len(res.Errors) != 1 {
					t.Fatalf("want one error, got %+v", res)
				}
				if e := res.Errors[0]; filepath.ToSlash(e.File) != filepath.ToSlash(filepath.Join(d.Root, tc.file)) || e.Line != tc.line || e.Code != diag.CodeSyntax {
					t.Fatalf("error %+v, want %s:%d [%s]", e, tc.file, tc.line, diag.CodeSyntax)
				}
				if tc.emit != "" {
					id := fmt.Sprintf("p-syntax-%d", time.Now().UnixNano())
					if _, err := d.Sup.Call(context.Background(), ipc.CmdEmitEvent, ipc.EmitArgs{Name: tc.emit, Data: json.RawMessage(`{"id":"` + id + `"}`)}); err != nil {
						t.Fatal(err)
					}
					d.waitOutput("FIXTURE-SUB v1 product.created " + id)
				}
				if tc.path != "" {
					if code, body := get(t, d.URL+tc.path); code != 200 {
						t.Fatalf("GET %s: %d %s", tc.path, code, body)
					}
				}
				res = d.Edit(tc.file, src)
				if !res.Success || len(res.Problems) != 0 {
					t.Fatalf("fix: %+v", res)
				}
			})
		}
	})

	run("route that throws while loading keeps every route serving", func(t *testing.T) {
		res := d.Edit("src/api/hello/route.ts", "const boom = (): never => { throw new Error(\"config missing\") }\nboom()\nexport const GET = (req: any, res: any) => res.json({ v: 7 })\n")
		if res.Success || len(res.Errors) == 0 {
			t.Fatalf("want a failed reload, got %+v", res)
		}
		e := res.Errors[0]
		if filepath.Base(e.File) != "route.ts" || e.Line != 1 || !strings.Contains(e.Message, "config missing") {
			t.Fatalf("error %+v", e)
		}
		d.Expect("/hello", 200, `{"v":6}`)
		d.Expect("/greet", 200, "hi ada v1")
		res = d.Edit("src/api/hello/route.ts", nodeRouteTS("8"))
		if !res.Success || len(res.Problems) != 0 {
			t.Fatalf("fix: %+v", res)
		}
		d.Expect("/hello", 200, `{"v":8}`)
	})

	run("handler that throws is a 500 and a runtime error on its line", func(t *testing.T) {
		d.Edit("src/api/hello/route.ts", "export const GET = (req: any, res: any) => {\n  const x: any = undefined\n  res.json({ v: x.foo })\n}\n")
		n := len(d.RuntimeErrors())
		code, _ := get(t, d.URL+"/hello")
		if code != 500 {
			t.Fatalf("status %d", code)
		}
		testutil.Eventually(t, waitFor, func() string {
			if len(d.RuntimeErrors()) == n {
				return "no runtime error reported"
			}
			return ""
		})
		errs := d.RuntimeErrors()
		e := errs[len(errs)-1]
		if e.Method != "GET" || e.Path != "/hello" || len(e.Problems) == 0 {
			t.Fatalf("runtime error %+v", e)
		}
		p := e.Problems[0]
		if filepath.Base(p.File) != "route.ts" || p.Line != 3 || !strings.Contains(p.Message, "foo") {
			t.Fatalf("problem %+v", p)
		}
	})

	run("shared file change reloads the routes that import it", func(t *testing.T) {
		res := d.Edit("src/lib/greeting.ts", strings.Replace(greetingLib, "%s", "v2", 1))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		d.Expect("/greet", 200, "hi ada v2")
	})

	run("workflow step edit", func(t *testing.T) {
		d.Expect("/wf", 200, "hello ada v1")
		src := mustRead(t, filepath.Join(d.Root, "src/workflows/hello.ts"))
		res := d.Edit("src/workflows/hello.ts", strings.Replace(src, "v1", "v2", 1))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		d.poll("/wf", "hello ada v2")
	})

	run("module service edit", func(t *testing.T) {
		d.Expect("/greeter", 200, "greetings ada v1")
		src := mustRead(t, filepath.Join(d.Root, "src/modules/greeter/service.ts"))
		res := d.Edit("src/modules/greeter/service.ts", strings.Replace(src, "v1", "v2", 1))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		d.poll("/greeter", "greetings ada v2")
	})

	run("subscriber edit, event emitted from the editor's command", func(t *testing.T) {
		src := mustRead(t, filepath.Join(d.Root, "src/subscribers/product-created.ts"))
		res := d.Edit("src/subscribers/product-created.ts", strings.Replace(src, "FIXTURE-SUB v1", "FIXTURE-SUB v2", 1))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		raw, err := d.Sup.Call(context.Background(), ipc.CmdEmitEvent, ipc.EmitArgs{Name: "product.created", Data: json.RawMessage(`{"id":"p42"}`)})
		if err != nil {
			t.Fatal(err)
		}
		var er ipc.EmitResult
		if err := json.Unmarshal(raw, &er); err != nil || er.Name != "product.created" || len(er.Subscribers) != 1 {
			t.Fatalf("emit result %s (%v)", raw, err)
		}
		d.waitOutput("FIXTURE-SUB v2 product.created p42")
		if strings.Contains(d.Out.String(), "FIXTURE-SUB v1 product.created p42") {
			t.Fatal("the old subscriber also ran")
		}
	})

	run("emit reports each subscriber's outcome", func(t *testing.T) {
		src := mustRead(t, filepath.Join(d.Root, "src/subscribers/product-created.ts"))
		defer d.Edit("src/subscribers/product-created.ts", src)
		for _, tc := range []struct {
			name, body, fail string
		}{
			{"throws", `throw new Error("no stock for " + event.data.id)`, "no stock for p7"},
			{"rejects later", `await new Promise((_, no) => setTimeout(() => no(new Error("late " + event.data.id)), 20))`, "late p7"},
			{"succeeds", `await new Promise((ok) => setTimeout(ok, 20))`, ""},
		} {
			body := strings.Replace(src, "logger.info(", tc.body+"\n  logger.info(", 1)
			if res := d.Edit("src/subscribers/product-created.ts", body); !res.Success {
				t.Fatalf("%s: %+v", tc.name, res)
			}
			raw, err := d.Sup.Call(context.Background(), ipc.CmdEmitEvent, ipc.EmitArgs{Name: "product.created", Data: json.RawMessage(`{"id":"p7"}`)})
			if err != nil {
				t.Fatal(err)
			}
			var er ipc.EmitResult
			if err := json.Unmarshal(raw, &er); err != nil || len(er.Outcomes) != 1 {
				t.Fatalf("%s: emit result %s (%v)", tc.name, raw, err)
			}
			if o := er.Outcomes[0]; (tc.fail == "") != (o.Error == "") || !strings.Contains(o.Error, tc.fail) {
				t.Fatalf("%s: outcome %+v, want error %q", tc.name, o, tc.fail)
			}
		}
	})

	run("subscriber that throws while loading is an error on its line", func(t *testing.T) {
		src := mustRead(t, filepath.Join(d.Root, "src/subscribers/product-created.ts"))
		res := d.Edit("src/subscribers/product-created.ts", "const cfg: any = undefined\nconst event = cfg.event\n"+src)
		if res.Success || len(res.Errors) == 0 {
			t.Fatalf("Medusa says success; want the failure it logged: %+v", res)
		}
		e := res.Errors[0]
		if filepath.Base(e.File) != "product-created.ts" || e.Line != 2 || !strings.Contains(e.Message, "event") {
			t.Fatalf("error %+v", e)
		}
		res = d.Edit("src/subscribers/product-created.ts", src)
		if !res.Success || len(res.Problems) != 0 {
			t.Fatalf("fix: %+v", res)
		}
	})

	run("job edit, run from the editor's command", func(t *testing.T) {
		src := mustRead(t, filepath.Join(d.Root, "src/jobs/tick.ts"))
		res := d.Edit("src/jobs/tick.ts", strings.Replace(src, "FIXTURE-JOB v1", "FIXTURE-JOB v2", 1))
		if !res.Success {
			t.Fatalf("%+v", res)
		}
		raw, err := d.Sup.Call(context.Background(), ipc.CmdRunJob, ipc.RunJobArgs{Name: "fixture-tick"})
		if err != nil {
			t.Fatal(err)
		}
		var rr ipc.RunJobResult
		if err := json.Unmarshal(raw, &rr); err != nil || rr.Name != "fixture-tick" {
			t.Fatalf("run-job result %s (%v)", raw, err)
		}
		d.waitOutput("FIXTURE-JOB v2 tick")
		raw, err = d.Sup.Call(context.Background(), ipc.CmdJobs, nil)
		var jobs []ipc.JobInfo
		if err != nil || json.Unmarshal(raw, &jobs) != nil {
			t.Fatalf("jobs %s (%v)", raw, err)
		}
		var tick ipc.JobInfo // the fixture has two jobs: fixture-tick and fixture-sync-brands
		for _, j := range jobs {
			if j.Name == "fixture-tick" {
				tick = j
			}
		}
		if len(jobs) != 2 || tick.Schedule != "* * * * *" || tick.Next.IsZero() {
			t.Fatalf("jobs %s (%v)", raw, err)
		}
		if _, err := d.Sup.Call(context.Background(), ipc.CmdRunJob, ipc.RunJobArgs{Name: "nope"}); err == nil || !strings.Contains(err.Error(), `no scheduled job named "nope"`) {
			t.Fatalf("unknown job: %v", err)
		}
	})

	run("deleting a workflow does not restart", func(t *testing.T) {
		writeFile(t, d.Root, "src/api/wf/route.ts", "export const GET = (req: any, res: any) => res.json({ gone: true })\n")
		d.poll("/wf", "gone")
		// The new workflow's own reload first: removing the file while it is being loaded
		// would fail that reload (the file went away), which is not what this checks.
		before := len(d.Results("reload"))
		extra := filepath.Join(d.Root, "src/workflows/extra.ts")
		writeFile(t, d.Root, "src/workflows/extra.ts", "import { createWorkflow, WorkflowResponse } from \"@medusajs/framework/workflows-sdk\"\nexport default createWorkflow(\"fixture-extra\", () => new WorkflowResponse(\"x\"))\n")
		testutil.Eventually(t, waitFor, func() string {
			for _, r := range d.Results("reload")[before:] {
				if slices.Contains(r.Files, extra) {
					if !r.Success {
						t.Fatalf("adding the workflow: %+v", r)
					}
					return ""
				}
			}
			return "no reload of src/workflows/extra.ts"
		})
		n := len(d.Results("restart"))
		res := d.remove("src/workflows/extra.ts")
		if !res.Success || res.Restart {
			t.Fatalf("%+v", res)
		}
		if len(d.Results("restart")) != n {
			t.Fatal("restarted")
		}
	})

	run("no failed request during 20 reloads and 2 restarts (.env, medusa-config)", func(t *testing.T) {
		writeFile(t, d.Root, "src/api/hello/route.ts", nodeRouteTS("9"))
		d.poll("/hello", `{"v":9}`)
		stop := make(chan struct{})
		bad := hammer(d.URL+"/hello", stop)
		for i := 1; i <= 20; i++ {
			if res := d.Edit("src/api/hello/route.ts", nodeRouteTS(fmt.Sprint(100+i))); !res.Success {
				t.Fatalf("reload %d: %+v", i, res.Errors)
			}
		}
		d.Expect("/flavor", 200, `"plain"`)
		n := len(d.Results("restart"))
		env := mustRead(t, filepath.Join(d.Root, ".env"))
		writeFile(t, d.Root, ".env", env+"FIXTURE_FLAVOR=salted\n")
		if res := d.WaitResultWithin("restart", 3*time.Minute, n); !res.Success {
			t.Fatalf(".env restart: %+v", res)
		}
		d.Expect("/flavor", 200, `"salted"`)
		cfg := mustRead(t, filepath.Join(d.Root, "medusa-config.ts"))
		writeFile(t, d.Root, "medusa-config.ts", cfg+"\n// touched\n")
		if res := d.WaitResultWithin("restart", 3*time.Minute, n+1); !res.Success {
			t.Fatalf("medusa-config restart: %+v", res)
		}
		close(stop)
		if b := bad(); len(b) > 0 {
			t.Fatalf("%d requests failed: %v", len(b), b[:min(len(b), 5)])
		}
		d.Expect("/hello", 200, `{"v":120}`)
	})

	run("Medusa killed is restarted", func(t *testing.T) {
		pids := childPIDs(t, os.Getpid())
		if len(pids) == 0 {
			t.Fatal("no child")
		}
		n := len(d.Results("restart"))
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		d.WaitResultWithin("restart", 3*time.Minute, n)
		d.poll("/hello", `{"v":120}`)
	})

	run("stopping leaves no Node process behind", func(t *testing.T) {
		pids := childPIDs(t, os.Getpid())
		if len(pids) == 0 {
			t.Fatal("no Node process to watch")
		}
		d.Stop()
		for _, p := range pids {
			testutil.Eventually(t, waitFor, func() string {
				if syscall.Kill(p, 0) == nil {
					return fmt.Sprintf("process %d outlived the supervisor", p)
				}
				return ""
			})
		}
	})
}

// A project that Medusa cannot even boot (a route throws while loading): the error is on its
// line, and the save that fixes it brings the server up, without waiting for anything.
func TestNodeRuntimeBrokenAtBootRecovers(t *testing.T) {
	root := medusafixture.ForTest(t, map[string]string{
		"src/api/hello/route.ts": "const key: string | undefined = undefined\nif (!key) throw new Error(\"STRIPE_KEY is not set\")\nexport const GET = (req: any, res: any) => res.json({ v: 1 })\n",
	})
	d := runDev(t, root, func(o *devserver.Options) { o.Runtime = devserver.RuntimeNode })
	sup := d.Sup
	d.WaitStateWithin(devserver.StateError, 3*time.Minute)
	var found bool
	for _, p := range sup.Problems() {
		if filepath.Base(p.File) == "route.ts" && p.Line == 2 && strings.Contains(p.Message, "STRIPE_KEY is not set") {
			found = true
		}
	}
	if !found {
		t.Fatalf("problems %+v", sup.Problems())
	}
	d.URL = sup.URL()
	writeFile(t, root, "src/api/hello/route.ts", nodeRouteTS("2"))
	d.WaitStateWithin(devserver.StateReady, 3*time.Minute)
	d.Expect("/hello", 200, `{"v":2}`)
	if ps := sup.Problems(); len(ps) != 0 {
		t.Fatalf("problems after the fix: %+v", ps)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (d *dev) waitOutput(want string) {
	d.T.Helper()
	testutil.Eventually(d.T, waitFor, func() string {
		if !strings.Contains(d.Out.String(), want) {
			return fmt.Sprintf("output lacks %q:\n%s", want, d.Out.String())
		}
		return ""
	})
}

// remove deletes a file and waits for the reload it causes.
func (d *dev) remove(rel string) ipc.Result {
	d.T.Helper()
	n := len(d.Results("reload"))
	if err := os.Remove(filepath.Join(d.Root, filepath.FromSlash(rel))); err != nil {
		d.T.Fatal(err)
	}
	return d.WaitReloadOf(n, rel)
}
