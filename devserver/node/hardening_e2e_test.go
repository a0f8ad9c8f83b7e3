//go:build unix

package node_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

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
	d.WaitURL(3 * time.Minute)
	// Medusa waits for its database without a word (it does not exit): requests are answered
	// at once with why, while it boots.
	code, msg, took := notReady(t, "GET", d.URL+"/store/products")
	if code != 503 || !strings.HasPrefix(msg, "Medusa cannot start: ") || took > time.Second {
		t.Fatalf("GET /store/products while booting: %d %q after %s; output:\n%s", code, msg, took, d.Out.String())
	}
	if !strings.Contains(msg, fmt.Sprintf("127.0.0.1:%d", closed)) || !strings.Contains(msg, "DATABASE_URL") {
		t.Fatalf("the reason does not name the database: %q", msg)
	}
	t.Logf("answered after %s: %s", took, msg)
	for _, p := range []struct{ method, path string }{{"GET", "/store/products"}, {"GET", "/admin/users"}, {"POST", "/store/carts"}, {"GET", "/hello"}, {"GET", "/"}, {"GET", "/health"}} {
		code, msg, took := notReady(t, p.method, d.URL+p.path)
		if code != 503 || !strings.HasPrefix(msg, "Medusa cannot start: ") || took > time.Second {
			t.Fatalf("%s %s: %d %q after %s", p.method, p.path, code, msg, took)
		}
	}
	if !strings.Contains(d.Out.String(), "Medusa cannot start: the database in DATABASE_URL (127.0.0.1:") {
		t.Fatalf("the log does not say why Medusa does not start:\n%s", d.Out.String())
	}
	// The fix starts Medusa again at once, not after the start in progress gives up (the ready
	// timeout, 3 minutes here).
	fixed := time.Now()
	writeFile(t, root, ".env", string(env))
	testutil.Eventually(t, 2*time.Minute, func() string {
		code, body := get(t, d.URL+"/hello")
		if code != 200 {
			return fmt.Sprintf("GET /hello = %d %s", code, body)
		}
		return ""
	})
	if !strings.Contains(d.Out.String(), "a change arrived while the dev server was starting") {
		t.Fatalf("the start waiting for the database was not given up for the fix:\n%s", d.Out.String())
	}
	t.Logf("serving %s after the fix", time.Since(fixed).Round(time.Millisecond))
}

// A .env change whose restart fails (Medusa exits at boot on a route broken meanwhile, which
// the serving Medusa kept its last good code for) is still due: the save that fixes the route
// restarts Medusa with the new value.
func TestNodeFailedRestartIsTriedAgainOnceFixed(t *testing.T) {
	env, err := os.ReadFile(filepath.Join(medusafixture.Dir(), ".env.example"))
	if err != nil {
		t.Skipf("the node fixture is not there: %v", err)
	}
	d := startNode(t, map[string]string{
		"src/api/flavor/route.ts": "export const GET = (req: any, res: any) => res.json({ flavor: process.env.FIXTURE_FLAVOR ?? \"plain\" })\n",
		"src/api/other/route.ts":  nodeRouteTS("1"),
	})
	d.Expect("/flavor", 200, `{"flavor":"plain"}`)
	if res := d.Edit("src/api/other/route.ts", "export const GET = (req: any, res: any) => res.json({ v: \n"); res.Success {
		t.Fatalf("a broken route reloaded: %+v", res)
	}
	n := len(d.Results("restart"))
	writeFile(t, d.Root, ".env", string(env)+"\nFIXTURE_FLAVOR=salty\n")
	if res := d.WaitResultWithin("restart", 3*time.Minute, n); res.Success {
		t.Fatalf("Medusa started with a broken route: %+v", res)
	}
	d.Expect("/flavor", 200, `{"flavor":"plain"}`)
	n = len(d.Results("restart"))
	if res := d.Edit("src/api/other/route.ts", nodeRouteTS("2")); !res.Success {
		t.Fatalf("the fix did not reload: %+v", res)
	}
	if res := d.WaitResultWithin("restart", 3*time.Minute, n); !res.Success {
		t.Fatalf("the restart still due after the fix: %+v\n%s", res, d.Out.String())
	}
	d.Expect("/flavor", 200, `{"flavor":"salty"}`)
	d.Expect("/other", 200, `{"v":2}`)
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
	d.WaitURL(time.Minute)
	code, msg, took := notReady(t, "GET", d.URL+"/store/products") // sent while Medusa boots
	if code != 503 || !strings.HasPrefix(msg, "Medusa exited: ") || !strings.Contains(msg, "; retrying in") {
		t.Fatalf("GET /store/products while booting: %d %q after %s; output:\n%s", code, msg, took, d.Out.String())
	}
	if !strings.Contains(msg, "password authentication failed") || !strings.Contains(msg, "DATABASE_URL") {
		t.Fatalf("the reason does not name the database's refusal: %q", msg)
	}
	t.Logf("answered after %s: %s", took, msg)
	for _, p := range []struct{ method, path string }{{"GET", "/admin/users"}, {"POST", "/store/carts"}, {"GET", "/hello"}, {"GET", "/"}} {
		code, msg, took := notReady(t, p.method, d.URL+p.path)
		if code != 503 || !strings.HasPrefix(msg, "Medusa exited: ") || took > time.Second {
			t.Fatalf("%s %s: %d %q after %s", p.method, p.path, code, msg, took)
		}
	}
	if st := d.Sup.Status(); st.State != devserver.StateError || !strings.HasPrefix(st.Message, "Medusa exited: ") || st.RetryAt.IsZero() || st.Attempts < 1 {
		t.Fatalf("status %+v", st)
	}
}

// As devserver's TestRestartsUnderLoadLoseNoRequest for the node runtime: Medusa restarts (.env
// changes) under load lose no request.
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
		d.T = st
		defer func() { d.T = t }()
		hugeLogLinesAndErrorsKeepMedusaAlive(st, d)
	})
	if t.Failed() {
		t.FailNow()
	}
	stop := make(chan struct{})
	wait := load(d.URL+"/echo", 1, stop)
	const restarts = 3 // each boots a whole Medusa, 5-30 s on a busy machine
	for i := 1; i <= restarts; i++ {
		n := len(d.Results("restart"))
		writeFile(t, d.Root, ".env", string(env)+fmt.Sprintf("N=%d\n", i))
		if res := d.WaitResultWithin("restart", 3*time.Minute, n); !res.Success {
			t.Fatalf("restart %d did not succeed; output:\n%s", i, d.Out.String())
		}
	}
	close(stop)
	res := wait()
	// while a replacement boots the old Medusa takes 5 requests a second, 10 at once (proxy.pace):
	// at least 20 per restart (3-30 s each)
	if res.Failed != 0 || res.Requests < 20*restarts {
		t.Fatalf("%d of %d requests failed across %d Medusa restarts; last: %s", res.Failed, res.Requests, restarts, res.Last)
	}
	t.Logf("%d requests across %d Medusa restarts, none failed", res.Requests, restarts)
}

// As devserver's TestHugeLogLinesAndErrorsKeepTheChildAlive for the node runtime: Medusa's own
// output of any size passes through, and Medusa keeps serving after a 5 MiB console.log and a 70 MiB error (d serves hugeLogRoutes).
func hugeLogLinesAndErrorsKeepMedusaAlive(t *testing.T, d *dev) {
	_, before := get(t, d.URL+"/big-log")
	var first struct{ PID int }
	_ = json.Unmarshal([]byte(before), &first)
	if first.PID == 0 {
		t.Fatalf("GET /big-log: %s", before)
	}
	client := &http.Client{Timeout: 2 * waitFor}
	resp, err := client.Get(d.URL + "/big-error")
	if err != nil {
		t.Fatalf("GET /big-error: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("GET /big-error = %d", resp.StatusCode)
	}
	d.Expect("/big-log", 200, fmt.Sprintf(`"pid":%d`, first.PID)) // the same Medusa still serves
	d.Until(waitFor, func() string {
		if out := d.Out.String(); !cutMarker.MatchString(out) || strings.Count(out, "after-the-long-line") < 2 {
			return fmt.Sprintf("no cut line in the output (%d bytes), ends:\n%s", len(out), out[max(0, len(out)-2000):])
		}
		return ""
	})
	if n := len(d.Results("restart")); n != 0 {
		t.Fatalf("Medusa restarted %d times", n)
	}
	// the huge error still reaches the editor, cut, on its route's line
	d.Until(waitFor, func() string {
		for _, e := range d.RuntimeErrors() {
			for _, p := range e.Problems {
				if strings.HasSuffix(p.File, "big-error/route.ts") && p.Line == 1 && len(p.Message) < 64<<10 {
					return ""
				}
			}
		}
		return fmt.Sprintf("no runtime error on big-error/route.ts:1: %+v", d.RuntimeErrors())
	})
}

// hugeLogRoutes log a 5 MiB line and throw a 70 MiB error.
var hugeLogRoutes = map[string]string{
	"src/api/big-log/route.ts":   "export const GET = (req: any, res: any) => { console.log(\"L\".repeat(5 * 1024 * 1024)); console.log(\"after-the-long-line\"); res.json({ ok: 1, pid: process.pid }) }\n",
	"src/api/big-error/route.ts": "export const GET = (req: any, res: any) => { throw new Error(\"E\".repeat(70 * 1024 * 1024)) }\n",
}
