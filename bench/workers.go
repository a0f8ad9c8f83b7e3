//go:build unix

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
)

// workersResult is the production topology (develop --workers N) on the real fixture with
// Medusa's Redis modules: events per second end to end (POST /emit on the server → Redis →
// a worker's subscriber) for the shared single process and for 1, 2 and 4 workers, and save →
// first event handled by the new code in the workers.
type workersResult struct {
	Skipped string          `json:"skipped,omitempty"`
	Events  int             `json:"events_per_run"`
	Runs    []workersRun    `json:"runs"`
	Save    *workersSaveRun `json:"subscriber_save_with_2_workers,omitempty"`
	Load    []string        `json:"load_average"`
}

type workersRun struct {
	Workers      int            `json:"workers"` // 0: one shared process
	BootMs       float64        `json:"boot_to_ready_ms"`
	EventsPerSec float64        `json:"events_per_second"`
	ElapsedMs    float64        `json:"first_post_to_last_handled_ms"`
	Handled      int            `json:"handled"`
	Duplicates   int            `json:"handled_twice"`
	ByProcess    map[string]int `json:"handled_by"`
	Note         string         `json:"note,omitempty"`
}

type workersSaveRun struct {
	SaveToNewCode stats `json:"save_to_first_event_on_new_code"`
	Never         int   `json:"never"`
}

var benchSubLine = regexp.MustCompile(`^(?:\[(worker \d+)\] )?.*FIXTURE-SUB (v\d+) product\.created (\S+)$`)

func measureWorkers(bin, fixture string, events, saves int) workersResult {
	res := workersResult{Events: events}
	if err := medusafixture.Check(fixture); err != nil {
		return workersResult{Skipped: err.Error() + " (bash testdata/medusa-app/setup-db.sh)"}
	}
	url := medusafixture.RedisURL()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	err := medusafixture.PingRedis(ctx, url)
	cancel()
	if err != nil {
		return workersResult{Skipped: err.Error() + " (redis-server --daemonize yes --bind 127.0.0.1 --save '')"}
	}
	cfg, err := os.ReadFile(filepath.Join(fixture, "..", "medusa-app-redis", "medusa-config.ts"))
	check(err)
	for _, n := range []int{0, 1, 2, 4} {
		fmt.Fprintf(os.Stderr, "bench: production topology, %d workers\n", n)
		res.Load = append(res.Load, fmt.Sprintf("%d workers before: %s", n, loadAvg()))
		dir, s, boot := startTopology(bin, fixture, string(cfg), url, n)
		run := workersRun{Workers: n, BootMs: boot}
		if boot < 0 {
			run.Note = "did not start within 5 minutes"
		} else {
			run = emitRun(s, run, events)
			if n == 2 && saves > 0 {
				res.Save = saveRun(s, dir, saves)
			}
		}
		res.Runs = append(res.Runs, run)
		s.stop()
		os.RemoveAll(dir)
		medusafixture.DeleteRedisKeys(url, topologyPrefix(n))
		res.Load = append(res.Load, fmt.Sprintf("%d workers after: %s", n, loadAvg()))
	}
	return res
}

// startTopology copies the fixture with the Redis modules (its own key prefix) and runs
// medusa-ls develop with n workers on it; boot is the time to ready, -1 if it never was.
func startTopology(bin, fixture, cfg, url string, n int) (string, *server, float64) {
	dir, err := os.MkdirTemp("", "medusa-ls-bench-workers")
	check(err)
	check(medusafixture.Copy(fixture, dir, map[string]string{"medusa-config.ts": cfg}))
	env, err := os.OpenFile(filepath.Join(dir, ".env"), os.O_APPEND|os.O_WRONLY, 0o644)
	check(err)
	prefix := topologyPrefix(n)
	_, err = fmt.Fprintf(env, "\nREDIS_URL=%s\nFIXTURE_REDIS_PREFIX=%s\n", url, prefix)
	check(err)
	check(env.Close())
	port := freePort()
	args := []string{"develop", dir, "--port", strconv.Itoa(port), "--runtime", "node"}
	if n > 0 {
		args = append(args, "--workers", strconv.Itoa(n))
	}
	s, start := startProcess(exec.Command(bin, args...), fmt.Sprintf("http://127.0.0.1:%d", port))
	_, at, ok := s.waitLine(regexp.MustCompile(`\[HMR\] ready on`), 0, 5*time.Minute)
	if !ok {
		return dir, s, -1
	}
	return dir, s, round(msSince(start, at))
}

// emitRun posts events to /emit from 16 clients and waits until a subscriber line shows each.
func emitRun(s *server, run workersRun, events int) workersRun {
	from := s.lineCount()
	client := &http.Client{Timeout: time.Minute}
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(events) {
					return
				}
				resp, err := client.Post(fmt.Sprintf("%s/emit?id=bench-%d", s.url, i), "application/json", nil)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	run.ByProcess = map[string]int{}
	var last time.Time
	deadline := time.Now().Add(5 * time.Minute)
	for len(seen) < events-int(failed.Load()) && time.Now().Before(deadline) {
		s.mu.Lock()
		lines := s.lines[from:]
		from = len(s.lines)
		s.mu.Unlock()
		for _, l := range lines {
			m := benchSubLine.FindStringSubmatch(l.text)
			if m == nil || !strings.HasPrefix(m[3], "bench-") {
				continue
			}
			seen[m[3]]++
			proc := m[1]
			if proc == "" {
				proc = "shared"
			}
			run.ByProcess[proc]++
			last = l.at
		}
		time.Sleep(5 * time.Millisecond)
	}
	run.Handled = len(seen)
	for _, c := range seen {
		if c > 1 {
			run.Duplicates++
		}
	}
	if f := failed.Load(); f > 0 {
		run.Note = fmt.Sprintf("%d POSTs failed", f)
	}
	if run.Handled > 0 {
		run.ElapsedMs = round(msSince(start, last))
		run.EventsPerSec = round(float64(run.Handled) / last.Sub(start).Seconds())
	}
	return run
}

// saveRun saves the subscriber with a new version while events flow, and times the first event
// a worker handles with it.
func saveRun(s *server, dir string, samples int) *workersSaveRun {
	file := filepath.Join(dir, "src", "subscribers", "product-created.ts")
	orig, err := os.ReadFile(file)
	check(err)
	out := &workersSaveRun{}
	var times []float64
	for k := 2; k < samples+2; k++ {
		src := regexp.MustCompile(`FIXTURE-SUB v\d+`).ReplaceAllString(string(orig), fmt.Sprintf("FIXTURE-SUB v%d", k))
		tmp := filepath.Join(filepath.Dir(file), ".bench-tmp")
		check(os.WriteFile(tmp, []byte(src), 0o644))
		from := s.lineCount()
		stop := make(chan struct{})
		go func() { // events keep coming; the figure is the first one on the new code
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if resp, err := http.Post(fmt.Sprintf("%s/emit?id=save-%d-%d", s.url, k, i), "application/json", nil); err == nil {
					resp.Body.Close()
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
		saved := time.Now()
		check(os.Rename(tmp, file))
		_, at, ok := s.waitLine(regexp.MustCompile(fmt.Sprintf(`^\[worker \d+\] .*FIXTURE-SUB v%d product\.created`, k)), from, time.Minute)
		close(stop)
		if !ok {
			out.Never++
			continue
		}
		times = append(times, msSince(saved, at))
		time.Sleep(500 * time.Millisecond) // let the other worker's line and the reload's log settle
	}
	out.SaveToNewCode = summarize(times)
	return out
}

func printWorkersTable(res workersResult) {
	if res.Skipped != "" {
		fmt.Printf("\nproduction topology (develop --workers): skipped: %s\n", res.Skipped)
		return
	}
	fmt.Printf("\nproduction topology on the real fixture with Medusa's Redis modules (%d events per run, POST /emit → Redis → subscriber):\n", res.Events)
	fmt.Printf("  %-10s %12s %12s %10s %12s  %s\n", "processes", "boot (s)", "events/s", "handled", "twice", "by process")
	for _, r := range res.Runs {
		name := "shared"
		if r.Workers > 0 {
			name = fmt.Sprintf("1+%d", r.Workers)
		}
		fmt.Printf("  %-10s %12.1f %12.1f %10d %12d  %v %s\n", name, r.BootMs/1000, r.EventsPerSec, r.Handled, r.Duplicates, r.ByProcess, r.Note)
	}
	if res.Save != nil {
		st := res.Save.SaveToNewCode
		fmt.Printf("  subscriber save → first event on the new code in a worker (2 workers): p50 %.1f ms, p90 %.1f ms, max %.1f ms (n=%d, never %d)\n", st.P50, st.P90, st.Max, st.N, res.Save.Never)
	}
	fmt.Printf("  load: %s\n", strings.Join(res.Load, "; "))
}

// topologyPrefix keeps a run's Redis keys apart (FIXTURE_REDIS_PREFIX); they are deleted after it.
func topologyPrefix(workers int) string {
	return fmt.Sprintf("medusa-ls-bench-%d-%d", os.Getpid(), workers)
}
