//go:build unix

package devserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

var cutMarker = regexp.MustCompile(`LLLL… \[(\d+) bytes cut\]`)

// Output of any size passes through, cut, and the child never dies of its own output.
func TestHugeLogLinesAndErrorsKeepTheChildAlive(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/pid/route.ts":       routeTS(`res.json({ pid: process.pid })`),
		"src/api/big-log/route.ts":   routeTS(`console.log("L".repeat(5 * 1024 * 1024)); console.log("after-the-long-line"); res.json({ ok: 1 })`),
		"src/api/big-error/route.ts": routeTS(`throw new Error("E".repeat(70 * 1024 * 1024))`),
	}, func(o *devserver.Options) { o.TaskTimeout = 20 * time.Second })
	_, before := get(t, d.url+"/pid")
	d.expect("/big-log", 200, `{"ok":1}`)
	client := &http.Client{Timeout: waitFor}
	resp, err := client.Get(d.url + "/big-error")
	if err != nil {
		t.Fatalf("GET /big-error: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("GET /big-error = %d", resp.StatusCode)
	}
	d.expect("/pid", 200, before) // the same process still serves
	d.expect("/big-log", 200, `{"ok":1}`)
	d.until(waitFor, func() string {
		out := d.out.String()
		gotLog := false
		if m := cutMarker.FindStringSubmatch(out); m != nil {
			n, _ := strconv.Atoi(m[1])
			gotLog = n > 5<<20-64<<10 && n < 5<<20 // the rest of the 5 MiB line, after its first 64 KiB
		}
		gotErr := false
		for _, e := range d.runtimeErrors() {
			if e.Path == "/big-error" && len(e.Problems) > 0 && strings.Contains(e.Problems[0].Message, "bytes cut]") && len(e.Problems[0].Message) < 64<<10 {
				gotErr = true
			}
		}
		if gotLog && gotErr && strings.Count(out, "after-the-long-line") == 2 {
			return ""
		}
		return fmt.Sprintf("cut log line %v, cut runtime error %v; output (%d bytes) ends:\n%s", gotLog, gotErr, len(out), out[max(0, len(out)-3000):])
	})
	if n := len(d.results("restart")); n != 0 {
		t.Fatalf("the child restarted %d times", n)
	}
	for _, line := range strings.Split(d.out.String(), "\n") {
		if len(line) > 70<<10 {
			t.Fatalf("a line of %d bytes reached the terminal", len(line))
		}
	}
}

// Query strings and urlencoded bodies never reach Object.prototype, in the request that carries
// them or in any later one.
func TestQueryStringCannotPolluteThePrototype(t *testing.T) {
	probe := `const o: any = {}
  const a: any = []
  res.json({ query: req.query, body: (req as any).body ?? null,
    x: o.x ?? null, y: o.y ?? null, z: o.z ?? null, ax: a.x ?? null,
    own: Object.getOwnPropertyNames(Object.prototype).filter((k) => ["x", "y", "z", "polluted"].includes(k)),
    ctor: typeof o.constructor, toStr: typeof o.toString })`
	d := startDev(t, map[string]string{
		"src/api/probe/route.ts": routeTS(probe) + "export async function POST(req: any, res: any) {\n  " + probe + "\n}\n",
	}, nil)
	clean := `"x":null,"y":null,"z":null,"ax":null,"own":[],"ctor":"function","toStr":"function"`
	for _, q := range []string{
		"__proto__[x]=1",
		"constructor[prototype][y]=1",
		"a[__proto__][z]=1&a[constructor][prototype][z]=1",
		"__proto__.x=1&constructor.prototype.y=1",
		"__proto__=x&constructor=y&toString=z",
		"a[0]=1&__proto__[polluted]=1",
	} {
		code, body := get(t, d.url+"/probe?"+q)
		if code != 200 || !strings.Contains(body, clean) {
			t.Fatalf("GET /probe?%s = %d %s", q, code, body)
		}
		resp, err := http.Post(d.url+"/probe", "application/x-www-form-urlencoded", strings.NewReader(q))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), clean) {
			t.Fatalf("POST /probe %s = %d %s", q, resp.StatusCode, b)
		}
	}
	d.expect("/probe?a[0]=1&b[c]=2", 200, `"query":{"a":["1"],"b":{"c":"2"}}`) // the parser is the one under test
	d.expect("/probe", 200, clean)                                             // and nothing lingers for later requests
}

// notReady GETs (or POSTs) url once and returns the status, the 503's message, and how long the
// answer took.
func notReady(t *testing.T, method, url string) (int, string, time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: waitFor, Transport: &http.Transport{DisableKeepAlives: true}}
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

// After four exits within 30 s no child runs: every request gets a 503 at once that says why,
// and the supervisor tries again with a back-off that the log and the status show.
func TestCrashLoopAnswers503AtOnceAndRetries(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/pid/route.ts": routeTS(`res.json({ pid: process.pid })`)}, nil)
	pid := func() int {
		_, body := get(t, d.url+"/pid")
		var p int
		fmt.Sscanf(body, `{"pid":%d}`, &p)
		if p == 0 {
			t.Fatalf("body %q", body)
		}
		return p
	}
	var crashed time.Time
	for i := 1; i <= 4; i++ {
		p := pid()
		n := len(d.results("restart"))
		crashed = time.Now()
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if i < 4 {
			d.waitResult("restart", n)
			if pid() == p {
				t.Fatalf("crash %d: the same process serves after the restart", i)
			}
		}
	}
	// The first request after the 4th crash is answered by the supervisor, not left waiting.
	code, msg, _ := notReady(t, "GET", d.url+"/pid")
	first := time.Since(crashed)
	if code != 503 || !strings.Contains(msg, "the dev server exited") || !strings.Contains(msg, "retrying in 1s (attempt 2), or on a change") {
		t.Fatalf("after 4 crashes: %d %q", code, msg)
	}
	t.Logf("4th crash to first 503: %s", first)
	if first > 2*time.Second {
		t.Fatalf("the first 503 came %s after the 4th crash", first)
	}
	if st := d.sup.Status(); st.State != devserver.StateError || st.Attempts != 1 || st.RetryAt.IsZero() || !strings.Contains(st.Message, "retrying in") {
		t.Fatalf("status %+v", st)
	}
	if !strings.Contains(d.out.String(), "retrying in 1s (attempt 2)") {
		t.Fatalf("the log does not say when it retries:\n%s", d.out.String())
	}
	// What the editor's medusa/status shows: the state events.
	shown := false
	d.mu.Lock()
	for _, e := range d.events {
		if e.Status != nil && e.Status.State == devserver.StateError && strings.Contains(e.Status.Message, "retrying in 1s (attempt 2)") {
			shown = true
		}
	}
	d.mu.Unlock()
	if !shown {
		t.Fatal("no status event says when it retries")
	}
	// The retry brings it back by itself.
	d.waitState(devserver.StateReady)
	if code, msg, _ := notReady(t, "GET", d.url+"/pid"); code != 200 {
		t.Fatalf("after the retry: %d %q", code, msg)
	}
	if st := d.sup.Status(); st.State != devserver.StateReady || st.Attempts != 0 {
		t.Fatalf("status after the retry %+v", st)
	}
}

// Medusa that exits at boot (its database is down) gives every request an immediate 503 with
// the reason, on every path, instead of a wait until the ready timeout.
func TestNodeBootFailureAnswers503AtOnce(t *testing.T) {
	closed := testutil.FreePort(t) // nothing listens there
	env, err := os.ReadFile(filepath.Join(medusafixture.Dir(), ".env.example"))
	if err != nil {
		t.Skipf("the node fixture is not there: %v", err)
	}
	dotenv := regexp.MustCompile(`(?m)^DATABASE_URL=.*$`).ReplaceAllString(string(env), fmt.Sprintf("DATABASE_URL=postgres://medusa:medusa@127.0.0.1:%d/medusa_ls_test", closed))
	root := medusafixture.ForTest(t, map[string]string{".env": dotenv})
	d := runDev(t, root, func(o *devserver.Options) {
		o.Runtime = devserver.RuntimeNode
		o.ReadyTimeout = 3 * time.Minute
	})
	d.waitURL(3 * time.Minute)
	// Medusa waits for its database without a word (it does not exit): requests are answered
	// at once with why, while it boots.
	code, msg, took := notReady(t, "GET", d.url+"/store/products")
	if code != 503 || !strings.HasPrefix(msg, "Medusa cannot start: ") || took > time.Second {
		t.Fatalf("GET /store/products while booting: %d %q after %s; output:\n%s", code, msg, took, d.out.String())
	}
	if !strings.Contains(msg, fmt.Sprintf("127.0.0.1:%d", closed)) || !strings.Contains(msg, "DATABASE_URL") {
		t.Fatalf("the reason does not name the database: %q", msg)
	}
	t.Logf("answered after %s: %s", took, msg)
	for _, p := range []struct{ method, path string }{{"GET", "/store/products"}, {"GET", "/admin/users"}, {"POST", "/store/carts"}, {"GET", "/hello"}, {"GET", "/"}} {
		code, msg, took := notReady(t, p.method, d.url+p.path)
		if code != 503 || !strings.HasPrefix(msg, "Medusa cannot start: ") || took > time.Second {
			t.Fatalf("%s %s: %d %q after %s", p.method, p.path, code, msg, took)
		}
	}
	if !strings.Contains(d.out.String(), "Medusa cannot start: the database in DATABASE_URL (127.0.0.1:") {
		t.Fatalf("the log does not say why Medusa does not start:\n%s", d.out.String())
	}
}

// loadResult is what a load generator saw.
type loadResult struct {
	requests, failed int
	last             string
}

// load sends requests without pause from workers connections (keep-alive, POST so that the
// client never retries one silently) until stop is closed.
func load(url string, workers int, stop <-chan struct{}) func() loadResult {
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: waitFor, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
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
				res.requests++
				if bad != "" {
					res.failed++
					res.last = bad
				}
				mu.Unlock()
			}
		}()
	}
	return func() loadResult {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return res
	}
}

// Restarts (.env and medusa-config changes) under load lose no request: the old child finishes
// every request it accepted, and closes keep-alive connections only between requests.
func TestRestartsUnderLoadLoseNoRequest(t *testing.T) {
	d := startDev(t, map[string]string{
		".env":                  "N=0\n",
		"src/api/echo/route.ts": "export async function POST(req: any, res: any) {\n  res.json({ n: process.env.N, pid: process.pid })\n}\n",
	}, nil)
	stop := make(chan struct{})
	wait := load(d.url+"/echo", 4, stop)
	for i := 1; i <= 20; i++ {
		n := len(d.results("restart"))
		if i%2 == 0 {
			writeFile(t, d.root, "medusa-config.ts", storeConfig+fmt.Sprintf("// %d\n", i))
		} else {
			writeFile(t, d.root, ".env", fmt.Sprintf("N=%d\n", i))
		}
		if res := d.waitResult("restart", n); !res.Success {
			t.Fatalf("restart %d: %+v", i, res.Errors)
		}
	}
	close(stop)
	res := wait()
	if res.failed != 0 || res.requests < 100 {
		t.Fatalf("%d of %d requests failed across 20 restarts; last: %s", res.failed, res.requests, res.last)
	}
	t.Logf("%d requests across 20 restarts, none failed", res.requests)
}

// Medusa that exits at boot (here: the database refuses its password) gives every request a
// 503 with its first error line as soon as it has exited, on every path, with the database
// hint because the log says so, and boots again after a back-off.
func TestNodeExitAtBootAnswers503AtOnce(t *testing.T) {
	env, err := os.ReadFile(filepath.Join(medusafixture.Dir(), ".env.example"))
	if err != nil {
		t.Skipf("the node fixture is not there: %v", err)
	}
	dotenv := strings.Replace(string(env), "postgres://medusa:medusa@", "postgres://medusa:wrong-password@", 1)
	root := medusafixture.ForTest(t, map[string]string{".env": dotenv})
	d := runDev(t, root, func(o *devserver.Options) {
		o.Runtime = devserver.RuntimeNode
		o.ReadyTimeout = 3 * time.Minute
	})
	d.waitURL(time.Minute)
	code, msg, took := notReady(t, "GET", d.url+"/store/products") // sent while Medusa boots
	if code != 503 || !strings.HasPrefix(msg, "Medusa exited: ") || !strings.Contains(msg, "; retrying in") {
		t.Fatalf("GET /store/products while booting: %d %q after %s; output:\n%s", code, msg, took, d.out.String())
	}
	if !strings.Contains(msg, "password authentication failed") || !strings.Contains(msg, "DATABASE_URL") {
		t.Fatalf("the reason does not name the database's refusal: %q", msg)
	}
	t.Logf("answered after %s: %s", took, msg)
	for _, p := range []struct{ method, path string }{{"GET", "/admin/users"}, {"POST", "/store/carts"}, {"GET", "/hello"}, {"GET", "/"}} {
		code, msg, took := notReady(t, p.method, d.url+p.path)
		if code != 503 || !strings.HasPrefix(msg, "Medusa exited: ") || took > time.Second {
			t.Fatalf("%s %s: %d %q after %s", p.method, p.path, code, msg, took)
		}
	}
	if st := d.sup.Status(); st.State != devserver.StateError || !strings.HasPrefix(st.Message, "Medusa exited: ") || st.RetryAt.IsZero() || st.Attempts < 1 {
		t.Fatalf("status %+v", st)
	}
}

// writeInPlace saves content over rel the way editors that write in place and Python's
// open(p, "w") do: truncate, then write in two pieces with a gap. With split, the file is
// also closed while empty, and written by a second open.
func writeInPlace(t *testing.T, root, rel, content string, gap time.Duration, split bool) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if split {
		f.Close()
		time.Sleep(gap)
		if f, err = os.OpenFile(p, os.O_WRONLY, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The first piece is whole lines that load by themselves: a module with no handler, which
	// would remove the route if it were loaded.
	i := strings.Index(content, "\n") + 1
	if _, err := f.Write([]byte(content[:i])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(gap)
	if _, err := f.Write([]byte(content[i:])); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Saves that truncate and then write never let an empty or half-written file replace working
// code: 100 of them under constant requests, not one answer other than 2xx.
func TestInPlaceSavesUnderLoadNeverFail(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/echo/route.ts": postRoute(0)}, nil)
	stop := make(chan struct{})
	wait := load(d.url+"/echo", 2, stop)
	var slowest time.Duration
	for i := 1; i <= 100; i++ {
		n := len(d.results("reload"))
		begin := time.Now()
		writeInPlace(t, d.root, "src/api/echo/route.ts", postRoute(i), 10*time.Millisecond, i%2 == 0)
		res := d.waitResult("reload", n)
		if !res.Success || len(res.Reloaded) != 1 {
			t.Fatalf("save %d: %+v", i, res)
		}
		slowest = max(slowest, time.Since(begin))
		resp, err := http.Post(d.url+"/echo", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), fmt.Sprintf(`"v":%d`, i)) {
			t.Fatalf("after save %d: %s", i, b)
		}
	}
	close(stop)
	res := wait()
	if res.failed != 0 {
		t.Fatalf("%d of %d requests failed across 100 in-place saves; last: %s", res.failed, res.requests, res.last)
	}
	if extra := len(d.results("reload")); extra != 100 {
		t.Fatalf("%d reloads for 100 saves: a partial file was loaded", extra)
	}
	t.Logf("%d requests across 100 in-place saves, none failed; slowest save to reload %s", res.requests, slowest)
}

func postRoute(v int) string {
	return "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\n" +
		fmt.Sprintf("export async function POST(req: MedusaRequest, res: MedusaResponse) {\n  res.json({ v: %d })\n}\n", v)
}

// The same for the node runtime: Medusa restarts (.env changes) under load lose no request.
func TestNodeRestartsUnderLoadLoseNoRequest(t *testing.T) {
	env, err := os.ReadFile(filepath.Join(medusafixture.Dir(), ".env.example"))
	if err != nil {
		t.Skipf("the node fixture is not there: %v", err)
	}
	echo := "export const POST = (req: any, res: any) => res.json({ n: process.env.N, pid: process.pid })\n"
	files := map[string]string{".env": string(env) + "N=0\n", "src/api/echo/route.ts": echo}
	maps.Copy(files, hugeLogRoutes)
	d := startNode(t, files)
	// First, on the same Medusa (one boot less): huge output changes nothing, no restart.
	t.Run("huge log lines and errors keep Medusa alive", func(st *testing.T) {
		d.t = st
		defer func() { d.t = t }()
		hugeLogLinesAndErrorsKeepMedusaAlive(st, d)
	})
	if t.Failed() {
		t.FailNow()
	}
	stop := make(chan struct{})
	wait := load(d.url+"/echo", 1, stop)
	const restarts = 3 // each boots a whole Medusa, 5-30 s on a busy machine
	for i := 1; i <= restarts; i++ {
		n := len(d.results("restart"))
		writeFile(t, d.root, ".env", string(env)+fmt.Sprintf("N=%d\n", i))
		if res := d.waitResultWithin("restart", 3*time.Minute, n); !res.Success {
			t.Fatalf("restart %d did not succeed; output:\n%s", i, d.out.String())
		}
	}
	close(stop)
	res := wait()
	if res.failed != 0 || res.requests < 100 {
		t.Fatalf("%d of %d requests failed across %d Medusa restarts; last: %s", res.failed, res.requests, restarts, res.last)
	}
	t.Logf("%d requests across %d Medusa restarts, none failed", res.requests, restarts)
}

// Commands work as soon as the port answers: the control socket is listening before the child
// starts, and a command that arrives before the supervisor has taken the child in waits for it.
func TestEmitRightAfterTheFirstAnswer(t *testing.T) {
	files := map[string]string{
		"src/api/ok/route.ts":        routeTS(`res.json({ ok: 1 })`),
		"src/subscribers/created.ts": "export default async function created() {}\nexport const config = { event: \"product.created\" }\n",
	}
	for i := 0; i < 5; i++ {
		root := t.TempDir()
		writeFile(t, root, "medusa-config.ts", storeConfig)
		for rel, c := range files {
			writeFile(t, root, rel, c)
		}
		d := runDev(t, root, nil)
		d.waitURL(waitFor)
		// As a client that tries the port until it answers (an HTTP answer: nothing to wait on).
		testutil.Eventually(t, waitFor, func() string {
			resp, err := http.Get(d.url + "/ok")
			if err != nil {
				return "the port never answered 200: " + err.Error()
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Sprintf("the port answered %d", resp.StatusCode)
			}
			return ""
		})
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		out, err := devserver.Control(ctx, root, string(ipc.CmdEmitEvent), ipc.EmitArgs{Name: "product.created", Data: json.RawMessage(`{}`)})
		cancel()
		if err != nil || !strings.Contains(string(out), "created") {
			t.Fatalf("try %d: emit right after the first 200: %s %v", i, out, err)
		}
		d.stop()
	}
}

// With two dev servers on one project, the second takes the commands over when the first exits.
func TestSecondDevServerTakesCommandsOver(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/subscribers/created.ts", "export default async function created() {}\nexport const config = { event: \"product.created\" }\n")
	first := startDevAt(t, root, nil)
	second := startDevAt(t, root, nil)
	if !strings.Contains(second.out.String(), "another medusa-ls") {
		t.Fatalf("the second did not see the first:\n%s", second.out.String())
	}
	first.stop()
	// The second says when it has taken the socket over; commands reach it from then on.
	second.until(waitFor, func() string {
		if !second.logged("commands from other processes now reach this dev server") {
			return "the second did not say it took over"
		}
		return ""
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := devserver.Control(ctx, root, string(ipc.CmdEmitEvent), ipc.EmitArgs{Name: "product.created", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatalf("commands do not reach the second dev server: %v\n%s", err, second.out.String())
	}
}

// The same for the node runtime: Medusa's own output of any size passes through, and Medusa
// keeps serving after a 5 MiB console.log and a 70 MiB error (d serves hugeLogRoutes).
func hugeLogLinesAndErrorsKeepMedusaAlive(t *testing.T, d *dev) {
	_, before := get(t, d.url+"/big-log")
	var first struct{ PID int }
	_ = json.Unmarshal([]byte(before), &first)
	if first.PID == 0 {
		t.Fatalf("GET /big-log: %s", before)
	}
	client := &http.Client{Timeout: 2 * waitFor}
	resp, err := client.Get(d.url + "/big-error")
	if err != nil {
		t.Fatalf("GET /big-error: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("GET /big-error = %d", resp.StatusCode)
	}
	d.expect("/big-log", 200, fmt.Sprintf(`"pid":%d`, first.PID)) // the same Medusa still serves
	d.until(waitFor, func() string {
		if out := d.out.String(); !cutMarker.MatchString(out) || strings.Count(out, "after-the-long-line") < 2 {
			return fmt.Sprintf("no cut line in the output (%d bytes), ends:\n%s", len(out), out[max(0, len(out)-2000):])
		}
		return ""
	})
	if n := len(d.results("restart")); n != 0 {
		t.Fatalf("Medusa restarted %d times", n)
	}
	// the huge error still reaches the editor, cut, on its route's line
	d.until(waitFor, func() string {
		for _, e := range d.runtimeErrors() {
			for _, p := range e.Problems {
				if strings.HasSuffix(p.File, "big-error/route.ts") && p.Line == 1 && len(p.Message) < 64<<10 {
					return ""
				}
			}
		}
		return fmt.Sprintf("no runtime error on big-error/route.ts:1: %+v", d.runtimeErrors())
	})
}

// hugeLogRoutes log a 5 MiB line and throw a 70 MiB error.
var hugeLogRoutes = map[string]string{
	"src/api/big-log/route.ts":   "export const GET = (req: any, res: any) => { console.log(\"L\".repeat(5 * 1024 * 1024)); console.log(\"after-the-long-line\"); res.json({ ok: 1, pid: process.pid }) }\n",
	"src/api/big-error/route.ts": "export const GET = (req: any, res: any) => { throw new Error(\"E\".repeat(70 * 1024 * 1024)) }\n",
}

// A writer that keeps the file open does not hold its change back for ever.
func TestFileKeptOpenForWritingStillReloads(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/echo/route.ts": postRoute(0)}, nil)
	n := len(d.results("reload"))
	f, err := os.OpenFile(filepath.Join(d.root, "src/api/echo/route.ts"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	begin := time.Now()
	if _, err := f.Write([]byte(postRoute(1))); err != nil {
		t.Fatal(err)
	}
	if res := d.waitResult("reload", n); !res.Success || len(res.Reloaded) != 1 {
		t.Fatalf("%+v", res)
	}
	t.Logf("reloaded %s after the write, the file still open", time.Since(begin))
	resp, err := http.Post(d.url+"/echo", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"v":1`) {
		t.Fatalf("body %s", b)
	}
}
