package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/devtest"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestMain builds the medusa-ls binary the tests start (devtest.Binary) and checks that no
// test leaves a goroutine running (the servers, sessions and supervisors they started).
func TestMain(m *testing.M) { devtest.Main(m) }

const waitFor = 30 * time.Second

const testConfig = "import { defineConfig } from \"@medusajs/framework/utils\"\nmodule.exports = defineConfig({ projectConfig: { http: {} } })\n"

func routeTS(body string) string {
	return "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\n" +
		"export async function GET(req: MedusaRequest, res: MedusaResponse) {\n  " + body + "\n}\n"
}

// newProject writes files into a new project directory (name may contain spaces, unicode…).
func newProject(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	if _, ok := files["medusa-config.ts"]; !ok {
		files["medusa-config.ts"] = testConfig
	}
	for rel, c := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(rel)), c)
	}
	return root
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// client is an editor: it talks to an in-process server over a pipe and records what the
// server sends.
type client struct {
	t     *testing.T
	conn  jsonrpc2.Conn
	raw   net.Conn
	out   *testutil.Buffer
	code  chan int
	watch bool // answer client/registerCapability

	mu       sync.Mutex
	notes    []note
	reqs     []string
	reqNotes []note // the requests, with their params
	status   []statusParams
	got      testutil.Signal // notified after each message from the server
}

type note struct {
	method string
	params json.RawMessage
}

func newClient(t *testing.T) *client {
	t.Helper()
	sc, cc := net.Pipe()
	c := &client{t: t, raw: cc, out: &testutil.Buffer{}, code: make(chan int, 1)}
	logger := slog.New(slog.NewTextHandler(c.out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	go func() {
		c.code <- Serve(context.Background(), sc, sc, sc, Options{Exe: devtest.Binary, Logger: logger, Output: c.out,
			TaskTimeout: 500 * time.Millisecond, RequestTimeout: 10 * time.Second})
	}()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(cc))
	c.conn.Go(context.Background(), c.handle)
	t.Cleanup(func() {
		c.conn.Close()
		select {
		case <-c.code:
		case <-time.After(waitFor):
			t.Error("server did not stop")
		}
		if t.Failed() {
			t.Logf("server output:\n%s", c.out.String())
		}
	})
	return c
}

func (c *client) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	c.mu.Lock()
	if _, ok := req.(*jsonrpc2.Call); ok {
		c.reqs = append(c.reqs, req.Method())
		c.reqNotes = append(c.reqNotes, note{req.Method(), append(json.RawMessage(nil), req.Params()...)})
	} else {
		c.notes = append(c.notes, note{req.Method(), append(json.RawMessage(nil), req.Params()...)})
		if req.Method() == "medusa/status" {
			var st statusParams
			_ = json.Unmarshal(req.Params(), &st)
			c.status = append(c.status, st)
		}
	}
	c.mu.Unlock()
	c.got.Notify()
	if req.Method() == "client/registerCapability" && !c.watch {
		return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.MethodNotFound, "no"))
	}
	return reply(ctx, nil, nil)
}

func (c *client) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatal(err)
	}
}

// start initializes the server on root and waits until its dev server is ready.
func (c *client) start(root string, options map[string]any, caps protocol.ClientCapabilities) protocol.InitializeResult {
	c.t.Helper()
	var res protocol.InitializeResult
	params := map[string]any{"processId": os.Getpid(), "rootUri": string(uri.File(root)), "capabilities": caps}
	if options != nil {
		params["initializationOptions"] = options
	}
	if err := c.call("initialize", params, &res); err != nil {
		c.t.Fatal(err)
	}
	c.notify("initialized", map[string]any{})
	return res
}

func (c *client) waitStatus(cond func(statusParams) bool) statusParams {
	c.t.Helper()
	return c.waitStatusWithin(cond, waitFor)
}

func (c *client) waitStatusWithin(cond func(statusParams) bool, limit time.Duration) statusParams {
	c.t.Helper()
	var st statusParams
	c.untilWithin(limit, func() string {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := len(c.status) - 1; i >= 0; i-- {
			if cond(c.status[i]) {
				st = c.status[i]
				return ""
			}
		}
		return fmt.Sprintf("no matching medusa/status; got %+v", c.lastStatusLocked())
	})
	return st
}

// until re-checks cond after every message from the server until it reports "" (what the
// server sent, and what follows from it), and fails with its last report after waitFor.
func (c *client) until(cond func() string) {
	c.t.Helper()
	c.untilWithin(waitFor, cond)
}

func (c *client) untilWithin(limit time.Duration, cond func() string) {
	c.t.Helper()
	c.got.Wait(c.t, limit, cond)
}

func (c *client) lastStatus() statusParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastStatusLocked()
}

func (c *client) lastStatusLocked() statusParams {
	if len(c.status) == 0 {
		return statusParams{}
	}
	return c.status[len(c.status)-1]
}

func ready(st statusParams) bool { return st.State == "ready" && st.URL != "" }

// diagnostics returns the latest diagnostics published for path, their raw JSON, and how many
// publishes for it there were.
func (c *client) diagnostics(path string) ([]protocol.Diagnostic, string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	want := uri.File(path)
	var last json.RawMessage
	n := 0
	for _, nt := range c.notes {
		if nt.method != "textDocument/publishDiagnostics" {
			continue
		}
		var p protocol.PublishDiagnosticsParams
		if json.Unmarshal(nt.params, &p) == nil && p.URI == want {
			last = nt.params
			n++
		}
	}
	if last == nil {
		return nil, "", 0
	}
	var p protocol.PublishDiagnosticsParams
	_ = json.Unmarshal(last, &p)
	return p.Diagnostics, string(last), n
}

// waitDiagnostics waits until the diagnostics of path satisfy cond.
func (c *client) waitDiagnostics(path string, cond func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	c.t.Helper()
	var got []protocol.Diagnostic
	c.until(func() string {
		ds, raw, n := c.diagnostics(path)
		if n > 0 && cond(ds) {
			got = ds
			return ""
		}
		return fmt.Sprintf("diagnostics of %s never matched; last: %+v (%s)", path, ds, raw)
	})
	return got
}

func (c *client) notesOf(method string) []json.RawMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []json.RawMessage
	for _, n := range c.notes {
		if n.method == method {
			out = append(out, n.params)
		}
	}
	return out
}

func (c *client) save(path, content string) {
	c.t.Helper()
	writeFile(c.t, path, content)
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": string(uri.File(path))}})
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually retries fn until it returns "" or the deadline passes: for what no message from
// the server announces (an HTTP answer, a process gone); for what it sends, use client.until.
func eventually(t *testing.T, fn func() string) {
	t.Helper()
	testutil.Eventually(t, waitFor, fn)
}

func childrenOf(root string) []string {
	out, _ := exec.Command("pgrep", "-f", "medusa-ls start "+root).Output()
	return strings.Fields(string(out))
}
