//go:build unix

package devserver_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
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
	deadline := time.Now().Add(waitFor)
	for {
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
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cut log line %v, cut runtime error %v; output (%d bytes) ends:\n%s", gotLog, gotErr, len(out), out[max(0, len(out)-3000):])
		}
		time.Sleep(10 * time.Millisecond)
	}
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
