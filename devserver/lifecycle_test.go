//go:build unix

package devserver_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/devtest"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

func TestSavesDuringAReloadFormOneBatch(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/slow/route.ts": routeTS(`res.json({ v: 0 })`),
		"src/api/a/route.ts":    routeTS(`res.json({ a: 0 })`),
		"src/api/b/route.ts":    routeTS(`res.json({ b: 0 })`),
		"src/api/c/route.ts":    routeTS(`res.json({ c: 0 })`),
	}, func(o *devserver.Options) { o.TaskTimeout = 20 * time.Second })
	n := len(d.Results("reload"))
	// This file's top level keeps the child busy until the marker goes: the next saves arrive
	// while it reloads.
	marker := filepath.Join(d.Root, "hold")
	writeFile(t, d.Root, "hold", "")
	reloading := d.Count(func(e devserver.Event) bool { return e.Status != nil && e.Status.State == devserver.StateReloading })
	writeFile(t, d.Root, "src/api/slow/route.ts", "import fs from \"fs\"\nwhile (fs.existsSync("+fmt.Sprintf("%q", marker)+")) {}\n"+routeTS(`res.json({ v: 1 })`))
	d.Until(waitFor, func() string {
		if d.Count(func(e devserver.Event) bool { return e.Status != nil && e.Status.State == devserver.StateReloading }) == reloading {
			return "the slow file's reload has not started"
		}
		return ""
	})
	for _, f := range []string{"a", "b", "c"} {
		// Saved one by one, and reported as an editor does (the watcher reports them too): they
		// wait for the next batch when Enqueue returns.
		writeFile(t, d.Root, "src/api/"+f+"/route.ts", routeTS(fmt.Sprintf(`res.json({ %s: 1 })`, f)))
		d.Sup.Enqueue(filepath.Join(d.Root, "src/api/"+f+"/route.ts"))
	}
	os.Remove(marker)
	d.WaitResult("reload", n+1)
	// A change saved after these: its reload comes next, so nothing else came in between.
	d.Edit("src/api/later/route.ts", routeTS(`res.json({ later: 1 })`))
	rs := d.Results("reload")[n:]
	if len(rs) != 3 || len(rs[0].Files) != 1 || len(rs[1].Files) != 3 || len(rs[2].Files) != 1 {
		var sizes []int
		for _, r := range rs {
			sizes = append(sizes, len(r.Files))
		}
		t.Fatalf("batches of %v files; want the slow one, then the three saved meanwhile together (then the later one)", sizes)
	}
	d.Expect("/c", 200, `{"c":1}`)
}

func TestInFlightRequestFinishesOnOldCode(t *testing.T) {
	// The request runs until the marker goes, and says when it has started.
	marker := filepath.Join(t.TempDir(), "hold")
	writeFile(t, filepath.Dir(marker), "hold", "")
	d := startDev(t, map[string]string{
		"src/api/slow/route.ts": "import fs from \"fs\"\n" + routeTS(`console.log("the slow request started")
  while (fs.existsSync(`+fmt.Sprintf("%q", marker)+`)) await new Promise((r) => setTimeout(r, 5))
  res.json({ v: "old" })`),
	}, nil)
	type reply struct {
		body string
		err  error
	}
	ch := make(chan reply, 1)
	go func() {
		resp, err := http.Get(d.URL + "/slow")
		if err != nil {
			ch <- reply{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ch <- reply{body: string(b)}
	}()
	d.Until(waitFor, func() string {
		if !d.Logged("the slow request started") {
			return "the slow request has not started"
		}
		return ""
	})
	d.Edit("src/api/slow/route.ts", routeTS(`res.json({ v: "new" })`))
	os.Remove(marker)
	r := <-ch
	if r.err != nil || r.body != `{"v":"old"}` {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	d.Expect("/slow", 200, `{"v":"new"}`)
}

func TestConfigChangeRestartsAndBrokenConfigKeepsOldServer(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/cfg/route.ts": routeTS(`res.json({ name: (req.scope.resolve("configModule") as any).projectConfig.http.storeCors })`),
		"medusa-config.ts":     "import { defineConfig } from \"@medusajs/framework/utils\"\nmodule.exports = defineConfig({ projectConfig: { http: { storeCors: \"one\" } } })\n",
	}, nil)
	d.Expect("/cfg", 200, `"one"`)
	n := len(d.Results("restart"))
	writeFile(t, d.Root, "medusa-config.ts", "import { defineConfig } from \"@medusajs/framework/utils\"\nmodule.exports = defineConfig({ projectConfig: { http: { storeCors: \"two\" } } })\n")
	d.WaitResult("restart", n)
	d.Expect("/cfg", 200, `"two"`)

	writeFile(t, d.Root, "medusa-config.ts", "import { defineConfig } from \"@medusajs/framework/utils\"\nmodule.exports = defineConfig({ projectConfig: { http: { storeCors: \"three\" } } )\n")
	res := d.WaitResult("restart", n+1)
	if res.Success || len(res.Errors) == 0 || res.Errors[0].Code != "syntax-error" {
		t.Fatalf("a broken config must be reported, got %+v", res)
	}
	d.Expect("/cfg", 200, `"two"`)
	if !strings.Contains(d.Out.String(), "still serving the previous one") {
		t.Fatalf("output:\n%s", d.Out.String())
	}
}

func TestUnresponsiveChildIsKilledAndRestarted(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/x/route.ts": routeTS(`res.json({ x: 1 })`)}, func(o *devserver.Options) {
		// The child interrupts runaway code only after 20s; the supervisor gives up after 1s.
		o.TaskTimeout = 20 * time.Second
		o.ReloadTimeout = time.Second
	})
	n := len(d.Results("restart"))
	// The file loops while a marker exists; the marker goes away while the reload hangs, so
	// the restarted child loads the new code.
	marker := d.Root + "/hang"
	writeFile(t, d.Root, "hang", "")
	writeFile(t, d.Root, "src/api/x/route.ts", "import fs from \"fs\"\nwhile (fs.existsSync("+fmt.Sprintf("%q", marker)+")) {}\n"+routeTS(`res.json({ x: 2 })`))
	d.Until(waitFor, func() string { // past the supervisor's 1s limit
		if !d.Logged("did not answer within 1s") {
			return "the supervisor has not given up on the child"
		}
		return ""
	})
	os.Remove(marker)
	d.WaitResult("restart", n)
	d.WaitState(devserver.StateReady)
	d.Expect("/x", 200, `{"x":2}`)
}

func TestChildDiesWithSupervisor(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/api/x/route.ts", routeTS(`res.json({ x: 1 })`))
	cmd, out := developProcess(t, root, testutil.FreePort(t))
	deadline := time.Now().Add(waitFor)
	kids := childPIDs(t, cmd.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("children %v:\n%s", kids, out.String())
	}
	cmd.Process.Kill() // no chance to clean up
	cmd.Wait()
	testutil.Eventually(t, time.Until(deadline), func() string {
		if syscall.Kill(kids[0], 0) == nil {
			return fmt.Sprintf("child %d outlived a killed supervisor", kids[0])
		}
		return ""
	})
}

func TestEmitAndRunJobFromTheTerminal(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/lib/seen.ts", "export const seen: string[] = []\n")
	writeFile(t, root, "src/api/seen/route.ts", "import { seen } from \"../../lib/seen\"\nexport const GET = (req: any, res: any) => res.json(seen)\n")
	writeFile(t, root, "src/subscribers/created.ts", "import { seen } from \"../lib/seen\"\nexport default async function created({ event }: any) { seen.push(event.data.id) }\nexport const config = { event: \"product.created\" }\n")
	writeFile(t, root, "src/jobs/nightly.ts", "import { seen } from \"../lib/seen\"\nexport default async function () { seen.push(\"job\") }\nexport const config = { name: \"nightly\", schedule: \"0 3 * * *\" }\n")

	// Nothing runs yet: a clear error.
	out, err := exec.Command(devtest.Binary, "emit", "product.created", "--dir", root).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "no medusa-ls dev server is running") {
		t.Fatalf("without develop: %v %s", err, out)
	}

	port := testutil.FreePort(t)
	dev, log := developProcess(t, root, port)
	defer func() {
		dev.Process.Signal(syscall.SIGTERM)
		dev.Wait()
	}()
	deadline := time.Now().Add(waitFor)
	run := func(args ...string) string {
		cmd := exec.Command(devtest.Binary, args...)
		cmd.Dir = root + "/src" // found by walking up
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("medusa-ls %v: %v\n%s\nlog:\n%s", args, err, out, log.String())
		}
		return string(out)
	}
	if out := run("emit", "product.created", "--data", `{"id":"p7"}`); !strings.Contains(out, "emitted product.created to created") {
		t.Fatalf("emit: %s", out)
	}
	if out := run("run-job", "nightly"); !strings.Contains(out, "ran job nightly in") {
		t.Fatalf("run-job: %s", out)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/seen", port)
	testutil.Eventually(t, time.Until(deadline), func() string {
		if _, body := get(t, url); body != `["p7","job"]` {
			return "seen " + body
		}
		return ""
	})
}

// A reload's result carries the state it leaves, so that a listener (the language server's
// status) never shows the new problems with a state that still says "reloading".
func TestReloadResultCarriesTheStateItLeaves(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/a/route.ts": routeTS(`res.json({ a: 1 })`)}, nil)
	for _, tc := range []struct {
		name, content string
		errors        int
	}{
		{"broken", "export const GET = (req: any, res: any) => {\n", 1},
		{"fixed", routeTS(`res.json({ a: 2 })`), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d.Edit("src/api/a/route.ts", tc.content)
			var last *devserver.Event
			events := d.Events()
			prev, at := -1, -1
			for i := range events {
				if e := &events[i]; e.Result != nil && e.Kind == devserver.ResultReload {
					last, prev, at = e, at, i
				}
			}
			if last == nil || last.Status == nil {
				t.Fatalf("reload result without a status: %+v", last)
			}
			// Listeners hear of the reload once, before its result (announceReloading).
			reloading := 0
			for _, e := range events[prev+1 : at] {
				if e.Status != nil && e.Status.State == devserver.StateReloading {
					reloading++
				}
			}
			if reloading != 1 {
				t.Fatalf("%d reloading states between this reload's result and the one before; want 1", reloading)
			}
			if last.Status.State != devserver.StateReady || last.Status.Errors != tc.errors {
				t.Fatalf("status with the result: %s, %d errors; want ready, %d", last.Status.State, last.Status.Errors, tc.errors)
			}
		})
	}
}
