//go:build unix

// Command bench measures medusa-ls on the example project and on a generated project of many
// routes: save → first response with the new body, cold start, full restart, child memory, and
// failed requests while reloading under load. It prints JSON and a table; it asserts nothing.
//
//	go run ./bench -bin bin/medusa-ls -out bench/out
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/storefront"
)

type stats struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Min  float64 `json:"min_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

func summarize(ms []float64) stats {
	if len(ms) == 0 {
		return stats{}
	}
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	pct := func(p float64) float64 {
		i := p * float64(len(s)-1)
		lo := int(i)
		if lo+1 >= len(s) {
			return s[lo]
		}
		return s[lo] + (s[lo+1]-s[lo])*(i-float64(lo))
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return stats{N: len(s), P50: round(pct(0.5)), P90: round(pct(0.9)), P99: round(pct(0.99)), Min: round(s[0]), Max: round(s[len(s)-1]), Mean: round(sum / float64(len(s)))}
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

type projectResult struct {
	Name             string  `json:"name"`
	Routes           int     `json:"routes"`
	ColdStartEmptyMs float64 `json:"cold_start_empty_cache_ms"`
	ColdStartMs      stats   `json:"cold_start_to_first_200"`
	SaveToResponse   stats   `json:"save_to_new_response"`
	RestartMs        stats   `json:"restart_to_first_200"`
	RSSAfterBootMB   float64 `json:"child_rss_after_boot_mb"`
	RSSAfterReloads  float64 `json:"child_rss_after_reloads_mb"`
	Reloads          int     `json:"reloads_for_rss"`
	RSSGrowthMB      float64 `json:"child_rss_growth_mb"`
	LoadRequests     int64   `json:"requests_during_reloads"`
	LoadFailures     int64   `json:"failed_requests_during_reloads"`
	SupervisorRSSMB  float64 `json:"supervisor_rss_mb"`
}

type report struct {
	Machine  string          `json:"machine"`
	Go       string          `json:"go"`
	Date     string          `json:"date"`
	Projects []projectResult `json:"projects"`
	LSP      []lspResult     `json:"lsp"`
	Hops     []hopsResult    `json:"save_hops,omitempty"`
	Events   eventsResult    `json:"events_and_jobs"`
	Node     nodeResult      `json:"real_medusa_side_by_side"`
	Workers  workersResult   `json:"production_topology"`
	Medusa   map[string]any  `json:"medusa_2_21_2_reference"`
}

func main() {
	bin := flag.String("bin", "bin/medusa-ls", "medusa-ls binary")
	out := flag.String("out", "bench/out", "output directory")
	example := flag.String("example", "examples/store", "example project")
	routes := flag.Int("routes", 1000, "routes in the generated project")
	samples := flag.Int("n", 200, "save → response samples per project")
	rssReloads := flag.Int("rss-reloads", 1000, "reloads before the second memory reading")
	fixture := flag.String("fixture", "testdata/medusa-app", "real Medusa project for the side-by-side run (empty: skip)")
	nodeSamples := flag.Int("node-n", 30, "samples per measurement and tool in the side-by-side run (route saves, quiet and under load; step saves; subscriber saves)")
	nodeBoots := flag.Int("node-boots", 2, "boots of each tool alone, taking turns, before the side-by-side run (its boot is one more)")
	nodeRSSSaves := flag.Int("node-rss-saves", 200, "route saves per tool before the side-by-side run's second memory reading")
	workersEvents := flag.Int("workers-events", 2000, "events per run in the production-topology part (shared, 1, 2 and 4 workers)")
	workersSaves := flag.Int("workers-saves", 10, "subscriber saves with 2 workers in the production-topology part")
	only := flag.String("only", "", "run one part: spine, events, lsp, node or workers")
	hops := flag.Bool("hops", false, "only split save → new body into its hops (MEDUSA_LS_TRACE=1), on the example and the generated project")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	check(err)
	*bin = abs
	check(os.MkdirAll(*out, 0o755))

	rep := report{Machine: machine(), Go: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339),
		Medusa: map[string]any{"route_reload_p50_ms": 110, "route_reload_p90_ms": 132, "cold_boot_ms": 8033, "restart_ms": 5982,
			"child_rss_mb": 423, "child_growth_mb_per_reload": 1.3, "404_window_every_reload": true, "source": "medusa develop (backend_hmr on) of @medusajs/medusa 2.21.2, a minimal project, 2-core machine, 2026-11-24"}}

	work, err := os.MkdirTemp("", "medusa-ls-bench")
	check(err)
	defer os.RemoveAll(work)

	part := func(name string) bool { return *only == "" || *only == name }
	ex := filepath.Join(work, "store")
	check(os.CopyFS(ex, os.DirFS(*example)))
	check(addEnvRoute(ex))
	gen := filepath.Join(work, "generated")
	check(generate(gen, *routes))
	check(addEnvRoute(gen))
	if *hops {
		rep.Hops = append(rep.Hops, measureHops(*bin, "examples/store", ex, "src/api/store/hello/route.ts", *samples))
		rep.Hops = append(rep.Hops, measureHops(*bin, fmt.Sprintf("generated (%d routes)", *routes), gen, "src/api/gen/r0000/route.ts", *samples))
		b, _ := json.MarshalIndent(rep.Hops, "", "  ")
		check(os.WriteFile(filepath.Join(*out, "hops.json"), b, 0o644))
		printHops(rep.Hops)
		return
	}
	if part("spine") {
		rep.Projects = append(rep.Projects, measure(*bin, "examples/store", ex, "src/api/store/hello/route.ts", *samples, *rssReloads))
		rep.Projects = append(rep.Projects, measure(*bin, fmt.Sprintf("generated (%d routes)", *routes), gen, "src/api/gen/r0000/route.ts", *samples, *rssReloads))
	}
	if part("events") {
		rep.Events = measureEvents(*bin, *example, *samples)
	}
	if part("lsp") {
		rep.LSP = append(rep.LSP, measureLSP(*bin, "examples/store", ex, "src/api/store/hello/route.ts", *samples))
		rep.LSP = append(rep.LSP, measureLSP(*bin, fmt.Sprintf("generated (%d routes)", *routes), gen, "src/api/gen/r0000/route.ts", *samples))
	}
	if !part("node") {
		rep.Node.Skipped = "not selected (-only)"
	} else if *fixture != "" {
		fx, err := filepath.Abs(*fixture)
		check(err)
		rep.Node = measureNode(*bin, fx, *out, *nodeSamples, *nodeRSSSaves, *nodeBoots)
	} else {
		rep.Node.Skipped = "-fixture is empty"
	}

	if !part("workers") {
		rep.Workers.Skipped = "not selected (-only)"
	} else if *fixture != "" {
		fx, err := filepath.Abs(*fixture)
		check(err)
		rep.Workers = measureWorkers(*bin, fx, *workersEvents, *workersSaves)
	} else {
		rep.Workers.Skipped = "-fixture is empty"
	}

	b, _ := json.MarshalIndent(rep, "", "  ")
	check(os.WriteFile(filepath.Join(*out, "results.json"), b, 0o644))
	fmt.Println(string(b))
	fmt.Println()
	printTable(rep)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model)
}

func route(i int, v int) string {
	return fmt.Sprintf(`import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { label } from "../../../lib/label"

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  res.json({ route: %d, v: %d, label: label(%d) })
}
`, i, v, i)
}

func generate(dir string, n int) error {
	files := map[string]string{
		"medusa-config.ts": "import { defineConfig } from \"@medusajs/framework/utils\"\nmodule.exports = defineConfig({ projectConfig: { http: {} } })\n",
		"src/lib/label.ts": "export const label = (i: number) => `route-${i}`\n",
	}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("src/api/gen/r%04d/route.ts", i)] = route(i, 0)
	}
	for rel, c := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// addEnvRoute adds a route that shows an environment variable, to tell the restarted process's
// answers from the old one's.
func addEnvRoute(dir string) error {
	p := filepath.Join(dir, "src/api/bench-env/route.ts")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte("export const GET = (req: any, res: any) => res.json({ restart: `r${process.env.BENCH_RESTART}-` })\n"), 0o644)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type server struct {
	cmd   *exec.Cmd
	url   string
	out   *bytes.Buffer
	lines []outLine // startProcess only: each line of out and when it was read
	mu    sync.Mutex
}

type outLine struct {
	at   time.Time
	text string
}

func (s *server) stop() {
	if s.cmd.SysProcAttr != nil && s.cmd.SysProcAttr.Setpgid {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	} else {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
	}
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		if s.cmd.SysProcAttr != nil && s.cmd.SysProcAttr.Setpgid {
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}

func startServer(bin, dir, cacheHome string) (*server, time.Time) {
	port := freePort()
	cmd := exec.Command(bin, "develop", dir, "--port", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cacheHome)
	out := &bytes.Buffer{}
	s := &server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), out: out}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	start := time.Now()
	check(cmd.Start())
	return s, start
}

// client sends the embedded runtime's development publishable key (the example's /store routes
// require one, as Medusa's do) unless a request brings its own.
var client = &http.Client{Timeout: 30 * time.Second, Transport: storefront.Transport(&http.Transport{MaxIdleConnsPerHost: 16})}

// firstBody polls path until the body contains want and returns when it did.
func firstBody(url, want string, deadline time.Duration) (time.Time, error) {
	return pollBody(url, want, deadline, 0)
}

// pollBody is firstBody with a pause between polls: a server that answers every poll during
// a reload spends its time on the polls (Medusa's own numbers were taken polling every 5 ms).
func pollBody(url, want string, deadline, every time.Duration) (time.Time, error) {
	end := time.Now().Add(deadline)
	for first := true; time.Now().Before(end); first = false {
		if !first && every > 0 {
			time.Sleep(every)
		}
		resp, err := client.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(b), want) {
				return time.Now(), nil
			}
		} else {
			time.Sleep(200 * time.Microsecond)
		}
	}
	return time.Time{}, fmt.Errorf("no %q at %s within %s", want, url, deadline)
}

// writeAtomic saves as editors that write a temporary file and rename it over the original do.
// The temporary file is a dot file, as both watchers ignore (Medusa's chokidar ignores dot
// files; with a plain name it loads "route.ts.bench-tmp" as a route and sometimes stalls).
func writeAtomic(path, content string) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".bench-tmp")
	check(os.WriteFile(tmp, []byte(content), 0o644))
	check(os.Rename(tmp, path))
}

func msSince(t time.Time, end time.Time) float64 { return float64(end.Sub(t).Microseconds()) / 1000 }

func measure(bin, name, dir, routeRel string, samples, rssReloads int) projectResult {
	fmt.Fprintf(os.Stderr, "bench: %s\n", name)
	res := projectResult{Name: name}
	path := filepath.Join(dir, routeRel)
	orig, err := os.ReadFile(path)
	check(err)
	urlPath := routeURL(routeRel)

	// Cold start: first with an empty transform cache, then three times with a warm one.
	cacheHome, err := os.MkdirTemp("", "medusa-ls-bench-cache")
	check(err)
	defer os.RemoveAll(cacheHome)
	var cold []float64
	for i := 0; i < 4; i++ {
		s, start := startServer(bin, dir, cacheHome)
		t, err := firstBody(s.url+urlPath, "", 60*time.Second)
		check(err)
		if i == 0 {
			res.ColdStartEmptyMs = round(msSince(start, t))
		} else {
			cold = append(cold, msSince(start, t))
		}
		if i < 3 {
			s.stop()
			continue
		}
		res.Routes = countRoutes(s)
		child := childPID(s.cmd.Process.Pid)
		time.Sleep(4 * time.Second)
		res.RSSAfterBootMB = rssMB(child)
		res.SupervisorRSSMB = rssMB(s.cmd.Process.Pid)

		// Save → first response with the new body.
		var save []float64
		for n := 1; n <= samples; n++ {
			writeAtomic(path, bumpVersion(string(orig), n))
			wrote := time.Now()
			t, err := firstBody(s.url+urlPath, fmt.Sprintf("v%d-", n), 30*time.Second)
			check(err)
			save = append(save, msSince(wrote, t))
		}
		res.SaveToResponse = summarize(save)
		slow := append([]float64(nil), save...)
		sort.Float64s(slow)
		fmt.Fprintf(os.Stderr, "bench: %s slowest saves (ms): %v\n", name, slow[max(0, len(slow)-5):])

		// Reloads under load: a client requests without pause; every answer must be a 200.
		var reqs, fails atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				load(s.url+urlPath, stop, &reqs, &fails)
			}()
		}
		for n := samples + 1; n <= samples+rssReloads; n++ {
			writeAtomic(path, bumpVersion(string(orig), n))
			_, err := firstBody(s.url+urlPath, fmt.Sprintf("v%d-", n), 30*time.Second)
			check(err)
		}
		close(stop)
		wg.Wait()
		res.LoadRequests, res.LoadFailures = reqs.Load(), fails.Load()
		res.Reloads = samples + rssReloads
		// Read memory once the server has been idle for a moment, as it is between saves.
		time.Sleep(4 * time.Second)
		res.RSSAfterReloads = rssMB(child)
		res.RSSGrowthMB = round(res.RSSAfterReloads - res.RSSAfterBootMB)

		// Full restart (a .env change) to the first response from the new process.
		var restart []float64
		for n := 1; n <= 5; n++ {
			writeAtomic(filepath.Join(dir, ".env"), fmt.Sprintf("BENCH_RESTART=%d\n", n))
			wrote := time.Now()
			t, err := firstBody(s.url+"/bench-env", fmt.Sprintf("r%d-", n), 60*time.Second)
			check(err)
			restart = append(restart, msSince(wrote, t))
		}
		res.RestartMs = summarize(restart)
		s.stop()
	}
	res.ColdStartMs = summarize(cold)
	check(os.WriteFile(path, orig, 0o644))
	return res
}

func load(url string, stop chan struct{}, reqs, fails *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		resp, err := client.Get(url)
		reqs.Add(1)
		if err != nil {
			fails.Add(1)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			fails.Add(1)
		}
	}
}

// bumpVersion rewrites the route so that its body carries a new marker.
func bumpVersion(src string, n int) string {
	if i := strings.Index(src, "res.json({"); i >= 0 {
		return src[:i] + fmt.Sprintf("res.json({ bench: \"v%d-\", ", n) + src[i+len("res.json({"):]
	}
	return src
}

func routeURL(rel string) string {
	dir := filepath.ToSlash(filepath.Dir(rel))
	return strings.TrimPrefix(dir, "src/api")
}

func countRoutes(s *server) int {
	var out string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		out = s.out.String()
		s.mu.Unlock()
		if strings.Contains(out, "ready on") {
			break
		}
	}
	i := strings.Index(out, "ready on")
	if i < 0 {
		return 0
	}
	var n int
	fmt.Sscanf(out[strings.Index(out[i:], "(")+i+1:], "%d", &n)
	return n
}

func children(pid int) []int {
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(pid)).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

func childPID(sup int) int {
	kids := children(sup)
	if len(kids) == 0 {
		return 0
	}
	return kids[len(kids)-1]
}

func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return round(float64(kb) / 1024)
		}
	}
	return 0
}

func printTable(rep report) {
	fmt.Printf("%-24s %6s %10s %10s %11s %11s %10s %9s %9s %13s\n", "project", "routes", "save p50", "save p99", "cold (empty)", "cold (warm)", "restart", "rss boot", "rss grow", "failed/reqs")
	for _, p := range rep.Projects {
		fmt.Printf("%-24s %6d %7.2f ms %7.2f ms %8.0f ms %8.0f ms %7.0f ms %6.1f MB %6.1f MB %6d/%d\n", p.Name, p.Routes,
			p.SaveToResponse.P50, p.SaveToResponse.P99, p.ColdStartEmptyMs, p.ColdStartMs.P50, p.RestartMs.P50, p.RSSAfterBootMB, p.RSSGrowthMB, p.LoadFailures, p.LoadRequests)
	}
	fmt.Printf("%-24s %6s %7.2f ms %10s %8.0f ms %11s %7.0f ms %6.1f MB %9s %13s\n", "Medusa 2.21.2 (ref.)", "", 110.0, "p90 132", 8033.0, "", 5982.0, 423.0, "+1.3/rld", "404 window")
	fmt.Println()
	fmt.Printf("%-24s %22s %22s\n", "language server", "didSave→diagnostics", "didSave→new body")
	for _, l := range rep.LSP {
		fmt.Printf("%-24s %8.2f / %6.2f ms   %8.2f / %6.2f ms   (p50 / p99)\n", l.Name, l.SaveToDiagnostics.P50, l.SaveToDiagnostics.P99, l.SaveToNewBody.P50, l.SaveToNewBody.P99)
	}
	fmt.Println()
	e := rep.Events
	fmt.Printf("subscriber saved → first event handled by the new code: p50 %.2f ms, p99 %.2f ms (Medusa: 26 ms)\n", e.SubscriberSaveToNewCode.P50, e.SubscriberSaveToNewCode.P99)
	fmt.Printf("job file reload: p50 %.2f ms, p99 %.2f ms (Medusa: 6.3 ms)\n", e.JobReload.P50, e.JobReload.P99)
	for _, b := range e.Bus {
		fmt.Printf("local bus, %3d JS subscribers: emit → handled p50 %.3f ms, p99 %.3f ms; %.0f events/s (%.0f handler calls/s)\n", b.Subscribers, b.Latency.P50, b.Latency.P99, b.EventsPerSecond, b.HandledPerSec)
	}
	fmt.Println()
	printNodeTable(rep.Node)
	printWorkersTable(rep.Workers)
}
