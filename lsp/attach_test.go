package lsp

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/devtest"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// developProcess runs `medusa-ls develop` on root, a real process, until the test ends or stop.
type developProcess struct {
	cmd  *exec.Cmd
	out  *testutil.Buffer
	url  string
	done chan struct{}
}

func startDevelop(t *testing.T, root string) *developProcess {
	t.Helper()
	port := testutil.FreePort(t)
	d := &developProcess{out: &testutil.Buffer{}, url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	d.cmd = exec.Command(devtest.Binary, "develop", root, "--port", fmt.Sprint(port), "--timeout", "500ms")
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.stop(t)
		if t.Failed() {
			t.Logf("develop's output:\n%s", d.out.String())
		}
	})
	return d
}

// stop interrupts develop, as Ctrl-C does, and waits for it to exit.
func (d *developProcess) stop(t *testing.T) {
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-d.done:
	case <-time.After(waitFor):
		_ = d.cmd.Process.Kill()
		t.Error("develop did not exit on SIGINT")
	}
}

// The editor and a terminal's `medusa-ls develop` on one project: one dev server. The language
// server attaches to develop's (status, diagnostics, commands), and takes over on develop's port
// when develop exits.
func TestEditorAttachesToARunningDevelopAndTakesOver(t *testing.T) {
	root := newProject(t, "store", map[string]string{
		"src/lib/seen.ts":       "export const seen: string[] = []\n",
		"src/api/seen/route.ts": "import { seen } from \"../../lib/seen\"\nexport const GET = (req: any, res: any) => res.json({ pid: process.pid, seen })\n",
		"src/api/boom/route.ts": routeTS(`throw new Error("kaboom")`),
		"src/subscribers/created.ts": `import { seen } from "../lib/seen"
export default async function created({ event }: any) { seen.push("event " + event.data.id) }
export const config = { event: "product.created" }
`,
		"src/jobs/nightly.ts": `import { seen } from "../lib/seen"
export default async function () { seen.push("job") }
export const config = { name: "nightly", schedule: "0 3 * * *" }
`,
	})
	dev := startDevelop(t, root)
	testutil.Eventually(t, waitFor, func() string {
		resp, err := httpClient.Get(dev.url + "/seen")
		if err != nil {
			return err.Error()
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Sprintf("GET /seen: %d", resp.StatusCode)
		}
		return ""
	})

	c := newClient(t)
	c.start(root, map[string]any{"port": testutil.FreePort(t)}, protocol.ClientCapabilities{})
	// Right away, before any status: the command goes to develop's dev server.
	var out map[string]any
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdEmitEvent, "arguments": []any{"product.created", map[string]any{"id": "p1"}}}, &out); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out["subscribers"]) != "[created]" {
		t.Fatalf("emit result %v", out)
	}
	st := c.waitStatus(ready)
	if st.URL != dev.url {
		t.Fatalf("the editor serves on %s; develop on %s", st.URL, dev.url)
	}
	if kids := childrenOf(root); len(kids) != 1 {
		t.Fatalf("dev server children: %v, want develop's only", kids)
	}
	_, before := get(t, dev.url+"/seen")
	if !strings.Contains(before, "event p1") {
		t.Fatalf("the event did not reach develop's dev server: %s", before)
	}
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdRunJob, "arguments": []any{"nightly"}}, nil); err != nil {
		t.Fatal(err)
	}

	t.Run("diagnostics from develop", func(t *testing.T) {
		route := filepath.Join(root, "src/api/seen/route.ts")
		c.save(route, "export const GET = (req: any, res: any) => res.json({ v: 2 )\n")
		c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 && ds[0].Code == "syntax-error" })
		c.save(route, "import { seen } from \"../../lib/seen\"\nexport const GET = (req: any, res: any) => res.json({ pid: process.pid, seen })\n")
		c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
		if code, _ := get(t, dev.url+"/boom"); code != 500 {
			t.Fatalf("GET /boom: %d", code)
		}
		boom := filepath.Join(root, "src/api/boom/route.ts")
		c.waitDiagnostics(boom, func(ds []protocol.Diagnostic) bool {
			return len(ds) > 0 && ds[0].Code == "runtime-error" && strings.Contains(ds[0].Message, "kaboom")
		})
	})

	t.Run("stop and start reach develop's dev server", func(t *testing.T) {
		if err := c.call("workspace/executeCommand", map[string]any{"command": CmdStop}, nil); err != nil {
			t.Fatal(err)
		}
		c.waitStatus(func(s statusParams) bool { return s.State == "stopped" })
		if kids := childrenOf(root); len(kids) != 0 {
			t.Fatalf("develop's child still runs: %v", kids)
		}
		if err := c.call("workspace/executeCommand", map[string]any{"command": CmdStart}, nil); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, waitFor, func() string {
			if st := c.lastStatus(); !ready(st) || st.URL != dev.url {
				return fmt.Sprintf("status %+v", st)
			}
			return ""
		})
		if code, _ := get(t, dev.url+"/seen"); code != 200 {
			t.Fatalf("GET /seen after start: %d", code)
		}
	})

	t.Run("develop exits: the editor takes over on its port", func(t *testing.T) {
		_, body := get(t, dev.url+"/seen")
		c.mu.Lock()
		seen := len(c.status)
		c.mu.Unlock()
		stopped := time.Now()
		dev.stop(t)
		var st statusParams
		testutil.Eventually(t, waitFor, func() string {
			c.mu.Lock()
			defer c.mu.Unlock()
			taking := false
			for _, s := range c.status[seen:] {
				taking = taking || s.State == "starting"
				if taking && ready(s) {
					st = s
					return ""
				}
			}
			return fmt.Sprintf("no take-over in %+v", c.status[seen:])
		})
		t.Logf("develop interrupted → the editor's own dev server ready on the same port: %s", time.Since(stopped).Round(time.Millisecond))
		if st.URL != dev.url {
			t.Fatalf("took over on %s, want develop's %s", st.URL, dev.url)
		}
		code, after := get(t, dev.url+"/seen")
		if code != 200 || after == body {
			t.Fatalf("after the take-over: %d %s (before: %s)", code, after, body)
		}
		if kids := childrenOf(root); len(kids) != 1 {
			t.Fatalf("dev server children: %v", kids)
		}
		if err := c.call("workspace/executeCommand", map[string]any{"command": CmdEmitEvent, "arguments": []any{"product.created", map[string]any{"id": "p2"}}}, &out); err != nil {
			t.Fatal(err)
		}
		if _, body := get(t, dev.url+"/seen"); !strings.Contains(body, "event p2") {
			t.Fatalf("the event did not reach the editor's dev server: %s", body)
		}
	})
}

// Two editors and a terminal's develop on one project: when develop exits, one editor takes
// its port over and the other uses that editor's dev server. One dev server throughout.
func TestTwoEditorsKeepOneDevServerWhenDevelopExits(t *testing.T) {
	root := newProject(t, "store", map[string]string{"src/api/pid/route.ts": routeTS(`res.json({ pid: process.pid })`)})
	dev := startDevelop(t, root)
	testutil.Eventually(t, waitFor, func() string {
		resp, err := httpClient.Get(dev.url + "/pid")
		if err != nil {
			return err.Error()
		}
		resp.Body.Close()
		return ""
	})
	editors := []*client{newClient(t), newClient(t)}
	seen := make([]int, len(editors))
	for i, c := range editors {
		c.start(root, map[string]any{"port": testutil.FreePort(t)}, protocol.ClientCapabilities{})
		if st := c.waitStatus(ready); st.URL != dev.url {
			t.Fatalf("editor %d serves on %s, develop on %s", i, st.URL, dev.url)
		}
		c.mu.Lock()
		seen[i] = len(c.status)
		c.mu.Unlock()
	}
	_, before := get(t, dev.url+"/pid")
	dev.stop(t)
	for i, c := range editors {
		testutil.Eventually(t, waitFor, func() string {
			c.mu.Lock()
			defer c.mu.Unlock()
			taking := false
			for _, s := range c.status[seen[i]:] {
				taking = taking || s.State != "ready"
				if taking && ready(s) && s.URL == dev.url {
					return ""
				}
			}
			return fmt.Sprintf("editor %d: no ready status on %s after develop exited: %+v", i, dev.url, c.status[seen[i]:])
		})
	}
	if code, after := get(t, dev.url+"/pid"); code != 200 || after == before {
		t.Fatalf("after the take-over: %d %s (before: %s)", code, after, before)
	}
	if kids := childrenOf(root); len(kids) != 1 {
		t.Fatalf("dev server children: %v, want one", kids)
	}
}
