package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/medusa-ls/medusa-ls/internal/storefront"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// httpClient sends the development publishable key, as a storefront does: the embedded
// runtime's /store routes require it, as Medusa's do.
var httpClient = storefront.Client(waitFor)

func TestCapabilitiesAndLifecycle(t *testing.T) {
	root := newProject(t, "store", map[string]string{"src/api/hello/route.ts": routeTS(`res.json({ v: 1 })`)})
	c := newClient(t)
	res := c.start(root, map[string]any{"autoStart": false}, protocol.ClientCapabilities{})
	b, _ := json.Marshal(res.Capabilities)
	for _, want := range []string{`"textDocumentSync":{"openClose":true,"save":{}}`, `"codeLensProvider":{}`, `"workspaceSymbolProvider":true`, `"medusa.restart"`, `"medusa.reloadAll"`, `"medusa.stop"`, `"medusa.start"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("capabilities %s lack %s", b, want)
		}
	}
	if res.ServerInfo == nil || res.ServerInfo.Name != "medusa-ls" || res.ServerInfo.Version == "" {
		t.Errorf("serverInfo %+v", res.ServerInfo)
	}
	if err := c.call("shutdown", nil, nil); err != nil {
		t.Fatal(err)
	}
	c.notify("exit", nil)
	select {
	case code := <-c.code:
		if code != 0 {
			t.Fatalf("exit code %d after shutdown", code)
		}
		c.code <- code
	case <-time.After(waitFor):
		t.Fatal("no exit")
	}
}

func TestBadInputDoesNotCrash(t *testing.T) {
	c := newClient(t)
	var res any
	err := c.call("textDocument/hover", map[string]any{}, &res)
	if e, ok := err.(*jsonrpc2.Error); !ok || e.Code != -32002 {
		t.Fatalf("before initialize: %v", err)
	}
	root := newProject(t, "store", map[string]string{})
	c.start(root, map[string]any{"autoStart": false}, protocol.ClientCapabilities{})
	err = c.call("textDocument/hover", map[string]any{}, &res)
	if e, ok := err.(*jsonrpc2.Error); !ok || e.Code != jsonrpc2.MethodNotFound {
		t.Fatalf("unknown method: %v", err)
	}
	c.notify("$/someExtension", map[string]any{"x": 1})
	c.notify("textDocument/didSave", map[string]any{"textDocument": "not an object"})
	// Raw garbage on the wire: a header line without a colon, a bad length, and a frame that is
	// not JSON. The server logs them and keeps reading.
	junk := "garbage line\r\nContent-Length: nope\r\n\r\nContent-Length: 9\r\n\r\n{not json"
	if _, err := c.raw.Write([]byte(junk)); err != nil {
		t.Fatal(err)
	}
	var syms []protocol.SymbolInformation
	if err := c.call("workspace/symbol", map[string]any{"query": ""}, &syms); err != nil {
		t.Fatalf("the server stopped answering after bad input: %v", err)
	}
	// initializationOptions of the wrong type are a clear error.
	c2 := newClient(t)
	err = c2.call("initialize", map[string]any{"rootUri": string(uri.File(root)), "capabilities": map[string]any{}, "initializationOptions": map[string]any{"port": "nine"}}, &res)
	if err == nil || !strings.Contains(err.Error(), `"port"`) {
		t.Fatalf("bad option: %v", err)
	}
}

func TestSaveReloadsAndPublishesDiagnostics(t *testing.T) {
	root := newProject(t, "my shop ü", map[string]string{
		"src/api/store/hello/route.ts": routeTS(`res.json({ v: 1 })`),
		"src/api/store/boom/route.ts":  routeTS("if (req.query.fail) { throw new Error(\"kaboom\") }\n  res.json({ ok: true })"),
	})
	c := newClient(t)
	c.start(root, nil, protocol.ClientCapabilities{})
	st := c.waitStatus(ready)
	route := filepath.Join(root, "src/api/store/hello/route.ts")

	t.Run("status has the credentials /store requires", func(t *testing.T) {
		if st.Credentials == nil || st.Credentials.PublishableKey != storefront.Key || st.Credentials.AdminToken == "" {
			t.Fatalf("medusa/status credentials = %+v; want the development key %s and tokens", st.Credentials, storefront.Key)
		}
		for _, tt := range []struct {
			key  string
			code int
		}{{"", 400}, {st.Credentials.PublishableKey, 200}} {
			req, _ := http.NewRequest("GET", st.URL+"/store/hello", nil)
			if tt.key != "" {
				req.Header.Set("x-publishable-api-key", tt.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Errorf("GET /store/hello with key %q = %d, want %d", tt.key, resp.StatusCode, tt.code)
			}
		}
	})
	t.Run("syntax error", func(t *testing.T) {
		c.save(route, routeTS(`res.json({ v: 2 )`))
		ds := c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
		d := ds[0]
		if d.Source != "medusa" || d.Code != "syntax-error" || d.Severity != protocol.DiagnosticSeverityError || d.Range.Start.Line != 2 {
			t.Fatalf("%+v", d)
		}
		if code, body := get(t, st.URL+"/store/hello"); code != 200 || body != `{"v":1}` {
			t.Fatalf("old code should keep serving: %d %s", code, body)
		}
		c.waitStatus(func(s statusParams) bool { return s.Errors > 0 && s.LastReload != nil && !s.LastReload.OK })
	})
	t.Run("the diagnostics come before the reload's log lines", func(t *testing.T) {
		// An editor waits for the diagnostics; the terminal's report of the failed reload
		// follows them, whole and in order.
		failed := "[HMR] reload of src/api/store/hello/route.ts failed"
		c.until(func() string {
			for _, raw := range c.notesOf("window/logMessage") {
				if strings.Contains(string(raw), "res.json({ v: 2 )") {
					return ""
				}
			}
			return "no log line with the code frame"
		})
		c.mu.Lock()
		notes := slices.Clone(c.notes)
		c.mu.Unlock()
		diagAt, failedAt, frameAt := -1, -1, -1
		for i, n := range notes {
			switch {
			case diagAt < 0 && n.method == "textDocument/publishDiagnostics" && strings.Contains(string(n.params), "syntax-error"):
				diagAt = i
			case failedAt < 0 && n.method == "window/logMessage" && strings.Contains(string(n.params), failed):
				failedAt = i
			case frameAt < 0 && n.method == "window/logMessage" && strings.Contains(string(n.params), "res.json({ v: 2 )"):
				frameAt = i
			}
		}
		if diagAt < 0 || !(diagAt < failedAt && failedAt < frameAt) {
			t.Fatalf("publishDiagnostics at %d, %q at %d, its code frame at %d; want them in this order", diagAt, failed, failedAt, frameAt)
		}
	})
	t.Run("fix clears with an empty list", func(t *testing.T) {
		c.save(route, routeTS(`res.json({ v: 3 })`))
		c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
		if _, raw, _ := c.diagnostics(route); !strings.Contains(raw, `"diagnostics":[]`) {
			t.Fatalf("cleared with %s; want an empty list, never null", raw)
		}
		if code, body := get(t, st.URL+"/store/hello"); code != 200 || body != `{"v":3}` {
			t.Fatalf("%d %s", code, body)
		}
		c.waitStatus(func(s statusParams) bool { return s.Errors == 0 && s.LastReload != nil && s.LastReload.OK })
	})
	t.Run("runtime error on the throwing line until the file reloads", func(t *testing.T) {
		boom := filepath.Join(root, "src/api/store/boom/route.ts")
		if code, _ := get(t, st.URL+"/store/boom?fail=1"); code != 500 {
			t.Fatalf("status %d", code)
		}
		ds := c.waitDiagnostics(boom, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
		if ds[0].Code != "runtime-error" || ds[0].Range.Start.Line != 2 || !strings.Contains(ds[0].Message, "GET /store/boom") || !strings.Contains(ds[0].Message, "kaboom") {
			t.Fatalf("%+v", ds[0])
		}
		c.save(boom, routeTS(`res.json({ ok: "fixed" })`))
		c.waitDiagnostics(boom, func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
	})
	t.Run("log lines reach the client", func(t *testing.T) {
		found := false
		for _, raw := range c.notesOf("window/logMessage") {
			if strings.Contains(string(raw), "[HMR] reloaded src/api/store/hello/route.ts") {
				found = true
			}
		}
		if !found {
			t.Fatal("no window/logMessage with the reload line")
		}
	})
	t.Run("saves outside the project or in ignored folders do nothing", func(t *testing.T) {
		// A reload's log lines follow its diagnostics: wait for the last one's.
		c.waitReloadLog("src/api/store/boom/route.ts")
		before := countReloadLogs(c)
		outside := filepath.Join(t.TempDir(), "x.ts")
		c.save(outside, "export const x = 1\n")
		c.save(filepath.Join(root, "node_modules/pkg/index.js"), "module.exports = 1\n")
		c.save(filepath.Join(root, "notes.log"), "hello\n")
		// A save after these: its reload comes after anything they caused, or with it.
		later := filepath.Join(root, "src/api/store/later/route.ts")
		c.save(later, routeTS(`res.json({ later: 1 })`))
		line := c.waitReloadLog("src/api/store/later/route.ts")
		if after := reloadLogs(c)[before:]; len(after) != 1 || after[0] != line {
			t.Fatalf("reloads for ignored saves: %q", after)
		}
	})
}

func countReloadLogs(c *client) int { return len(reloadLogs(c)) }

// reloadLogs returns the log lines of reloads sent so far.
func reloadLogs(c *client) []string {
	var out []string
	for _, raw := range c.notesOf("window/logMessage") {
		if strings.Contains(string(raw), "[HMR] reloaded") || strings.Contains(string(raw), "[HMR] reload of") {
			out = append(out, string(raw))
		}
	}
	return out
}

// waitReloadLog waits for the log line of a reload of rel alone, and returns it: every reload
// before it has been logged by then.
func (c *client) waitReloadLog(rel string) string {
	c.t.Helper()
	var line string
	c.until(func() string {
		for _, l := range reloadLogs(c) {
			if strings.Contains(l, "[HMR] reloaded "+rel+" (") {
				line = l
				return ""
			}
		}
		return fmt.Sprintf("no reload of %s alone in %q", rel, reloadLogs(c))
	})
	return line
}

func TestBrokenAtStartupIsPublishedBeforeAnySave(t *testing.T) {
	root := newProject(t, "store", map[string]string{
		"src/api/bad/route.ts":   routeTS(`res.json({ v: 1 )`),
		"src/api/empty/route.ts": "export const helper = 1\n",
	})
	c := newClient(t)
	c.start(root, nil, protocol.ClientCapabilities{})
	c.waitStatus(ready)
	ds := c.waitDiagnostics(filepath.Join(root, "src/api/bad/route.ts"), func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if ds[0].Code != "syntax-error" {
		t.Fatalf("%+v", ds)
	}
	ws := c.waitDiagnostics(filepath.Join(root, "src/api/empty/route.ts"), func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if len(ws) != 1 || ws[0].Severity != protocol.DiagnosticSeverityWarning || ws[0].Code != "convention" {
		t.Fatalf("one convention warning, not duplicated by the runtime's: %+v", ws)
	}
}

func TestConventionWarningsWithoutRunning(t *testing.T) {
	root := newProject(t, "store", map[string]string{
		"src/api/a/route.ts":     "export function get(req: any, res: any) {}\nexport const POST = { not: \"a function\" }\n",
		"src/api/b/route.ts":     routeTS(`res.json({})`),
		"src/api/middlewares.ts": "import { defineMiddlewares } from \"@medusajs/framework/http\"\nexport default defineMiddlewares({ routes: [{ matcher: \"/bb\", middlewares: [] }, { matcher: \"/b\", middlewares: [] }] })\n",
	})
	c := newClient(t)
	c.start(root, map[string]any{"autoStart": false}, protocol.ClientCapabilities{})
	a := c.waitDiagnostics(filepath.Join(root, "src/api/a/route.ts"), func(ds []protocol.Diagnostic) bool { return len(ds) >= 2 })
	var msgs []string
	for _, d := range a {
		msgs = append(msgs, fmt.Sprintf("%d:%s", d.Range.Start.Line+1, d.Message))
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{`1:"get" is not an HTTP method export`, `2:POST is exported but is not a function`} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "exports no handler") {
		t.Errorf("%q: the misnamed exports already say why nothing is served", got)
	}
	mw := c.waitDiagnostics(filepath.Join(root, "src/api/middlewares.ts"), func(ds []protocol.Diagnostic) bool { return len(ds) == 1 })
	if !strings.Contains(mw[0].Message, `"/bb" matches no route`) {
		t.Fatalf("%+v", mw)
	}
	c.waitStatus(func(s statusParams) bool { return s.State != "" }) // the status follows initialized
	if st := c.lastStatus(); st.State != "stopped" {
		t.Fatalf("autoStart false must not start the dev server: %+v", st)
	}
}

func TestCommandsLensesAndSymbols(t *testing.T) {
	root := newProject(t, "store", map[string]string{
		"src/api/store/hello/route.ts":      routeTS(`res.json({ pid: process.pid })`),
		"src/api/store/items/[id]/route.ts": "export const GET = (req: any, res: any) => res.json({})\nexport async function POST(req: any, res: any) { res.json({}) }\n",
	})
	c := newClient(t)
	c.start(root, nil, protocol.ClientCapabilities{})
	st := c.waitStatus(ready)

	var lenses []protocol.CodeLens
	if err := c.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": string(uri.File(filepath.Join(root, "src/api/store/items/[id]/route.ts")))}}, &lenses); err != nil {
		t.Fatal(err)
	}
	if len(lenses) != 2 || lenses[0].Command.Title != "GET "+st.URL+"/store/items/:id" || lenses[0].Command.Command != CmdOpenURL || lenses[1].Range.Start.Line != 1 {
		t.Fatalf("lenses %+v", lenses)
	}
	var syms []protocol.SymbolInformation
	if err := c.call("workspace/symbol", map[string]any{"query": "items"}, &syms); err != nil {
		t.Fatal(err)
	}
	if len(syms) != 2 || syms[0].Name != "GET /store/items/:id" || syms[1].Name != "POST /store/items/:id" {
		t.Fatalf("symbols %+v", syms)
	}

	_, before := get(t, st.URL+"/store/hello")
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdRestart}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() string {
		if _, after := get(t, st.URL+"/store/hello"); after == before {
			return "restart did not replace the process: " + after
		}
		return ""
	})
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdReloadAll}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdStop}, nil); err != nil {
		t.Fatal(err)
	}
	c.waitStatus(func(s statusParams) bool { return s.State == "stopped" })
	if _, err := httpClient.Get(st.URL + "/store/hello"); err == nil {
		t.Fatal("the port still answers after stop")
	}
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdStart}, nil); err != nil {
		t.Fatal(err)
	}
	c.waitStatus(ready)
	if err := c.call("workspace/executeCommand", map[string]any{"command": "medusa.bogus"}, nil); err == nil {
		t.Fatal("an unknown command must be an error")
	}
}

func TestShutdownLeavesNoChildAndTwoProjectsGetTwoPorts(t *testing.T) {
	ws := t.TempDir()
	a := filepath.Join(ws, "apps", "a")
	b := filepath.Join(ws, "apps", "b")
	for _, root := range []string{a, b} {
		writeFile(t, filepath.Join(root, "medusa-config.ts"), testConfig)
		writeFile(t, filepath.Join(root, "src/api/who/route.ts"), routeTS(fmt.Sprintf(`res.json({ me: %q })`, filepath.Base(root))))
	}
	c := newClient(t)
	c.start(ws, map[string]any{"port": testutil.FreePort(t)}, protocol.ClientCapabilities{})
	var urls []string
	c.until(func() string {
		seen := map[string]string{}
		c.mu.Lock()
		for _, s := range c.status {
			if s.State == "ready" {
				seen[s.Root] = s.URL
			}
		}
		c.mu.Unlock()
		if len(seen) != 2 {
			return fmt.Sprintf("ready projects: %v", seen)
		}
		urls = []string{seen[a], seen[b]}
		return ""
	})
	if urls[0] == urls[1] {
		t.Fatalf("both projects on %s", urls[0])
	}
	if _, body := get(t, urls[1]+"/who"); body != `{"me":"b"}` {
		t.Fatalf("second project: %s", body)
	}
	if len(childrenOf(a)) != 1 {
		t.Fatalf("children of a: %v", childrenOf(a))
	}
	if err := c.call("shutdown", nil, nil); err != nil {
		t.Fatal(err)
	}
	c.notify("exit", nil)
	eventually(t, func() string {
		if kids := append(childrenOf(a), childrenOf(b)...); len(kids) > 0 {
			return fmt.Sprintf("children left: %v", kids)
		}
		return ""
	})
}

func TestEditorDyingStopsEverything(t *testing.T) {
	root := newProject(t, "store", map[string]string{"src/api/x/route.ts": routeTS(`res.json({})`)})
	c := newClient(t)
	c.start(root, nil, protocol.ClientCapabilities{})
	c.waitStatus(ready)
	c.raw.Close() // stdin closed
	eventually(t, func() string {
		if kids := childrenOf(root); len(kids) > 0 {
			return fmt.Sprintf("children left: %v", kids)
		}
		return ""
	})
}

func TestWatchedFilesAndSaveReloadOnce(t *testing.T) {
	root := newProject(t, "store", map[string]string{"src/api/x/route.ts": routeTS(`res.json({ v: 1 })`)})
	c := newClient(t)
	c.watch = true
	caps := protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesWorkspaceClientCapabilities{DynamicRegistration: true}}}
	c.start(root, nil, caps)
	st := c.waitStatus(ready)
	c.until(func() string {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.reqs {
			if r == "client/registerCapability" {
				return ""
			}
		}
		return "no registration for workspace/didChangeWatchedFiles"
	})
	before := countReloadLogs(c)
	route := filepath.Join(root, "src/api/x/route.ts")
	c.save(route, routeTS(`res.json({ v: 2 })`))
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": string(uri.File(route)), "type": 2}}})
	eventually(t, func() string {
		if _, body := get(t, st.URL+"/x"); body != `{"v":2}` {
			return "not reloaded: " + body
		}
		return ""
	})
	// A save after these: its reload comes after any that the change seen twice caused, and
	// alone (a second report of the change would be a reload of its own, or join this one).
	c.save(filepath.Join(root, "src/api/later/route.ts"), routeTS(`res.json({ later: 1 })`))
	c.waitReloadLog("src/api/later/route.ts")
	if n := countReloadLogs(c) - before - 1; n != 1 {
		t.Fatalf("%d reloads for one change seen twice: %q", n, reloadLogs(c)[before:])
	}
	// A change made outside the editor, reported only by the client's watcher.
	writeFile(t, route, routeTS(`res.json({ v: 3 })`))
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": string(uri.File(route)), "type": 2}}})
	eventually(t, func() string {
		if _, body := get(t, st.URL+"/x"); body != `{"v":3}` {
			return "not reloaded: " + body
		}
		return ""
	})
}

func TestProgressOnlyAfterTheClientAcknowledges(t *testing.T) {
	root := newProject(t, "store", map[string]string{"src/api/x/route.ts": routeTS(`res.json({})`), ".env": "A=1\n"})
	c := newClient(t)
	caps := protocol.ClientCapabilities{Window: &protocol.WindowClientCapabilities{WorkDoneProgress: true}}
	c.start(root, nil, caps)
	c.waitStatus(ready)
	c.save(filepath.Join(root, ".env"), "A=2\n")
	c.until(func() string {
		kinds := ""
		for _, raw := range c.notesOf("$/progress") {
			var p struct {
				Value struct {
					Kind string `json:"kind"`
				} `json:"value"`
			}
			_ = json.Unmarshal(raw, &p)
			kinds += p.Value.Kind + " "
		}
		if !strings.Contains(kinds, "begin") || !strings.Contains(kinds, "end") {
			return "progress kinds: " + kinds
		}
		return ""
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	created := false
	for _, r := range c.reqs {
		if r == "window/workDoneProgress/create" {
			created = true
		}
	}
	if !created {
		t.Fatal("progress sent without window/workDoneProgress/create")
	}
}

func TestCancelRequestAcceptsNumericAndStringIDs(t *testing.T) {
	s := &Server{inflight: map[string]context.CancelFunc{}}
	for _, tc := range []struct {
		id     jsonrpc2.ID
		params string
	}{
		{jsonrpc2.NewNumberID(42), `{"id":42}`},
		{jsonrpc2.NewStringID("abc"), `{"id":"abc"}`},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		s.inflight[fmt.Sprint(tc.id)] = cancel
		s.cancelRequest(json.RawMessage(tc.params))
		if ctx.Err() == nil {
			t.Fatalf("%s did not cancel request %v", tc.params, tc.id)
		}
	}
}

func TestConfigurationChangeMovesThePort(t *testing.T) {
	root := newProject(t, "store", map[string]string{"src/api/x/route.ts": routeTS(`res.json({ x: 1 })`)})
	c := newClient(t)
	first := testutil.FreePort(t)
	c.start(root, map[string]any{"port": first}, protocol.ClientCapabilities{})
	st := c.waitStatus(ready)
	if !strings.HasSuffix(st.URL, fmt.Sprintf(":%d", first)) {
		t.Fatalf("url %s, want port %d", st.URL, first)
	}
	second := testutil.FreePort(t)
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"medusa": map[string]any{"port": second, "env": map[string]string{"FOO": "bar"}}}})
	moved := c.waitStatus(func(s statusParams) bool {
		return s.State == "ready" && strings.HasSuffix(s.URL, fmt.Sprintf(":%d", second))
	})
	if code, body := get(t, moved.URL+"/x"); code != 200 || body != `{"x":1}` {
		t.Fatalf("%d %s", code, body)
	}
	if _, err := httpClient.Get(st.URL + "/x"); err == nil {
		t.Fatal("the old port still answers")
	}
}

func TestEventsAndJobsFromTheEditor(t *testing.T) {
	root := newProject(t, "store", map[string]string{
		"src/lib/seen.ts":       "export const seen: string[] = []\n",
		"src/api/seen/route.ts": "import { seen } from \"../../lib/seen\"\nexport const GET = (req: any, res: any) => res.json(seen)\n",
		"src/subscribers/created.ts": `import { seen } from "../lib/seen"
export default async function created({ event }: any) { seen.push("event " + event.data.id) }
export const config = { event: "product.created" }
`,
		"src/jobs/nightly.ts": `import { seen } from "../lib/seen"
export default async function () { seen.push("job") }
export const config = { name: "nightly", schedule: "0 3 * * *" }
`,
		"src/jobs/broken.ts":     "export default async function () {}\nexport const config = { name: \"broken\", schedule: \"99 * * * *\" }\n",
		"src/workflows/hello.ts": "import { createStep, createWorkflow } from \"@medusajs/framework/workflows-sdk\"\nconst s = createStep(\"say-hi\", async () => {})\nexport const w = createWorkflow({ name: \"hello-workflow\" }, () => { s() })\n",
	})
	c := newClient(t)
	res := c.start(root, nil, protocol.ClientCapabilities{})
	for _, want := range []string{CmdEmitEvent, CmdRunJob} {
		found := false
		for _, cmd := range res.Capabilities.ExecuteCommandProvider.Commands {
			found = found || cmd == want
		}
		if !found {
			t.Fatalf("%s not advertised", want)
		}
	}
	st := c.waitStatus(ready)
	var out map[string]any
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdEmitEvent, "arguments": []any{"product.created", map[string]any{"id": "p1"}}}, &out); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out["subscribers"]) != "[created]" {
		t.Fatalf("emit result %v", out)
	}
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdRunJob, "arguments": []any{"nightly"}}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() string {
		if _, body := get(t, st.URL+"/seen"); !strings.Contains(body, `"event p1"`) || !strings.Contains(body, `"job"`) {
			return "not handled: " + body
		}
		return ""
	})
	if err := c.call("workspace/executeCommand", map[string]any{"command": CmdRunJob, "arguments": []any{"nope"}}, nil); err == nil || !strings.Contains(err.Error(), `no job named "nope"`) {
		t.Fatalf("unknown job: %v", err)
	}

	lenses := func(rel string) []string {
		var ls []protocol.CodeLens
		if err := c.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": string(uri.File(filepath.Join(root, rel)))}}, &ls); err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, l := range ls {
			titles = append(titles, fmt.Sprintf("%d:%s:%s", l.Range.Start.Line+1, l.Command.Title, l.Command.Command))
		}
		return titles
	}
	if got := strings.Join(lenses("src/subscribers/created.ts"), " | "); got != "2:on product.created: | 2:Emit test event:medusa.emitEvent" {
		t.Fatalf("subscriber lenses: %s", got)
	}
	got := strings.Join(lenses("src/jobs/nightly.ts"), " | ")
	if !strings.HasPrefix(got, "2:next run ") || !strings.HasSuffix(got, " | 2:Run now:medusa.runJob") {
		t.Fatalf("job lenses: %s", got)
	}
	var syms []protocol.SymbolInformation
	if err := c.call("workspace/symbol", map[string]any{"query": ""}, &syms); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range syms {
		names = append(names, s.Name)
	}
	if all := strings.Join(names, ","); !strings.Contains(all, "subscriber product.created") || !strings.Contains(all, "job nightly,") || !strings.Contains(all, "workflow hello-workflow") || !strings.Contains(all, "step say-hi") {
		t.Fatalf("symbols %s", all)
	}
	// The bad cron is an error at the schedule line, before and after loading.
	// One cause, one diagnostic: once loaded, the loader's error replaces the static check's.
	ds := c.waitDiagnostics(filepath.Join(root, "src/jobs/broken.ts"), func(ds []protocol.Diagnostic) bool {
		return len(ds) == 1 && ds[0].Code == "load-error"
	})
	if d := ds[0]; d.Range.Start.Line != 1 || !strings.Contains(d.Message, "invalid schedule") {
		t.Fatalf("%+v", d)
	}
}
