//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
// project, the same machine, the same edits.
type nodeResult struct {
	Skipped string        `json:"skipped,omitempty"`
	Runs    []nodeMeasure `json:"runs,omitempty"`
}

type nodeMeasure struct {
	Tool                string  `json:"tool"`
	BootMs              float64 `json:"boot_to_first_200_ms"`
	RouteSave           stats   `json:"route_save_to_new_body"`
	RouteSaveUnderLoad  stats   `json:"route_save_to_new_body_under_load"`
	RequestsDuringSaves int64   `json:"requests_during_route_saves"`
	FailedDuringSaves   int64   `json:"failed_requests_during_route_saves"`
	SharedFileSaveMs    float64 `json:"shared_file_save_to_new_body_ms"` // -1: never (stale)
	SyntaxErrorFailed   int64   `json:"failed_requests_after_syntax_error"`
	SyntaxFixMs         float64 `json:"syntax_error_fix_to_new_body_ms"`
	RestartMs           float64 `json:"config_change_to_first_200_ms"` // -1: it did not restart
	FailedDuringRestart int64   `json:"failed_requests_during_restart"`
	RSSBootMB           float64 `json:"rss_after_boot_mb"` // every process of the tool
	RSSAfterSavesMB     float64 `json:"rss_after_saves_mb"`
}

const (
	benchRoute = "export const GET = (req: any, res: any) => {\n  res.json({ bench: \"v%d-\" })\n}\n"
	benchLib   = "export const tag = \"t%d-\"\n"
	benchUses  = "import { tag } from \"../../lib/bench-tag\"\nexport const GET = (req: any, res: any) => res.json({ tag })\n"
)

func measureNode(bin, fixture, outDir string, samples int) nodeResult {
	if err := medusafixture.Check(fixture); err != nil {
		return nodeResult{Skipped: err.Error() + " (bash testdata/medusa-app/setup-db.sh)"}
	}
	var res nodeResult
	for _, tool := range []string{"medusa-ls develop (node runtime)", "medusa develop (backend HMR)"} {
		fmt.Fprintf(os.Stderr, "bench: real Medusa, %s\n", tool)
		dir, err := os.MkdirTemp("", "medusa-ls-bench-node")
		check(err)
		check(medusafixture.Copy(fixture, dir, map[string]string{
			"src/api/bench/route.ts":     fmt.Sprintf(benchRoute, 0),
			"src/lib/bench-tag.ts":       fmt.Sprintf(benchLib, 0),
			"src/api/bench-tag/route.ts": benchUses,
		}))
		port := freePort()
		var cmd *exec.Cmd
		if strings.HasPrefix(tool, "medusa-ls") {
			cmd = exec.Command(bin, "develop", dir, "--port", strconv.Itoa(port), "--runtime", "node")
		} else {
			cmd = exec.Command("node", "node_modules/@medusajs/cli/cli.js", "develop")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
		}
		log := filepath.Join(outDir, strings.Fields(tool)[0]+"-develop.log")
		res.Runs = append(res.Runs, measureNodeTool(tool, cmd, dir, log, port, samples))
		os.RemoveAll(dir)
	}
	return res
}

func measureNodeTool(tool string, cmd *exec.Cmd, dir, log string, port, samples int) nodeMeasure {
	m := nodeMeasure{Tool: tool}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	s, start := startProcess(cmd, base)
	defer func() {
		s.stop()
		s.mu.Lock()
		_ = os.WriteFile(log, s.out.Bytes(), 0o644) // what the tool printed, to see why a figure is odd
		s.mu.Unlock()
	}()
	t, err := firstBody(base+"/bench", "v0-", 3*time.Minute)
	check(err)
	m.BootMs = round(msSince(start, t))
	time.Sleep(3 * time.Second)
	m.RSSBootMB = treeRSS(s.cmd.Process.Pid)

	// Route saves, one after the other, as a developer makes them.
	route := filepath.Join(dir, "src/api/bench/route.ts")
	n := 0
	saves := func(count int) []float64 {
		var out []float64
		for i := 0; i < count; i++ {
			n++
			writeAtomic(route, fmt.Sprintf(benchRoute, n))
			wrote := time.Now()
			t, err := pollBody(base+"/bench", fmt.Sprintf("v%d-", n), 60*time.Second, 5*time.Millisecond)
			check(err)
			out = append(out, msSince(wrote, t))
			time.Sleep(100 * time.Millisecond) // as between two real saves
		}
		return out
	}
	m.RouteSave = summarize(saves(samples))

	// The same while a client requests without pause: what fails, and how much slower.
	var reqs, fails atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); load(base+"/bench", stop, &reqs, &fails) }()
	m.RouteSaveUnderLoad = summarize(saves(max(samples/2, 5)))
	close(stop)
	wg.Wait()
	m.RequestsDuringSaves, m.FailedDuringSaves = reqs.Load(), fails.Load()
	time.Sleep(3 * time.Second)
	m.RSSAfterSavesMB = treeRSS(s.cmd.Process.Pid)

	// A shared file that a route imports: Medusa does not reload its importers.
	writeAtomic(filepath.Join(dir, "src/lib/bench-tag.ts"), fmt.Sprintf(benchLib, 1))
	wrote := time.Now()
	if t, err := pollBody(base+"/bench-tag", "t1-", 5*time.Second, 5*time.Millisecond); err == nil {
		m.SharedFileSaveMs = round(msSince(wrote, t))
	} else {
		m.SharedFileSaveMs = -1
	}

	// medusa-config.ts changes: a full restart, under load.
	reqs.Store(0)
	fails.Store(0)
	stop = make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); load(base+"/bench", stop, &reqs, &fails) }()
	time.Sleep(200 * time.Millisecond)
	cfg := filepath.Join(dir, "medusa-config.ts")
	src, err := os.ReadFile(cfg)
	check(err)
	before := s.restarts()
	// In place, as VS Code saves: Medusa's watcher (chokidar) sometimes misses a rename.
	check(os.WriteFile(cfg, append(src, "\n// bench restart\n"...), 0o644))
	wrote = time.Now()
	// Serving again means: the restarted server answers (medusa-ls's answers all along, from
	// the old one, so wait for the new process's log line).
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && s.restarts() == before {
		time.Sleep(5 * time.Millisecond)
	}
	if s.restarts() == before {
		m.RestartMs = -1 // it did not restart: see the log
	} else {
		t, err = firstBody(base+"/bench", fmt.Sprintf("v%d-", n), 3*time.Minute)
		check(err)
		m.RestartMs = round(msSince(wrote, t))
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	m.FailedDuringRestart = fails.Load()
	time.Sleep(time.Second)

	// A syntax error in a route: how many requests to the other routes fail afterwards.
	writeAtomic(route, "export const GET = (req: any, res: any) => {\n  res.json({ bench: \"broken\" \n}\n")
	// Give a restarting server (Medusa's answer to a failed reload) time to boot and fail.
	time.Sleep(8 * time.Second)
	var sreqs, sfails atomic.Int64
	stop = make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); load(base+"/bench-tag", stop, &sreqs, &sfails) }()
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	m.SyntaxErrorFailed = sfails.Load()
	n++
	writeAtomic(route, fmt.Sprintf(benchRoute, n))
	wrote = time.Now()
	t, err = pollBody(base+"/bench", fmt.Sprintf("v%d-", n), 90*time.Second, 5*time.Millisecond)
	check(err)
	m.SyntaxFixMs = round(msSince(wrote, t))
	return m
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
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	start := time.Now()
	check(cmd.Start())
	return s, start
}

// treeRSS sums the resident memory of pid and all its descendants.
func treeRSS(pid int) float64 {
	total := rssMB(pid)
	for _, c := range children(pid) {
		total += treeRSS(c)
	}
	return round(total)
}
