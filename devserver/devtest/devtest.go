// Package devtest runs a dev server (a devserver.Supervisor) on a project for the length of a
// test, as net/http/httptest runs an HTTP server: the tests of devserver and of its runtimes
// share it. The children are real processes, running the medusa-ls binary that Main builds once
// per test binary.
package devtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/storefront"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// Binary is medusa-ls built once per test binary by Main: the children are real processes.
var Binary string

// Main is a TestMain: it builds Binary, runs the tests and, when they passed, checks that none
// left a goroutine running (the supervisors, proxies, watchers and control servers they started
// have stopped).
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "medusa-ls-e2e")
	if err != nil {
		panic(err)
	}
	Binary = filepath.Join(dir, "medusa-ls")
	build := exec.Command("go", "build", "-o", Binary, "github.com/medusa-ls/medusa-ls/cmd/medusa-ls")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building medusa-ls:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// WaitFor is a correctness bound for asynchronous outcomes, generous so slow machines pass.
const WaitFor = 30 * time.Second

// Dev is a dev server run for a test (Start, StartAt, Run) and what it has reported.
type Dev struct {
	T    *testing.T            // the test that fails when a wait does; a test may set it to a subtest
	Root string                // the project
	Sup  *devserver.Supervisor // the dev server
	URL  string                // its address, once it serves
	Out  *testutil.Buffer      // its terminal

	mu     sync.Mutex
	events []devserver.Event
	sig    testutil.Signal // notified after every event
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// StoreConfig is a minimal medusa-config.ts.
const StoreConfig = `import { defineConfig, loadEnv } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())
module.exports = defineConfig({ projectConfig: { http: {} } })
`

// RouteTS is a route file whose GET runs body.
func RouteTS(body string) string {
	return "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\n" +
		"export async function GET(req: MedusaRequest, res: MedusaResponse) {\n  " + body + "\n}\n"
}

// WriteFile writes content to rel under root.
func WriteFile(t *testing.T, root, rel, content string) {
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

// Start runs a supervisor on a new project of files (a minimal medusa-config.ts unless files has
// one) until the test ends, and waits until it serves.
func Start(t *testing.T, files map[string]string, configure func(*devserver.Options)) *Dev {
	t.Helper()
	root := t.TempDir()
	if _, ok := files["medusa-config.ts"]; !ok {
		WriteFile(t, root, "medusa-config.ts", StoreConfig)
	}
	for rel, c := range files {
		WriteFile(t, root, rel, c)
	}
	return StartAt(t, root, configure)
}

// StartAt runs a supervisor on the project in root until the test ends, and waits until
// it serves.
func StartAt(t *testing.T, root string, configure func(*devserver.Options)) *Dev {
	t.Helper()
	d := Run(t, root, configure)
	d.WaitState(devserver.StateReady)
	d.URL = d.Sup.URL()
	return d
}

// Run runs a supervisor on the project in root until the test ends.
func Run(t *testing.T, root string, configure func(*devserver.Options)) *Dev {
	t.Helper()
	d := &Dev{T: t, Root: root, Out: &testutil.Buffer{}, done: make(chan error, 1)}
	opts := devserver.Options{
		Root: root, Port: testutil.FreePort(t), Exe: Binary, Watch: true, Output: d.Out,
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
	d.Sup = sup
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- sup.Run(ctx) }()
	t.Cleanup(d.Stop)
	return d
}

// Stop stops the supervisor, once.
func (d *Dev) Stop() {
	d.once.Do(func() {
		d.cancel()
		select {
		case <-d.done:
		case <-time.After(WaitFor):
			d.T.Error("supervisor did not stop")
		}
		if d.T.Failed() {
			d.T.Logf("output:\n%s", d.Out.String())
		}
	})
}

// WaitState waits for the state.
func (d *Dev) WaitState(want devserver.State) {
	d.T.Helper()
	d.WaitStateWithin(want, WaitFor)
}

// WaitStateWithin waits for the state: every change of state is followed by an event.
func (d *Dev) WaitStateWithin(want devserver.State, limit time.Duration) {
	d.T.Helper()
	d.Until(limit, func() string {
		if st := d.Sup.Status().State; st != want {
			return fmt.Sprintf("state %s, want %s", st, want)
		}
		return ""
	})
}

// WaitURL waits until the supervisor listens on its port (it sends its first state after).
func (d *Dev) WaitURL(limit time.Duration) {
	d.T.Helper()
	d.Until(limit, func() string {
		if d.URL = d.Sup.URL(); d.URL == "" {
			return "the port is not open"
		}
		return ""
	})
}

// Until re-checks cond after every event of the supervisor (its log lines and output included)
// until it reports "", and fails with its last report and the output after limit.
func (d *Dev) Until(limit time.Duration, cond func() string) {
	d.T.Helper()
	if last := d.sig.WaitFor(limit, cond); last != "" {
		d.T.Fatalf("after %s: %s; output:\n%s", limit, last, d.Out.String())
	}
}

// Logged reports whether a log line (the supervisor's, or its child's output) contains s.
func (d *Dev) Logged(s string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.events {
		if strings.Contains(e.Log, s) {
			return true
		}
	}
	return false
}

// Count returns how many events so far match.
func (d *Dev) Count(match func(devserver.Event) bool) int {
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

// Results returns the results of the given kind seen so far.
func (d *Dev) Results(kind devserver.ResultKind) []ipc.Result {
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

// WaitResult waits until there are more than n results of kind and returns the newest.
func (d *Dev) WaitResult(kind devserver.ResultKind, n int) ipc.Result {
	d.T.Helper()
	return d.WaitResultWithin(kind, WaitFor, n)
}

// WaitResultWithin is WaitResult with limit.
func (d *Dev) WaitResultWithin(kind devserver.ResultKind, limit time.Duration, n int) ipc.Result {
	d.T.Helper()
	var res ipc.Result
	d.Until(limit, func() string {
		rs := d.Results(kind)
		if len(rs) <= n {
			return fmt.Sprintf("no %s result after %d", kind, n)
		}
		res = rs[len(rs)-1]
		return ""
	})
	return res
}

// Edit writes a file and waits for the reload it causes.
func (d *Dev) Edit(rel, content string) ipc.Result {
	d.T.Helper()
	n := len(d.Results("reload"))
	WriteFile(d.T, d.Root, rel, content)
	return d.WaitReloadOf(n, rel)
}

// WaitReloadOf waits for the first reload after the nth whose batch has rel, and returns it: a
// reload still running from an earlier change (the removal of a file a case created, a file a
// case wrote and then waited on through HTTP) is not taken for this one.
func (d *Dev) WaitReloadOf(n int, rel string) ipc.Result {
	d.T.Helper()
	suffix := string(filepath.Separator) + filepath.FromSlash(rel)
	var res ipc.Result
	d.Until(WaitFor, func() string {
		rs := d.Results("reload")
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

// StoreClient sends the development publishable key, as a storefront does: the embedded
// runtime's /store routes require it, as Medusa's do.
var StoreClient = storefront.Client(0)

// Get GETs url with StoreClient and returns the status and the body.
func Get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := StoreClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Expect GETs path and fails unless it answers status with a body containing want.
func (d *Dev) Expect(path string, status int, want string) {
	d.T.Helper()
	code, body := Get(d.T, d.URL+path)
	if code != status || !strings.Contains(body, want) {
		d.T.Fatalf("GET %s = %d %q; want %d containing %q", path, code, body, status, want)
	}
}

// Events returns a copy of the events so far.
func (d *Dev) Events() []devserver.Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]devserver.Event(nil), d.events...)
}

// RuntimeErrors returns the runtime errors reported so far.
func (d *Dev) RuntimeErrors() []ipc.RuntimeError {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []ipc.RuntimeError
	for _, e := range d.events {
		if e.Runtime != nil {
			out = append(out, *e.Runtime)
		}
	}
	return out
}

// ChildPIDs returns the processes whose parent is parent.
func ChildPIDs(t *testing.T, parent int) []int {
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

// CutMarker is where the terminal cut a huge line of L's.
var CutMarker = regexp.MustCompile(`LLLL… \[(\d+) bytes cut\]`)

// NotReady GETs (or POSTs) url once and returns the status, the 503's message, and how long the
// answer took.
func NotReady(t *testing.T, method, url string) (int, string, time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: WaitFor, Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(method, url, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var body struct{ Type, Message string }
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &body)
	if resp.StatusCode == 503 && body.Type != "not_ready" {
		t.Fatalf("%s %s: 503 %s, want type not_ready", method, url, b)
	}
	return resp.StatusCode, body.Message, time.Since(begin)
}

// LoadResult is what a load generator saw.
type LoadResult struct {
	Requests, Failed int
	Last             string // the last failure
}

// Load sends requests without pause from workers connections (keep-alive, POST so that the
// client never retries one silently) until stop is closed.
func Load(url string, workers int, stop <-chan struct{}) func() LoadResult {
	var mu sync.Mutex
	var res LoadResult
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: WaitFor, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post(url, "application/json", strings.NewReader(`{"n":1}`))
				bad := ""
				if err != nil {
					bad = err.Error()
				} else {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						bad = fmt.Sprintf("%d %s", resp.StatusCode, b)
					}
				}
				mu.Lock()
				res.Requests++
				if bad != "" {
					res.Failed++
					res.Last = bad
				}
				mu.Unlock()
			}
		}()
	}
	return func() LoadResult {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return res
	}
}
