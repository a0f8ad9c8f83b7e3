// Package differential runs one data-free project under both runtimes, `medusa-ls develop
// --runtime embedded` and `--runtime node` (the real Medusa 2.21.2 of testdata/medusa-app, its
// database included), sends both the same requests, events and job runs, and compares what
// came back: statuses, JSON bodies, the headers that matter (CORS, Allow, content type), the
// order subscribers started in, the trail of steps and compensations, and job runs. Every
// difference is either fixed or listed, with its reason, in intended.json; the suite fails on
// any other.
//
// It needs the fixture (`bash testdata/medusa-app/setup-db.sh`): without it, it skips with one
// line saying so, or fails when MEDUSA_LS_REQUIRE_NODE=1 (CI).
package differential_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/oracle"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// Bounds, generous for a loaded 2-core machine: Medusa boots in 13 s unloaded.
const (
	bootLimit    = 8 * time.Minute
	requestLimit = 60 * time.Second
	trailLimit   = 30 * time.Second
)

// moduleEntry is the project's module with its options, as both configs list it.
const moduleEntry = `{ resolve: "./src/modules/diffmod", options: { greeting: "hi", times: 2 } },`

// embeddedConfig is the embedded project's medusa-config: the fixture's http settings and the
// project's module.
const embeddedConfig = `import { loadEnv, defineConfig } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS!,
      adminCors: process.env.ADMIN_CORS!,
      authCors: process.env.AUTH_CORS!,
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  modules: [
    ` + moduleEntry + `
  ],
})
`

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// server is one `medusa-ls develop` of the project.
type server struct {
	name, root, url string
	cmd             *exec.Cmd
	out             *testutil.Buffer
	// headers replace $PK and $ADMIN in requests: the credentials this runtime accepts.
	pk, admin string
	// session is the session cookie (connect.sid) the last response set: $SESSION.
	session string
}

func start(t *testing.T, bin, name, root string) *server {
	t.Helper()
	port := testutil.FreePort(t)
	s := &server{name: name, root: root, url: fmt.Sprintf("http://127.0.0.1:%d", port), out: &testutil.Buffer{}}
	s.cmd = exec.Command(bin, "develop", root, "--runtime", name, "--port", fmt.Sprint(port))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.Env = append(os.Environ(), "NODE_ENV=development")
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
	})
	return s
}

// waitReady waits until the project's own route answers.
func (s *server) waitReady(t *testing.T) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	testutil.Eventually(t, bootLimit, func() string {
		if s.cmd.ProcessState != nil {
			t.Fatalf("%s: develop exited:\n%s", s.name, s.out.String())
		}
		resp, err := c.Get(s.url + "/diff/ping")
		if err != nil {
			return fmt.Sprintf("%s: %v\n%s", s.name, err, tail(s.out.String()))
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Sprintf("%s: GET /diff/ping = %d\n%s", s.name, resp.StatusCode, tail(s.out.String()))
		}
		return ""
	})
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// request is one request of the suite. Headers may name $PK, $ADMIN and $SESSION; /store
// requests get the publishable key unless NoKey. Pick compares only the body's value at a
// dotted path (a login's body names each database's own user).
type request struct {
	Name, Method, Path string
	Headers            map[string]string
	Body               string
	NoKey              bool
	Pick               string
}

// comparedHeaders are the response headers whose values are compared.
var comparedHeaders = []string{"content-type", "allow", "vary", "access-control-allow-origin", "access-control-allow-credentials",
	"access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age", "set-cookie"}

// A session cookie's value and expiry differ on every run; its name and attributes do not.
var (
	sessionCookie = regexp.MustCompile(`^(connect\.sid=)(s%3A[^;]+)`)
	cookieExpires = regexp.MustCompile(`Expires=[^;]+`)
)

func (s *server) do(t *testing.T, r request) map[string]any {
	t.Helper()
	req, err := http.NewRequest(r.Method, s.url+r.Path, strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(r.Path, "/store") && !r.NoKey {
		req.Header.Set("x-publishable-api-key", s.pk)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, strings.NewReplacer("$PK", s.pk, "$ADMIN", s.admin, "$SESSION", s.session).Replace(v))
	}
	resp, err := (&http.Client{Timeout: requestLimit}).Do(req)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", s.name, r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h := map[string]any{}
	for _, k := range comparedHeaders {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = strings.Join(v, ", ")
		}
	}
	if c, ok := h["set-cookie"].(string); ok {
		if m := sessionCookie.FindStringSubmatch(c); m != nil {
			s.session = m[1] + m[2]
			c = sessionCookie.ReplaceAllString(c, "${1}s%3A…")
		}
		if !strings.Contains(c, "Expires=Thu, 01 Jan 1970") {
			c = cookieExpires.ReplaceAllString(c, "Expires=…")
		}
		h["set-cookie"] = c
	}
	var body any = string(b)
	var j any
	if json.Unmarshal(b, &j) == nil {
		body = normalize(j)
		for _, k := range strings.Split(r.Pick, ".") {
			if m, ok := body.(map[string]any); ok && k != "" {
				body = m[k]
			}
		}
	}
	return map[string]any{"status": float64(resp.StatusCode), "headers": h, "body": body}
}

// stackLine matches the frames of a stack trace, which name each runtime's own files.
var stackLine = regexp.MustCompile(`\n\s+at [^\n]*`)

// normalize drops what names a runtime's internals rather than behaviour: stack frames.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "stack" {
				if s, ok := e.(string); ok {
					x[k] = stackLine.ReplaceAllString(s, "")
					continue
				}
			}
			x[k] = normalize(e)
		}
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

// Presentation that differs by runtime without saying anything about Medusa's behaviour: the
// embedded runtime names each subscriber's file and line and its error's name (the node helper
// gets neither from Medusa's event bus), and run times.
var (
	subscriberPlace = regexp.MustCompile(` \(src/[^)]*\)`)
	errorName       = regexp.MustCompile(`(failed  [^:]+: )[A-Za-z]*Error: `)
	runTime         = regexp.MustCompile(` in [0-9.]+ ms`)
)

// outcomes is what emit or run-job printed, without the presentation above.
func outcomes(text string) string {
	text = subscriberPlace.ReplaceAllString(text, "")
	text = errorName.ReplaceAllString(text, "$1")
	return runTime.ReplaceAllString(text, " in … ms")
}

// trail collects /diff/trail until it holds at least want entries, or trailLimit passes:
// subscribers and jobs may still run when the command that started them returned.
func (s *server) trail(t *testing.T, want int) []any {
	t.Helper()
	var got []any
	testutil.Poll(trailLimit, func() string { // an HTTP answer: nothing to wait on
		resp, err := http.Get(s.url + "/diff/trail")
		if err != nil {
			t.Fatalf("%s: GET /diff/trail: %v", s.name, err)
		}
		var part []any
		err = json.NewDecoder(resp.Body).Decode(&part)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: GET /diff/trail: %v", s.name, err)
		}
		got = append(got, part...)
		if len(got) < want {
			return "fewer entries than wanted"
		}
		return ""
	})
	return got
}

// command runs `medusa-ls ARGS --dir ROOT` and returns its exit status and output.
func (s *server) command(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--dir", s.root)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: medusa-ls %v: %v", s.name, args, err)
	}
	return code, string(out)
}

// step is one input sent to both runtimes: a request, an emit or a job run; then, when
// Trail > 0, the trail it left (at least Trail entries).
type step struct {
	Name    string
	Request *request
	Emit    []string // event name, data JSON
	Job     string
	Trail   int
}

func (s *server) run(t *testing.T, bin string, st step) map[string]any {
	t.Helper()
	out := map[string]any{}
	switch {
	case st.Request != nil:
		out["response"] = s.do(t, *st.Request)
	case st.Emit != nil:
		code, text := s.command(t, bin, "emit", st.Emit[0], "--data", st.Emit[1])
		out["exit"], out["output"] = float64(code), outcomes(text)
	case st.Job != "":
		code, text := s.command(t, bin, "run-job", st.Job)
		out["exit"] = float64(code)
		if code == 0 {
			out["output"] = outcomes(text)
		}
	}
	if st.Trail > 0 {
		out["trail"] = normalize(s.trail(t, st.Trail))
	}
	return out
}

func readIntended(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("intended.json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ Case, Why string }
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("intended.json: %v", err)
	}
	out := map[string]string{}
	for _, e := range list {
		if e.Why == "" {
			t.Fatalf("intended.json: %q has no reason", e.Case)
		}
		out[e.Case] = e.Why
	}
	return out
}

// TestEmbeddedMatchesNode is the differential suite.
func TestEmbeddedMatchesNode(t *testing.T) {
	if testing.Short() {
		t.Skip("differential suite skipped in -short mode: it boots the real Medusa")
	}
	nodeRoot := medusafixture.ForTest(t, nil)
	seed := medusafixture.Seeded(t)
	embRoot := t.TempDir()
	if err := medusafixture.Copy(medusafixture.Dir(), embRoot, nil); err != nil {
		t.Fatal(err)
	}
	// The embedded project is the suite's files alone; the node one keeps the fixture's
	// modules, links, subscribers and jobs (Medusa needs them for its database) but not its
	// routes and middlewares: a project has one middlewares.ts.
	for _, p := range []string{filepath.Join(embRoot, "src"), filepath.Join(nodeRoot, "src", "api")} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	project := os.DirFS(filepath.Join("testdata", "project", "src"))
	if err := os.CopyFS(filepath.Join(embRoot, "src"), project); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(nodeRoot, "src"), project); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(embRoot, "medusa-config.ts"), []byte(embeddedConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(nodeRoot, "medusa-config.ts")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil || !strings.Contains(string(cfg), "modules: [") {
		t.Fatalf("the fixture's medusa-config.ts has no modules list (%v)", err)
	}
	cfg = []byte(strings.Replace(string(cfg), "modules: [", "modules: [\n    "+moduleEntry, 1))
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "medusa-ls")
	build := exec.Command("go", "build", "-o", bin, "./cmd/medusa-ls")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	node := start(t, bin, "node", nodeRoot)
	emb := start(t, bin, "embedded", embRoot)
	emb.waitReady(t)
	node.waitReady(t)

	// The credentials each accepts: the ones medusa-ls prints for the embedded runtime, the
	// fixture's seeded key and a login for Medusa.
	banner := emb.out.String()
	pk := regexp.MustCompile(`x-publishable-api-key: (pk_[0-9a-f]+)`).FindStringSubmatch(banner)
	admin := regexp.MustCompile(`/admin: +-H 'authorization: Bearer ([^']+)'`).FindStringSubmatch(banner)
	if pk == nil || admin == nil {
		t.Fatalf("the embedded runtime printed no credentials:\n%s", banner)
	}
	emb.pk, emb.admin = pk[1], admin[1]
	node.pk, node.admin = seed.PublishableKey, medusafixture.AdminToken(t, node.url)

	steps := suite()
	intended := readIntended(t)
	var cases []oracle.Case
	for _, st := range steps {
		n := node.run(t, bin, st)
		e := emb.run(t, bin, st)
		cases = append(cases, oracle.Case{Name: st.Name, Medusa: n, Embedded: e})
	}
	if testing.Verbose() {
		for _, c := range cases {
			b, _ := json.Marshal(c.Medusa)
			t.Logf("%s: node %s", c.Name, b)
		}
	}
	oracle.Compare(t, cases, intended)
	if t.Failed() {
		t.Logf("node runtime output:\n%s", tail(node.out.String()))
		t.Logf("embedded runtime output:\n%s", tail(emb.out.String()))
	}
}
