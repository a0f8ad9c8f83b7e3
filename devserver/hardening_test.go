//go:build unix

package devserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// Output of any size passes through, cut, and the child never dies of its own output.
func TestHugeLogLinesAndErrorsKeepTheChildAlive(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/pid/route.ts":       routeTS(`res.json({ pid: process.pid })`),
		"src/api/big-log/route.ts":   routeTS(`console.log("L".repeat(5 * 1024 * 1024)); console.log("after-the-long-line"); res.json({ ok: 1 })`),
		"src/api/big-error/route.ts": routeTS(`throw new Error("E".repeat(70 * 1024 * 1024))`),
	}, func(o *devserver.Options) { o.TaskTimeout = 20 * time.Second })
	_, before := get(t, d.URL+"/pid")
	d.Expect("/big-log", 200, `{"ok":1}`)
	client := &http.Client{Timeout: waitFor}
	resp, err := client.Get(d.URL + "/big-error")
	if err != nil {
		t.Fatalf("GET /big-error: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("GET /big-error = %d", resp.StatusCode)
	}
	d.Expect("/pid", 200, before) // the same process still serves
	d.Expect("/big-log", 200, `{"ok":1}`)
	d.Until(waitFor, func() string {
		out := d.Out.String()
		gotLog := false
		if m := cutMarker.FindStringSubmatch(out); m != nil {
			n, _ := strconv.Atoi(m[1])
			gotLog = n > 5<<20-64<<10 && n < 5<<20 // the rest of the 5 MiB line, after its first 64 KiB
		}
		gotErr := false
		for _, e := range d.RuntimeErrors() {
			if e.Path == "/big-error" && len(e.Problems) > 0 && strings.Contains(e.Problems[0].Message, "bytes cut]") && len(e.Problems[0].Message) < 64<<10 {
				gotErr = true
			}
		}
		if gotLog && gotErr && strings.Count(out, "after-the-long-line") == 2 {
			return ""
		}
		return fmt.Sprintf("cut log line %v, cut runtime error %v; output (%d bytes) ends:\n%s", gotLog, gotErr, len(out), out[max(0, len(out)-3000):])
	})
	if n := len(d.Results("restart")); n != 0 {
		t.Fatalf("the child restarted %d times", n)
	}
	for _, line := range strings.Split(d.Out.String(), "\n") {
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
		code, body := get(t, d.URL+"/probe?"+q)
		if code != 200 || !strings.Contains(body, clean) {
			t.Fatalf("GET /probe?%s = %d %s", q, code, body)
		}
		resp, err := http.Post(d.URL+"/probe", "application/x-www-form-urlencoded", strings.NewReader(q))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), clean) {
			t.Fatalf("POST /probe %s = %d %s", q, resp.StatusCode, b)
		}
	}
	d.Expect("/probe?a[0]=1&b[c]=2", 200, `"query":{"a":["1"],"b":{"c":"2"}}`) // the parser is the one under test
	d.Expect("/probe", 200, clean)                                             // and nothing lingers for later requests
}

// After four exits within 30 s no child runs: every request gets a 503 at once that says why,
// and the supervisor tries again with a back-off that the log and the status show.
func TestCrashLoopAnswers503AtOnceAndRetries(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/pid/route.ts": routeTS(`res.json({ pid: process.pid })`)}, nil)
	pid := func() int {
		_, body := get(t, d.URL+"/pid")
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
		n := len(d.Results("restart"))
		crashed = time.Now()
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if i < 4 {
			d.WaitResult("restart", n)
			if pid() == p {
				t.Fatalf("crash %d: the same process serves after the restart", i)
			}
		}
	}
	// The first request after the 4th crash is answered by the supervisor, not left waiting.
	code, msg, _ := notReady(t, "GET", d.URL+"/pid")
	first := time.Since(crashed)
	if code != 503 || !strings.Contains(msg, "the dev server exited") || !strings.Contains(msg, "retrying in 1s (attempt 2), or on a change") {
		t.Fatalf("after 4 crashes: %d %q", code, msg)
	}
	t.Logf("4th crash to first 503: %s", first)
	if first > 2*time.Second {
		t.Fatalf("the first 503 came %s after the 4th crash", first)
	}
	if st := d.Sup.Status(); st.State != devserver.StateError || st.Attempts != 1 || st.RetryAt.IsZero() || !strings.Contains(st.Message, "retrying in") {
		t.Fatalf("status %+v", st)
	}
	if !strings.Contains(d.Out.String(), "retrying in 1s (attempt 2)") {
		t.Fatalf("the log does not say when it retries:\n%s", d.Out.String())
	}
	// What the editor's medusa/status shows: the state events.
	shown := false
	for _, e := range d.Events() {
		if e.Status != nil && e.Status.State == devserver.StateError && strings.Contains(e.Status.Message, "retrying in 1s (attempt 2)") {
			shown = true
		}
	}
	if !shown {
		t.Fatal("no status event says when it retries")
	}
	// The retry brings it back by itself.
	d.WaitState(devserver.StateReady)
	if code, msg, _ := notReady(t, "GET", d.URL+"/pid"); code != 200 {
		t.Fatalf("after the retry: %d %q", code, msg)
	}
	if st := d.Sup.Status(); st.State != devserver.StateReady || st.Attempts != 0 {
		t.Fatalf("status after the retry %+v", st)
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
	wait := load(d.URL+"/echo", 4, stop)
	for i := 1; i <= 20; i++ {
		n := len(d.Results("restart"))
		if i%2 == 0 {
			writeFile(t, d.Root, "medusa-config.ts", storeConfig+fmt.Sprintf("// %d\n", i))
		} else {
			writeFile(t, d.Root, ".env", fmt.Sprintf("N=%d\n", i))
		}
		if res := d.WaitResult("restart", n); !res.Success {
			t.Fatalf("restart %d: %+v", i, res.Errors)
		}
	}
	close(stop)
	res := wait()
	if res.Failed != 0 || res.Requests < 100 {
		t.Fatalf("%d of %d requests failed across 20 restarts; last: %s", res.Failed, res.Requests, res.Last)
	}
	t.Logf("%d requests across 20 restarts, none failed", res.Requests)
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
	wait := load(d.URL+"/echo", 2, stop)
	var slowest time.Duration
	for i := 1; i <= 100; i++ {
		n := len(d.Results("reload"))
		begin := time.Now()
		writeInPlace(t, d.Root, "src/api/echo/route.ts", postRoute(i), 10*time.Millisecond, i%2 == 0)
		res := d.WaitResult("reload", n)
		if !res.Success || len(res.Reloaded) != 1 {
			t.Fatalf("save %d: %+v", i, res)
		}
		slowest = max(slowest, time.Since(begin))
		resp, err := http.Post(d.URL+"/echo", "application/json", nil)
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
	if res.Failed != 0 {
		t.Fatalf("%d of %d requests failed across 100 in-place saves; last: %s", res.Failed, res.Requests, res.Last)
	}
	if extra := len(d.Results("reload")); extra != 100 {
		t.Fatalf("%d reloads for 100 saves: a partial file was loaded", extra)
	}
	t.Logf("%d requests across 100 in-place saves, none failed; slowest save to reload %s", res.Requests, slowest)
}

func postRoute(v int) string {
	return "import type { MedusaRequest, MedusaResponse } from \"@medusajs/framework/http\"\n" +
		fmt.Sprintf("export async function POST(req: MedusaRequest, res: MedusaResponse) {\n  res.json({ v: %d })\n}\n", v)
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
		d.WaitURL(waitFor)
		// As a client that tries the port until it answers (an HTTP answer: nothing to wait on).
		testutil.Eventually(t, waitFor, func() string {
			resp, err := http.Get(d.URL + "/ok")
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
		d.Stop()
	}
}

// With two dev servers on one project, the second takes the commands over when the first exits.
func TestSecondDevServerTakesCommandsOver(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/subscribers/created.ts", "export default async function created() {}\nexport const config = { event: \"product.created\" }\n")
	first := startDevAt(t, root, nil)
	second := startDevAt(t, root, nil)
	if !strings.Contains(second.Out.String(), "another medusa-ls") {
		t.Fatalf("the second did not see the first:\n%s", second.Out.String())
	}
	first.Stop()
	// The second says when it has taken the socket over; commands reach it from then on.
	second.Until(waitFor, func() string {
		if !second.Logged("commands from other processes now reach this dev server") {
			return "the second did not say it took over"
		}
		return ""
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := devserver.Control(ctx, root, string(ipc.CmdEmitEvent), ipc.EmitArgs{Name: "product.created", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatalf("commands do not reach the second dev server: %v\n%s", err, second.Out.String())
	}
}

// A writer that keeps the file open does not hold its change back for ever.
func TestFileKeptOpenForWritingStillReloads(t *testing.T) {
	d := startDev(t, map[string]string{"src/api/echo/route.ts": postRoute(0)}, nil)
	n := len(d.Results("reload"))
	f, err := os.OpenFile(filepath.Join(d.Root, "src/api/echo/route.ts"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	begin := time.Now()
	if _, err := f.Write([]byte(postRoute(1))); err != nil {
		t.Fatal(err)
	}
	if res := d.WaitResult("reload", n); !res.Success || len(res.Reloaded) != 1 {
		t.Fatalf("%+v", res)
	}
	t.Logf("reloaded %s after the write, the file still open", time.Since(begin))
	resp, err := http.Post(d.URL+"/echo", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"v":1`) {
		t.Fatalf("body %s", b)
	}
}
