//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
)

// nodeResult compares, on the real Medusa fixture (testdata/medusa-app), `medusa-ls develop`
// with the node runtime against Medusa's own `medusa develop` with backend HMR: the same
// project, the same machine, the same edits, one after the other in the same run.
type nodeResult struct {
	Skipped string        `json:"skipped,omitempty"`
	Load    []string      `json:"load_average,omitempty"` // uptime before and after each tool
	Runs    []nodeMeasure `json:"runs,omitempty"`
	// Ratios are medusa-ls's figure divided by Medusa's (below 1: medusa-ls is faster or smaller).
	Ratios map[string]float64 `json:"ratios_medusa_ls_over_medusa,omitempty"`
}

type nodeMeasure struct {
	Tool       string    `json:"tool"`
	BootMs     float64   `json:"boot_to_first_200_ms"`            // the measured run's; -1: never
	BootRunsMs []float64 `json:"boot_to_first_200_every_boot_ms"` // boots alone (tools taking turns), then the measured run's
	Boot       stats     `json:"boot_to_first_200"`               // over BootRunsMs

	// Emits: POST /admin/brands runs create-brand, which emits brand.created; the subscriber
	// runs sync-brand and logs "FIXTURE-BRAND-SUB vS <id> synced <id> vT".
	EmitBaseline         stats `json:"post_brand_to_subscriber_line_no_save"` // what one emit costs without a save
	EmitBaselineRTT      stats `json:"post_brand_round_trip_no_save"`
	StepSave             stats `json:"step_save_to_new_result"`             // write → "synced <id> vN" line
	StepSavePost         stats `json:"step_save_to_first_post_on_new_code"` // write → sending the POST whose line has vN
	StepSaveNever        int   `json:"step_saves_never"`                    // samples without vN within the bound
	StepSavePosts        int   `json:"step_saves_posts"`                    // POSTs sent for them (1 a sample: the first one ran the new code)
	StepReloadLine       stats `json:"step_save_to_reload_logged"`          // write → the tool's "reloaded" line
	StepRouteSave        stats `json:"step_save_to_new_result_by_route"`    // bench-step.ts save → GET /bench-step with its new result
	StepRouteNever       int   `json:"step_saves_by_route_never"`
	SubscriberSave       stats `json:"subscriber_save_to_first_event_on_new_code"`
	SubscriberReloadLine stats `json:"subscriber_save_to_reload_logged"`
	SubscriberSavePost   stats `json:"subscriber_save_to_first_post_on_new_code"`
	SubscriberSaveNever  int   `json:"subscriber_saves_never"`
	SubscriberSavePosts  int   `json:"subscriber_saves_posts"`
	// The same with an event and nothing else: POST /emit?id= emits product.created from a
	// project route, and src/subscribers/product-created.ts logs "FIXTURE-SUB vN product.created <id>".
	DirectBaseline   stats    `json:"post_emit_to_subscriber_line_no_save"`
	DirectSave       stats    `json:"direct_subscriber_save_to_first_event_on_new_code"`
	DirectReloadLine stats    `json:"direct_subscriber_save_to_reload_logged"`
	DirectSavePost   stats    `json:"direct_subscriber_save_to_first_post_on_new_code"`
	DirectSaveNever  int      `json:"direct_subscriber_saves_never"`
	DirectSavePosts  int      `json:"direct_subscriber_saves_posts"`
	PostsFailed      int      `json:"post_brand_non_2xx"` // during the step and subscriber saves
	PostsSent        int      `json:"post_brand_sent"`
	PostFailures     []string `json:"post_brand_failures,omitempty"` // the first few

	RouteSave             stats          `json:"route_save_to_new_body"`
	RouteSaveUnderLoad    stats          `json:"route_save_to_new_body_under_load"`
	RouteSaveNever        int            `json:"route_saves_never"`
	SlowestUnderLoad      []slowSave     `json:"slowest_route_saves_under_load"`     // the route's "vN-": find the reload in the log
	RouteReloadLine       stats          `json:"route_save_to_reload_logged"`        // quiet saves: write → the tool's "reloaded" line
	RequestsDuringSaves   int64          `json:"requests_during_route_saves"`        // GET /bench
	FailedDuringSaves     int64          `json:"failed_requests_during_route_saves"` // GET /bench, non-200
	Validated             []routeTraffic `json:"validated_routes_during_route_saves"`
	BaselineStatus        map[string]int `json:"validated_routes_status_before_saves"`
	AfterStatus           map[string]int `json:"validated_routes_status_2s_after_saves"`
	SharedFileSaveMs      float64        `json:"shared_file_save_to_new_body_ms"` // -1: never (stale)
	SyntaxErrorFailed     int64          `json:"failed_requests_after_syntax_error"`
	SyntaxFixMs           float64        `json:"syntax_error_fix_to_new_body_ms"` // -1: never
	RestartMs             float64        `json:"config_change_to_first_200_ms"`   // -1: it did not restart
	FailedDuringRestart   int64          `json:"failed_requests_during_restart"`  // GET /bench
	RequestsDuringRestart int64          `json:"requests_during_restart"`
	RSSBootMB             float64        `json:"rss_after_boot_mb"` // every process of the tool
	RSSBootByProcess      []processRSS   `json:"rss_after_boot_by_process"`
	RSSAfterEventSavesMB  float64        `json:"rss_after_step_and_subscriber_saves_mb"`
	RSSAfterSavesMB       float64        `json:"rss_after_saves_mb"`
	RSSSaves              int            `json:"route_saves_before_second_rss"`
	RSSSeries             []rssPoint     `json:"rss_along_the_route_saves"` // boot, after the timed saves, every 50 saves (no settling pause), the end
	Notes                 []string       `json:"notes,omitempty"`
}

type slowSave struct {
	Version int     `json:"version"`
	Ms      float64 `json:"ms"`
}

type rssPoint struct {
	Saves int     `json:"route_saves"`
	MB    float64 `json:"rss_mb"`
}

// routeTraffic is what one validated route answered while routes were saved.
type routeTraffic struct {
	Route    string           `json:"route"`
	Requests int64            `json:"requests"`
	Non2xx   int64            `json:"non_2xx"`
	Statuses map[string]int64 `json:"statuses"` // "200", "500", "error" (no answer)
	First    string           `json:"first_non_2xx,omitempty"`
}

const (
	benchRoute = "export const GET = (req: any, res: any) => {\n  res.json({ bench: \"v%d-\" })\n}\n"
	benchLib   = "export const tag = \"t%d-\"\n"
	benchUses  = "import { tag } from \"../../lib/bench-tag\"\nexport const GET = (req: any, res: any) => res.json({ tag })\n"
	// A step, the workflow that runs it and a route that runs the workflow: step save → a GET's
	// new result, with nothing else in between.
	benchStep    = "import { createStep, StepResponse } from \"@medusajs/framework/workflows-sdk\"\n\nexport const benchStep = createStep(\"bench-step\", async () => new StepResponse(\"s%d-\"))\n"
	benchStepWF  = "import { createWorkflow, WorkflowResponse } from \"@medusajs/framework/workflows-sdk\"\nimport { benchStep } from \"./steps/bench-step\"\n\nexport const benchWorkflow = createWorkflow(\"bench-step-workflow\", () => new WorkflowResponse(benchStep()))\n"
	benchStepGET = "import { benchWorkflow } from \"../../workflows/bench-step\"\n\nexport const GET = async (req: any, res: any) => {\n  const { result } = await benchWorkflow(req.scope).run()\n  res.json({ result })\n}\n"

	stepFile = "src/workflows/steps/sync-brand.ts"
	stepV1   = "synced ${input.id} v1"
	subFile  = "src/subscribers/brand-created.ts"
	// directSubFile logs every product.created; POST /emit emits one.
	directSubFile = "src/subscribers/product-created.ts"
	directSubV1   = "FIXTURE-SUB v1"
	subV1         = "FIXTURE-BRAND-SUB v1"

	// Bounds: a measurement that does not come within them is reported as never (-1).
	eventBound   = 30 * time.Second // one step or subscriber save → its line
	lineBound    = 15 * time.Second // one POST → its subscriber line
	routeBound   = 30 * time.Second // one route save → its body
	sectionBound = 150 * time.Second
	loadFor      = 15 * time.Second // the least time route saves run under constant requests
)

func measureNode(bin, fixture, outDir string, samples, rssSaves, boots int) nodeResult {
	if err := medusafixture.Check(fixture); err != nil {
		return nodeResult{Skipped: err.Error() + " (bash testdata/medusa-app/setup-db.sh)"}
	}
	seed, err := medusafixture.ReadSeed(fixture)
	if err != nil {
		return nodeResult{Skipped: err.Error() + " (bash testdata/medusa-app/setup-db.sh)"}
	}
	var res nodeResult
	tools := []string{"medusa-ls develop (node runtime)", "medusa develop (backend HMR)"}
	copyFixture := func() string {
		dir, err := os.MkdirTemp("", "medusa-ls-bench-node")
		check(err)
		check(medusafixture.Copy(fixture, dir, map[string]string{
			"src/api/bench/route.ts":            fmt.Sprintf(benchRoute, 0),
			"src/lib/bench-tag.ts":              fmt.Sprintf(benchLib, 0),
			"src/api/bench-tag/route.ts":        benchUses,
			"src/workflows/steps/bench-step.ts": fmt.Sprintf(benchStep, 1),
			"src/workflows/bench-step.ts":       benchStepWF,
			"src/api/bench-step/route.ts":       benchStepGET,
		}))
		return dir
	}
	command := func(tool, dir string, port int) *exec.Cmd {
		if strings.HasPrefix(tool, "medusa-ls") {
			return exec.Command(bin, "develop", dir, "--port", strconv.Itoa(port), "--runtime", "node")
		}
		cmd := exec.Command("node", "node_modules/@medusajs/cli/cli.js", "develop")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
		return cmd
	}
	// Boots alone first, the tools taking turns, so that the load of the machine weighs on both.
	bootRuns := make([][]float64, len(tools))
	for k := 0; k < boots; k++ {
		for i, tool := range tools {
			fmt.Fprintf(os.Stderr, "bench: real Medusa, boot %d of %s\n", k+1, tool)
			dir := copyFixture()
			port := freePort()
			s, start := startProcess(command(tool, dir, port), fmt.Sprintf("http://127.0.0.1:%d", port))
			if t, err := firstBody(s.url+"/bench", "v0-", 3*time.Minute); err == nil {
				bootRuns[i] = append(bootRuns[i], round(msSince(start, t)))
			} else {
				bootRuns[i] = append(bootRuns[i], -1)
			}
			s.stop()
			os.RemoveAll(dir)
		}
	}
	for i, tool := range tools {
		fmt.Fprintf(os.Stderr, "bench: real Medusa, %s\n", tool)
		res.Load = append(res.Load, tool+" before: "+loadAvg())
		dir := copyFixture()
		port := freePort()
		log := filepath.Join(outDir, strings.Fields(tool)[0]+"-develop.log")
		r := &nodeRun{m: nodeMeasure{Tool: tool}, dir: dir, base: fmt.Sprintf("http://127.0.0.1:%d", port), seed: seed}
		r.run(command(tool, dir, port), log, samples, rssSaves)
		r.m.BootRunsMs = append(bootRuns[i], r.m.BootMs)
		var ok []float64
		for _, b := range r.m.BootRunsMs {
			if b >= 0 {
				ok = append(ok, b)
			}
		}
		r.m.Boot = summarize(ok)
		res.Runs = append(res.Runs, r.m)
		res.Load = append(res.Load, tool+" after: "+loadAvg())
		os.RemoveAll(dir)
	}
	if len(res.Runs) == 2 {
		res.Ratios = ratios(res.Runs[0], res.Runs[1])
	}
	return res
}

func ratios(ls, md nodeMeasure) map[string]float64 {
	out := map[string]float64{}
	add := func(name string, a, b float64) {
		if a > 0 && b > 0 {
			out[name] = float64(int64(a/b*1000+0.5)) / 1000
		}
	}
	add("boot_p50", ls.Boot.P50, md.Boot.P50)
	add("route_save_p50", ls.RouteSave.P50, md.RouteSave.P50)
	add("route_save_p99", ls.RouteSave.P99, md.RouteSave.P99)
	add("route_save_under_load_p50", ls.RouteSaveUnderLoad.P50, md.RouteSaveUnderLoad.P50)
	add("route_save_under_load_p99", ls.RouteSaveUnderLoad.P99, md.RouteSaveUnderLoad.P99)
	add("step_save_p50", ls.StepSave.P50, md.StepSave.P50)
	add("step_save_p99", ls.StepSave.P99, md.StepSave.P99)
	add("step_save_by_route_p50", ls.StepRouteSave.P50, md.StepRouteSave.P50)
	add("step_save_by_route_p99", ls.StepRouteSave.P99, md.StepRouteSave.P99)
	add("subscriber_save_p50", ls.SubscriberSave.P50, md.SubscriberSave.P50)
	add("subscriber_save_p99", ls.SubscriberSave.P99, md.SubscriberSave.P99)
	add("route_reload_logged_p50", ls.RouteReloadLine.P50, md.RouteReloadLine.P50)
	add("step_reload_logged_p50", ls.StepReloadLine.P50, md.StepReloadLine.P50)
	add("subscriber_reload_logged_p50", ls.SubscriberReloadLine.P50, md.SubscriberReloadLine.P50)
	add("post_brand_to_line_p50", ls.EmitBaseline.P50, md.EmitBaseline.P50)
	add("direct_subscriber_save_p50", ls.DirectSave.P50, md.DirectSave.P50)
	add("direct_subscriber_save_p99", ls.DirectSave.P99, md.DirectSave.P99)
	add("post_emit_to_line_p50", ls.DirectBaseline.P50, md.DirectBaseline.P50)
	add("config_restart", ls.RestartMs, md.RestartMs)
	add("syntax_fix", ls.SyntaxFixMs, md.SyntaxFixMs)
	add("rss_boot", ls.RSSBootMB, md.RSSBootMB)
	add("rss_after_saves", ls.RSSAfterSavesMB, md.RSSAfterSavesMB)
	return out
}

// nodeRun is one tool's run on its own copy of the fixture.
type nodeRun struct {
	m     nodeMeasure
	s     *server
	dir   string
	base  string
	seed  medusafixture.Seed
	token string
	n     int          // the route's version
	cur   atomic.Int64 // n, for the load goroutines
	ids   []string     // brands created, deleted at the end
	// trigger, when set, replaces POST /admin/brands as what eventSaves sends after a save.
	trigger func() string
}

func (r *nodeRun) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(os.Stderr, "bench: %s: %s\n", strings.Fields(r.m.Tool)[0], msg)
	r.m.Notes = append(r.m.Notes, msg)
}

func (r *nodeRun) run(cmd *exec.Cmd, log string, samples, rssSaves int) {
	m := &r.m
	s, start := startProcess(cmd, r.base)
	r.s = s
	defer func() {
		r.deleteBrands()
		s.stop()
		s.mu.Lock()
		_ = os.WriteFile(log, s.out.Bytes(), 0o644) // what the tool printed, to see why a figure is odd
		s.mu.Unlock()
	}()
	t, err := firstBody(r.base+"/bench", "v0-", 3*time.Minute)
	if err != nil {
		m.BootMs = -1
		r.note("no first 200 within 3 min: %v", err)
		return
	}
	m.BootMs = round(msSince(start, t))
	for end := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		if r.token, err = medusafixture.Login(r.base, r.seed); err == nil || time.Now().After(end) {
			break
		}
	}
	if err != nil {
		r.note("%v: the admin routes, step and subscriber saves are not measured", err)
	}
	time.Sleep(3 * time.Second)
	m.RSSBootMB = treeRSS(s.cmd.Process.Pid)
	m.RSSBootByProcess = processTree(s.cmd.Process.Pid)

	// Step and subscriber saves come first: Medusa's own HMR breaks validated routes (POST
	// /admin/brands among them) once it has reloaded a route.
	if r.token != "" {
		r.m.EmitBaseline, r.m.EmitBaselineRTT = r.baseline(r.createBrand, func(id string) *regexp.Regexp {
			return regexp.MustCompile(`FIXTURE-BRAND-SUB v\d+ ` + regexp.QuoteMeta(id))
		})
		r.eventSaves("step", stepFile, stepV1, "synced ${input.id} v%d", func(id string) *regexp.Regexp {
			return regexp.MustCompile(`synced ` + regexp.QuoteMeta(id) + ` v(\d+)`)
		}, samples, &m.StepSave, &m.StepSavePost, &m.StepReloadLine, &m.StepSaveNever, &m.StepSavePosts)
		r.eventSaves("subscriber", subFile, subV1, "FIXTURE-BRAND-SUB v%d", func(id string) *regexp.Regexp {
			return regexp.MustCompile(`FIXTURE-BRAND-SUB v(\d+) ` + regexp.QuoteMeta(id))
		}, samples, &m.SubscriberSave, &m.SubscriberSavePost, &m.SubscriberReloadLine, &m.SubscriberSaveNever, &m.SubscriberSavePosts)
	}
	r.stepRouteSaves(samples)
	productLine := func(id string) *regexp.Regexp {
		return regexp.MustCompile(`FIXTURE-SUB v(\d+) product\.created ` + regexp.QuoteMeta(id))
	}
	m.DirectBaseline, _ = r.baseline(r.emitProduct, productLine)
	r.trigger = r.emitProduct
	r.eventSaves("direct subscriber", directSubFile, directSubV1, "FIXTURE-SUB v%d", productLine,
		samples, &m.DirectSave, &m.DirectSavePost, &m.DirectReloadLine, &m.DirectSaveNever, &m.DirectSavePosts)
	r.trigger = nil

	m.RSSAfterEventSavesMB = treeRSS(s.cmd.Process.Pid)

	// Route saves, one after the other, as a developer makes them.
	m.BaselineStatus = map[string]int{}
	for _, v := range r.validated() {
		code, _, _ := r.do(v)
		m.BaselineStatus[v.path] = code
	}
	var reloads []float64
	m.RouteSave = summarize(r.routeSaves(samples, 100*time.Millisecond, &reloads))
	m.RouteReloadLine = summarize(reloads)

	// The same while clients request without pause: the saved route, and validated core and
	// custom routes (store: publishable key; admin: bearer token).
	var reqs, fails atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); load(r.base+"/bench", stop, &reqs, &fails) }()
	traffic := make([]*routeTraffic, 0, 4)
	for _, v := range r.validated() {
		traffic = append(traffic, &routeTraffic{Route: v.path, Statuses: map[string]int64{}})
	}
	go func() { defer wg.Done(); r.validatedLoad(stop, traffic) }()
	// At least samples saves, and for at least loadFor, so that each validated route is
	// requested many times even when a tool reloads in a few milliseconds.
	var underLoad []float64
	began := time.Now()
	for (len(underLoad) < samples || time.Since(began) < loadFor) && time.Since(began) < sectionBound {
		out := r.routeSaves(1, 100*time.Millisecond, nil)
		underLoad = append(underLoad, out...)
		if len(out) == 1 && out[0] >= 0 {
			m.SlowestUnderLoad = append(m.SlowestUnderLoad, slowSave{r.n, round(out[0])})
			sort.Slice(m.SlowestUnderLoad, func(i, j int) bool { return m.SlowestUnderLoad[i].Ms > m.SlowestUnderLoad[j].Ms })
			m.SlowestUnderLoad = m.SlowestUnderLoad[:min(3, len(m.SlowestUnderLoad))]
		}
		if len(out) == 0 || out[0] < 0 {
			break
		}
	}
	m.RouteSaveUnderLoad = summarize(underLoad)
	close(stop)
	wg.Wait()
	m.RequestsDuringSaves, m.FailedDuringSaves = reqs.Load(), fails.Load()
	for _, tr := range traffic {
		m.Validated = append(m.Validated, *tr)
	}
	time.Sleep(2 * time.Second)
	m.AfterStatus = map[string]int{}
	for _, v := range r.validated() {
		code, _, _ := r.do(v)
		m.AfterStatus[v.path] = code
	}

	// Memory: more route saves, up to rssSaves in all, within a time bound.
	saved := samples + len(underLoad)
	m.RSSSeries = []rssPoint{{0, m.RSSBootMB}, {saved, treeRSS(s.cmd.Process.Pid)}}
	end := time.Now().Add(2 * sectionBound)
	for saved < rssSaves && time.Now().Before(end) {
		if out := r.routeSaves(1, 0, nil); len(out) == 0 || out[0] < 0 {
			break
		}
		saved++
		if saved%50 == 0 {
			m.RSSSeries = append(m.RSSSeries, rssPoint{saved, treeRSS(s.cmd.Process.Pid)})
		}
	}
	if saved < rssSaves {
		r.note("%d route saves of %d before the second memory reading (time bound or a save that never showed)", saved, rssSaves)
	}
	m.RSSSaves = saved
	time.Sleep(3 * time.Second)
	m.RSSAfterSavesMB = treeRSS(s.cmd.Process.Pid)
	m.RSSSeries = append(m.RSSSeries, rssPoint{saved, m.RSSAfterSavesMB})

	// A shared file that a route imports: Medusa does not reload its importers.
	writeAtomic(filepath.Join(r.dir, "src/lib/bench-tag.ts"), fmt.Sprintf(benchLib, 1))
	wrote := time.Now()
	if t, err := pollBody(r.base+"/bench-tag", "t1-", 5*time.Second, time.Millisecond); err == nil {
		m.SharedFileSaveMs = round(msSince(wrote, t))
	} else {
		m.SharedFileSaveMs = -1
	}

	// medusa-config.ts changes: a full restart, under load.
	reqs.Store(0)
	fails.Store(0)
	stop = make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); load(r.base+"/bench", stop, &reqs, &fails) }()
	time.Sleep(200 * time.Millisecond)
	cfg := filepath.Join(r.dir, "medusa-config.ts")
	src, err := os.ReadFile(cfg)
	check(err)
	before := s.restarts()
	// In place, as VS Code saves: Medusa's watcher (chokidar) sometimes misses a rename.
	check(os.WriteFile(cfg, append(src, "\n// bench restart\n"...), 0o644))
	wrote = time.Now()
	// Serving again means: the restarted server answers (medusa-ls's answers all along, from
	// the old one, so wait for the new process's log line).
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) && s.restarts() == before {
		time.Sleep(5 * time.Millisecond)
	}
	if s.restarts() == before {
		m.RestartMs = -1 // it did not restart: see the log
		r.note("medusa-config.ts change: no new server within 3 min")
	} else if t, err = firstBody(r.base+"/bench", fmt.Sprintf("v%d-", r.n), 3*time.Minute); err != nil {
		m.RestartMs = -1
		r.note("config restart: %v", err)
	} else {
		m.RestartMs = round(msSince(wrote, t))
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	m.FailedDuringRestart, m.RequestsDuringRestart = fails.Load(), reqs.Load()
	time.Sleep(time.Second)

	// A syntax error in a route: how many requests to the other routes fail afterwards.
	route := filepath.Join(r.dir, "src/api/bench/route.ts")
	writeAtomic(route, "export const GET = (req: any, res: any) => {\n  res.json({ bench: \"broken\" \n}\n")
	// Give a restarting server (Medusa's answer to a failed reload) time to boot and fail.
	time.Sleep(8 * time.Second)
	var sreqs, sfails atomic.Int64
	stop = make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); load(r.base+"/bench-tag", stop, &sreqs, &sfails) }()
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	m.SyntaxErrorFailed = sfails.Load()
	r.n++
	writeAtomic(route, fmt.Sprintf(benchRoute, r.n))
	wrote = time.Now()
	if t, err = pollBody(r.base+"/bench", fmt.Sprintf("v%d-", r.n), 90*time.Second, time.Millisecond); err != nil {
		m.SyntaxFixMs = -1
		r.note("syntax error fixed: %v", err)
	} else {
		m.SyntaxFixMs = round(msSince(wrote, t))
	}
}

// stepRouteSaves saves the bench step count times and records save → the first GET /bench-step
// (a route that runs the step's workflow) answering with the new result (-1: never).
func (r *nodeRun) stepRouteSaves(count int) {
	step := filepath.Join(r.dir, "src/workflows/steps/bench-step.ts")
	var out []float64
	for v := 2; v < count+2; v++ {
		writeAtomic(step, fmt.Sprintf(benchStep, v))
		wrote := time.Now()
		t, err := pollBody(r.base+"/bench-step", fmt.Sprintf("s%d-", v), eventBound, time.Millisecond)
		if err != nil {
			r.m.StepRouteNever++
			r.note("step save %d (GET /bench-step): %v", v, err)
			if r.m.StepRouteNever == 2 {
				break
			}
			continue
		}
		out = append(out, msSince(wrote, t))
		time.Sleep(100 * time.Millisecond)
	}
	r.m.StepRouteSave = summarize(out)
}

// routeSaves saves the bench route count times and returns save → new body for each (-1: never).
func (r *nodeRun) routeSaves(count int, pause time.Duration, reloads *[]float64) []float64 {
	route := filepath.Join(r.dir, "src/api/bench/route.ts")
	var out []float64
	for i := 0; i < count; i++ {
		r.n++
		r.cur.Store(int64(r.n))
		at0 := r.s.lineCount()
		writeAtomic(route, fmt.Sprintf(benchRoute, r.n))
		wrote := time.Now()
		t, err := pollBody(r.base+"/bench", fmt.Sprintf("v%d-", r.n), routeBound, time.Millisecond)
		if err != nil {
			r.m.RouteSaveNever++
			r.note("route save %d: %v", r.n, err)
			return append(out, -1)
		}
		out = append(out, msSince(wrote, t))
		if reloads != nil {
			if _, at, ok := r.s.waitLine(reloadLine, at0, 2*time.Second); ok {
				*reloads = append(*reloads, msSince(wrote, at))
			}
		}
		time.Sleep(pause) // as between two real saves
	}
	return out
}

type benchReq struct {
	method, path string
	headers      map[string]string
	body         string
}

func (r *nodeRun) validated() []benchReq {
	store := map[string]string{"x-publishable-api-key": r.seed.PublishableKey}
	admin := map[string]string{"authorization": "Bearer " + r.token}
	return []benchReq{
		{"GET", "/store/products", store, ""},
		{"GET", "/store/brands", store, ""},
		{"GET", "/admin/products?limit=1", admin, ""},
		{"GET", "/admin/brands", admin, ""},
	}
}

func (r *nodeRun) do(q benchReq) (int, string, error) {
	req, err := http.NewRequest(q.method, r.base+q.path, strings.NewReader(q.body))
	if err != nil {
		return 0, "", err
	}
	if q.body != "" {
		req.Header.Set("content-type", "application/json")
	}
	for k, v := range q.headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// validatedLoad requests the validated routes round-robin without pause until stop.
func (r *nodeRun) validatedLoad(stop chan struct{}, traffic []*routeTraffic) {
	reqs := r.validated()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		q, tr := reqs[i%len(reqs)], traffic[i%len(reqs)]
		code, body, err := r.do(q)
		tr.Requests++
		key := strconv.Itoa(code)
		if err != nil {
			key = "error"
		}
		tr.Statuses[key]++
		if err != nil || code < 200 || code > 299 {
			tr.Non2xx++
			if tr.First == "" {
				if err != nil {
					tr.First = err.Error()
				} else {
					tr.First = fmt.Sprintf("%d %.200s (after route save %d)", code, body, r.cur.Load())
				}
			}
			if err != nil {
				time.Sleep(time.Millisecond) // a refused connection answers at once
			}
		}
	}
}

// createBrand posts a brand and returns its id, or "" when the answer was not a 2xx.
func (r *nodeRun) createBrand() string {
	r.m.PostsSent++
	code, body, err := r.do(benchReq{"POST", "/admin/brands", map[string]string{"authorization": "Bearer " + r.token},
		fmt.Sprintf(`{"name":"bench-%d"}`, time.Now().UnixNano())})
	var out struct {
		Brand struct{ ID string } `json:"brand"`
	}
	if err == nil && code >= 200 && code <= 299 && json.Unmarshal([]byte(body), &out) == nil && out.Brand.ID != "" {
		r.ids = append(r.ids, out.Brand.ID)
		return out.Brand.ID
	}
	r.m.PostsFailed++
	if len(r.m.PostFailures) < 5 {
		if err != nil {
			r.m.PostFailures = append(r.m.PostFailures, err.Error())
		} else {
			r.m.PostFailures = append(r.m.PostFailures, fmt.Sprintf("%d %.200s", code, body))
		}
	}
	return ""
}

func (r *nodeRun) deleteBrands() {
	if r.token == "" {
		return
	}
	left := 0
	for _, id := range r.ids {
		if code, _, err := r.do(benchReq{"DELETE", "/admin/brands/" + id, map[string]string{"authorization": "Bearer " + r.token}, ""}); err != nil || code != 200 {
			left++
		}
	}
	if left > 0 {
		r.note("%d of the %d brands the bench created could not be deleted", left, len(r.ids))
	}
}

// fire sends what makes the subscriber being measured run: a brand (POST /admin/brands), or
// r.trigger when set. It returns the id that the subscriber's line names, "" when it failed.
func (r *nodeRun) fire() string {
	if r.trigger != nil {
		return r.trigger()
	}
	return r.createBrand()
}

// emitProduct emits product.created through the fixture's POST /emit route.
func (r *nodeRun) emitProduct() string {
	id := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	code, body, err := r.do(benchReq{"POST", "/emit?id=" + id, nil, ""})
	if err != nil || code != 200 || !strings.Contains(body, id) {
		r.note("POST /emit: %d %.200s %v", code, body, err)
		return ""
	}
	return id
}

// baseline sends a few events without any save (fire, as eventSaves does) and returns what one
// costs: send → the subscriber's line (its regexp for the event's id), and the send's round trip.
// The first one warms up and is not counted.
func (r *nodeRun) baseline(fire func() string, line func(id string) *regexp.Regexp) (toLine, rtt stats) {
	var out, rtts []float64
	for i := 0; i < 10; i++ {
		from, sent := r.s.lineCount(), time.Now()
		id := fire()
		if id == "" {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if i > 0 {
			rtts = append(rtts, msSince(sent, time.Now()))
		}
		if _, at, ok := r.s.waitLine(line(id), from, lineBound); ok && i > 0 {
			out = append(out, msSince(sent, at))
		}
	}
	return summarize(out), summarize(rtts)
}

// reloadLine is the line each tool prints when a reload is done: medusa-ls's "[HMR] reloaded
// <file> (…) in 4.6 ms", Medusa's "[HMR] Reloaded in 63.07ms".
var reloadLine = regexp.MustCompile(`\[HMR\] (reloaded \S+ .*in [\d.]+ ?ms|Reloaded in)`)

// eventSaves saves file (marker v1 → vN) samples times; after each write it fires events
// (r.fire), each after the previous one's subscriber line, until a line for one of them shows
// vN. It records write → that line, and write → sending the POST that produced it.
func (r *nodeRun) eventSaves(kind, file, v1, vFmt string, line func(id string) *regexp.Regexp, samples int, lineStats, postStats, reloadStats *stats, never, posts *int) {
	path := filepath.Join(r.dir, file)
	orig, err := os.ReadFile(path)
	check(err)
	if !strings.Contains(string(orig), v1) {
		r.note("%s: %s lacks %q, not measured", kind, file, v1)
		return
	}
	var lines, postMs, reloads []float64
	end := time.Now().Add(sectionBound)
	misses := 0
	for v := 2; v < samples+2 && time.Now().Before(end); v++ {
		at0 := r.s.lineCount()
		writeAtomic(path, strings.Replace(string(orig), v1, fmt.Sprintf(vFmt, v), 1))
		wrote := time.Now()
		got := false
		for time.Since(wrote) < eventBound {
			from, sent := r.s.lineCount(), time.Now()
			*posts++
			id := r.fire()
			if id == "" {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			m, at, ok := r.s.waitLine(line(id), from, min(lineBound, eventBound-time.Since(wrote)+time.Second))
			if !ok {
				continue
			}
			if m[1] == strconv.Itoa(v) {
				lines = append(lines, msSince(wrote, at))
				postMs = append(postMs, msSince(wrote, sent))
				got = true
				break
			}
		}
		if _, at, ok := r.s.waitLine(reloadLine, at0, 2*time.Second); ok {
			reloads = append(reloads, msSince(wrote, at))
		}
		if !got {
			*never++
			misses++
			r.note("%s save v%d: no line with v%d within %s", kind, v, v, eventBound)
			if misses == 2 {
				r.note("%s saves: two saves never showed, the rest not measured", kind)
				break
			}
		} else {
			misses = 0
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(lines) + *never; n < samples {
		r.note("%s saves: %d of %d samples taken (time bound %s)", kind, n, samples, sectionBound)
	}
	*lineStats, *postStats, *reloadStats = summarize(lines), summarize(postMs), summarize(reloads)
}

// lineCount is the number of lines the tool has printed so far.
func (s *server) lineCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

// restarts counts the times a server said it serves again: medusa-ls's "restarted in", or
// Medusa's "Server is ready" (which includes its first start).
func (s *server) restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.out.String()
	if strings.Contains(out, "[HMR] ready on") {
		return strings.Count(out, "restarted in")
	}
	return strings.Count(out, "Server is ready")
}

// waitLine waits for a line of the output that matches re and returns its submatches and when
// it was read.
func (s *server) waitLine(re *regexp.Regexp, from int, bound time.Duration) ([]string, time.Time, bool) {
	end := time.Now().Add(bound)
	for {
		s.mu.Lock()
		lines := s.lines[from:]
		from = len(s.lines)
		s.mu.Unlock()
		for _, l := range lines {
			if m := re.FindStringSubmatch(l.text); m != nil {
				return m, l.at, true
			}
		}
		if time.Now().After(end) {
			return nil, time.Time{}, false
		}
		time.Sleep(time.Millisecond)
	}
}

func startProcess(cmd *exec.Cmd, base string) (*server, time.Time) {
	s := &server{cmd: cmd, url: base, out: &bytes.Buffer{}}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stop() ends the whole tree: medusa develop leaves its child behind on SIGTERM
	pr, err := cmd.StdoutPipe()
	check(err)
	cmd.Stderr = cmd.Stdout
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			at := time.Now()
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.lines = append(s.lines, outLine{at: at, text: sc.Text()})
			s.mu.Unlock()
		}
	}()
	start := time.Now()
	check(cmd.Start())
	return s, start
}

// treeRSS sums the resident memory of pid and all its descendants.
// processRSS is one process of a tool's tree: what it runs (its command line, shortened) and
// its resident memory.
type processRSS struct {
	PID     int     `json:"pid"`
	Command string  `json:"command"`
	MB      float64 `json:"rss_mb"`
}

// processTree lists pid and its descendants with their memory.
func processTree(pid int) []processRSS {
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	var args []string
	for _, a := range strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00") {
		if i := strings.LastIndex("/"+a, "/node_modules/"); i >= 0 {
			a = a[i-1+len("/node_modules/"):] // @medusajs/cli/cli.js
		} else if strings.HasPrefix(a, "/") {
			a = filepath.Base(a)
		}
		args = append(args, a)
	}
	out := []processRSS{{PID: pid, Command: strings.Join(args[:min(len(args), 6)], " "), MB: rssMB(pid)}}
	for _, c := range children(pid) {
		out = append(out, processTree(c)...)
	}
	return out
}

// programOf names a process by its program and command: "medusa-ls develop",
// "@medusajs/cli/cli.js start" (node's own flags and preloads left out).
func programOf(command string) string {
	var words []string
	skip := false
	for _, w := range strings.Fields(command) {
		switch {
		case skip:
			skip = false
		case w == "--require" || w == "-r":
			skip = true
		case strings.HasPrefix(w, "-"):
		default:
			words = append(words, w)
		}
	}
	if len(words) > 0 && words[0] == "node" {
		words = words[1:]
	}
	return strings.Join(words[:min(len(words), 2)], " ")
}

func treeRSS(pid int) float64 {
	total := rssMB(pid)
	for _, c := range children(pid) {
		total += treeRSS(c)
	}
	return round(total)
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// printNodeTable prints the side-by-side run: one row per figure, a column per tool, and
// medusa-ls's figure over Medusa's.
func printNodeTable(res nodeResult) {
	if res.Skipped != "" {
		fmt.Printf("real Medusa side by side: skipped (%s)\n", res.Skipped)
		return
	}
	if len(res.Runs) != 2 {
		return
	}
	ls, md := res.Runs[0], res.Runs[1]
	ms := func(v float64) string {
		if v < 0 {
			return "never"
		}
		if v >= 10000 {
			return fmt.Sprintf("%.1f s", v/1000)
		}
		return fmt.Sprintf("%.1f ms", v)
	}
	pct := func(st stats, never int) string {
		if st.N == 0 {
			if never > 0 {
				return fmt.Sprintf("never (%d)", never)
			}
			return "-"
		}
		out := fmt.Sprintf("%s / %s (n %d)", ms(st.P50), ms(st.P99), st.N)
		if never > 0 {
			out += fmt.Sprintf(", %d never", never)
		}
		return out
	}
	ratio := func(a, b float64) string {
		if a <= 0 || b <= 0 {
			return ""
		}
		return fmt.Sprintf("%.3f×", a/b)
	}
	ratio2 := func(a, b stats) string {
		if a.N == 0 || b.N == 0 {
			return ""
		}
		return ratio(a.P50, b.P50) + " / " + ratio(a.P99, b.P99)
	}
	row := func(name, a, b, r string) { fmt.Printf("%-46s | %-34s | %-34s | %s\n", name, a, b, r) }
	fmt.Println("real Medusa 2.21.2 fixture, side by side (p50 / p99; ratio = medusa-ls / Medusa)")
	row("", "medusa-ls develop --runtime node", "medusa develop (backend HMR)", "ratio")
	boots := func(m nodeMeasure) string {
		var p []string
		for _, b := range m.BootRunsMs {
			if b < 0 {
				p = append(p, "never")
			} else {
				p = append(p, fmt.Sprintf("%.1f", b/1000))
			}
		}
		return fmt.Sprintf("%s (%s s)", ms(m.Boot.P50), strings.Join(p, ", "))
	}
	row("boot → first 200, p50 (every boot)", boots(ls), boots(md), ratio(ls.Boot.P50, md.Boot.P50))
	row("route save → new body", pct(ls.RouteSave, 0), pct(md.RouteSave, 0), ratio2(ls.RouteSave, md.RouteSave))
	row("  write → the tool logs the reload", pct(ls.RouteReloadLine, 0), pct(md.RouteReloadLine, 0), ratio2(ls.RouteReloadLine, md.RouteReloadLine))
	row("  the same under constant requests", pct(ls.RouteSaveUnderLoad, 0), pct(md.RouteSaveUnderLoad, 0), ratio2(ls.RouteSaveUnderLoad, md.RouteSaveUnderLoad))
	slow := func(v []slowSave) string {
		var p []string
		for _, x := range v {
			p = append(p, fmt.Sprintf("v%d %s", x.Version, ms(x.Ms)))
		}
		return strings.Join(p, ", ")
	}
	row("  slowest under load (find vN in the log)", slow(ls.SlowestUnderLoad), slow(md.SlowestUnderLoad), "")
	row("  route saves that never showed", strconv.Itoa(ls.RouteSaveNever), strconv.Itoa(md.RouteSaveNever), "")
	fr := func(f, n int64) string { return fmt.Sprintf("%d non-2xx of %d", f, n) }
	row("  GET /bench (the saved route)", fr(ls.FailedDuringSaves, ls.RequestsDuringSaves), fr(md.FailedDuringSaves, md.RequestsDuringSaves), "")
	for i := range max(len(ls.Validated), len(md.Validated)) {
		var a, b, name string
		if i < len(ls.Validated) {
			a, name = fr(ls.Validated[i].Non2xx, ls.Validated[i].Requests), ls.Validated[i].Route
		}
		if i < len(md.Validated) {
			b, name = fr(md.Validated[i].Non2xx, md.Validated[i].Requests), md.Validated[i].Route
		}
		row("  GET "+name, a, b, "")
	}
	status := func(m map[string]int) string {
		var p []string
		for _, v := range ls.Validated {
			p = append(p, strconv.Itoa(m[v.Route]))
		}
		return strings.Join(p, " ")
	}
	row("  validated routes before the saves", status(ls.BaselineStatus), status(md.BaselineStatus), "")
	row("  validated routes 2 s after the saves", status(ls.AfterStatus), status(md.AfterStatus), "")
	row("step save → new result (\"synced <id> vN\")", pct(ls.StepSave, ls.StepSaveNever), pct(md.StepSave, md.StepSaveNever), ratio2(ls.StepSave, md.StepSave))
	posts := func(p int, st stats, never int) string { return fmt.Sprintf("%d POSTs for %d saves", p, st.N+never) }
	row("  write → the tool logs the reload", pct(ls.StepReloadLine, 0), pct(md.StepReloadLine, 0), ratio2(ls.StepReloadLine, md.StepReloadLine))
	row("  POST /admin/brands sent for them", posts(ls.StepSavePosts, ls.StepSave, ls.StepSaveNever), posts(md.StepSavePosts, md.StepSave, md.StepSaveNever), "")
	row("step save → new result, GET /bench-step", pct(ls.StepRouteSave, ls.StepRouteNever), pct(md.StepRouteSave, md.StepRouteNever), ratio2(ls.StepRouteSave, md.StepRouteSave))
	row("subscriber save → first event on new code", pct(ls.SubscriberSave, ls.SubscriberSaveNever), pct(md.SubscriberSave, md.SubscriberSaveNever), ratio2(ls.SubscriberSave, md.SubscriberSave))
	row("  write → the tool logs the reload", pct(ls.SubscriberReloadLine, 0), pct(md.SubscriberReloadLine, 0), ratio2(ls.SubscriberReloadLine, md.SubscriberReloadLine))
	row("  POST /admin/brands sent for them", posts(ls.SubscriberSavePosts, ls.SubscriberSave, ls.SubscriberSaveNever), posts(md.SubscriberSavePosts, md.SubscriberSave, md.SubscriberSaveNever), "")
	row("  POST /admin/brands → its line, no save", pct(ls.EmitBaseline, 0), pct(md.EmitBaseline, 0), ratio2(ls.EmitBaseline, md.EmitBaseline))
	row("  POST /admin/brands round trip, no save", pct(ls.EmitBaselineRTT, 0), pct(md.EmitBaselineRTT, 0), ratio2(ls.EmitBaselineRTT, md.EmitBaselineRTT))
	row("subscriber save → first event, POST /emit", pct(ls.DirectSave, ls.DirectSaveNever), pct(md.DirectSave, md.DirectSaveNever), ratio2(ls.DirectSave, md.DirectSave))
	row("  write → the tool logs the reload", pct(ls.DirectReloadLine, 0), pct(md.DirectReloadLine, 0), ratio2(ls.DirectReloadLine, md.DirectReloadLine))
	row("  POST /emit sent for them", posts(ls.DirectSavePosts, ls.DirectSave, ls.DirectSaveNever), posts(md.DirectSavePosts, md.DirectSave, md.DirectSaveNever), "")
	row("  POST /emit → its line, no save", pct(ls.DirectBaseline, 0), pct(md.DirectBaseline, 0), ratio2(ls.DirectBaseline, md.DirectBaseline))
	row("  POST /admin/brands non-2xx (step+sub saves)", fmt.Sprintf("%d of %d", ls.PostsFailed, ls.PostsSent), fmt.Sprintf("%d of %d", md.PostsFailed, md.PostsSent), "")
	shared := func(v float64) string {
		if v < 0 {
			return "stale (5 s)"
		}
		return ms(v)
	}
	row("shared file (src/lib) save → new body", shared(ls.SharedFileSaveMs), shared(md.SharedFileSaveMs), ratio(ls.SharedFileSaveMs, md.SharedFileSaveMs))
	restart := func(m nodeMeasure) string {
		return fmt.Sprintf("%s, %d of %d failed", ms(m.RestartMs), m.FailedDuringRestart, m.RequestsDuringRestart)
	}
	row("medusa-config change → new server's 200", restart(ls), restart(md), ratio(ls.RestartMs, md.RestartMs))
	row("requests failing 2 s after a syntax error", strconv.FormatInt(ls.SyntaxErrorFailed, 10), strconv.FormatInt(md.SyntaxErrorFailed, 10), "")
	row("syntax error fixed → new body", ms(ls.SyntaxFixMs), ms(md.SyntaxFixMs), ratio(ls.SyntaxFixMs, md.SyntaxFixMs))
	row("memory (all processes) after boot", fmt.Sprintf("%.0f MB", ls.RSSBootMB), fmt.Sprintf("%.0f MB", md.RSSBootMB), ratio(ls.RSSBootMB, md.RSSBootMB))
	byProcess := func(ps []processRSS) string {
		var p []string
		for _, x := range ps {
			if x.MB >= 1 {
				p = append(p, fmt.Sprintf("%.0f %s", x.MB, programOf(x.Command)))
			}
		}
		return strings.Join(p, " + ")
	}
	row("  by process (MB, program)", byProcess(ls.RSSBootByProcess), byProcess(md.RSSBootByProcess), "")
	row("  after the step and subscriber saves", fmt.Sprintf("%.0f MB", ls.RSSAfterEventSavesMB), fmt.Sprintf("%.0f MB", md.RSSAfterEventSavesMB), ratio(ls.RSSAfterEventSavesMB, md.RSSAfterEventSavesMB))
	rss := func(m nodeMeasure) string {
		return fmt.Sprintf("%.0f MB after %d route saves", m.RSSAfterSavesMB, m.RSSSaves)
	}
	row("memory after the route saves", rss(ls), rss(md), ratio(ls.RSSAfterSavesMB, md.RSSAfterSavesMB))
	series := func(v []rssPoint) string {
		var p []string
		for _, f := range v {
			p = append(p, fmt.Sprintf("%d:%.0f", f.Saves, f.MB))
		}
		return strings.Join(p, " ")
	}
	row("  saves:MB along the way", series(ls.RSSSeries), series(md.RSSSeries), "")
	for _, l := range res.Load {
		fmt.Println("load average (1, 5, 15 min), " + l)
	}
	for _, r := range res.Runs {
		for _, n := range r.Notes {
			fmt.Printf("note, %s: %s\n", strings.Fields(r.Tool)[0], n)
		}
	}
}
