//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/bus/local"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

type eventsResult struct {
	SubscriberSaveToNewCode stats        `json:"subscriber_save_to_first_event_by_new_code"`
	JobReload               stats        `json:"job_reload"`
	Bus                     []busMeasure `json:"bus_emit_to_handled"`
}

type busMeasure struct {
	Subscribers     int     `json:"subscribers"`
	Latency         stats   `json:"latency"`
	EventsPerSecond float64 `json:"events_per_second"`
	HandledPerSec   float64 `json:"handler_calls_per_second"`
}

// measureEvents runs the subscriber and job measurements through `medusa-ls develop` on a copy
// of the example, then the bus measurements in-process.
func measureEvents(bin, example string, samples int) eventsResult {
	fmt.Fprintln(os.Stderr, "bench: subscribers, jobs and the bus")
	dir, err := os.MkdirTemp("", "medusa-ls-bench-events")
	check(err)
	defer os.RemoveAll(dir)
	check(os.CopyFS(dir, os.DirFS(example)))
	files := map[string]string{
		"src/lib/bench-state.ts":       "export const state = { version: \"\" }\n",
		"src/api/bench-state/route.ts": "import { state } from \"../../lib/bench-state\"\nexport const GET = (req: any, res: any) => res.json(state)\n",
		"src/api/bench-emit/route.ts":  "export const POST = async (req: any, res: any) => { await req.scope.resolve(\"event_bus\").emit({ name: \"bench.ping\", data: {} }); res.json({}) }\n",
		"src/subscribers/bench-sub.ts": subscriberVersion(0),
		"src/jobs/bench-job.ts":        jobVersion(0),
	}
	for rel, c := range files {
		p := filepath.Join(dir, rel)
		check(os.MkdirAll(filepath.Dir(p), 0o755))
		check(os.WriteFile(p, []byte(c), 0o644))
	}
	s, _ := startServer(bin, dir, os.TempDir())
	defer s.stop()
	_, err = firstBody(s.url+"/bench-state", "version", 60*time.Second)
	check(err)
	var res eventsResult
	var save []float64
	subFile := filepath.Join(dir, "src/subscribers/bench-sub.ts")
	for n := 1; n <= samples; n++ {
		writeAtomic(subFile, subscriberVersion(n))
		wrote := time.Now()
		want := fmt.Sprintf(`"version":"v%d-"`, n)
		for {
			resp, err := client.Post(s.url+"/bench-emit", "application/json", nil)
			if err == nil {
				resp.Body.Close()
			}
			if body := getBody(s.url + "/bench-state"); strings.Contains(body, want) {
				break
			}
			if time.Since(wrote) > 30*time.Second {
				check(fmt.Errorf("subscriber v%d never handled an event", n))
			}
		}
		save = append(save, msSince(wrote, time.Now()))
	}
	res.SubscriberSaveToNewCode = summarize(save)

	jobFile := filepath.Join(dir, "src/jobs/bench-job.ts")
	before := countLines(s, "reloaded src/jobs/bench-job.ts")
	for n := 1; n <= 50; n++ {
		writeAtomic(jobFile, jobVersion(n))
		deadline := time.Now().Add(30 * time.Second)
		for countLines(s, "reloaded src/jobs/bench-job.ts") < before+n && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	res.JobReload = summarize(reloadTimes(s, "reloaded src/jobs/bench-job.ts"))
	res.Bus = []busMeasure{measureBus(1, 2000), measureBus(100, 300)}
	return res
}

func getBody(url string) string {
	resp, err := client.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

func subscriberVersion(n int) string {
	return fmt.Sprintf(`import { state } from "../lib/bench-state"
export default async function benchSub() { state.version = "v%d-" }
export const config = { event: "bench.ping" }
`, n)
}

func jobVersion(n int) string {
	return fmt.Sprintf("// v%d\nexport default async function () {}\nexport const config = { name: \"bench-job\", schedule: \"0 3 * * *\" }\n", n)
}

func countLines(s *server, substr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.out.String(), substr)
}

var reloadedInRe = regexp.MustCompile(`in ([0-9.]+) (ms|s)\b`)

// reloadTimes reads "[HMR] reloaded … in X ms" from the server's log.
func reloadTimes(s *server, substr string) []float64 {
	s.mu.Lock()
	out := s.out.String()
	s.mu.Unlock()
	var ms []float64
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, substr) {
			continue
		}
		if m := reloadedInRe.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			if m[2] == "s" {
				v *= 1000
			}
			ms = append(ms, v)
		}
	}
	return ms
}

// measureBus times emit → handled (the JavaScript subscriber finished) on the local bus with k
// JavaScript subscribers: first one event at a time (latency), then n events at once
// (throughput).
func measureBus(k, n int) busMeasure {
	dir, err := os.MkdirTemp("", "medusa-ls-bench-bus")
	check(err)
	defer os.RemoveAll(dir)
	mod := filepath.Join(dir, "handler.ts")
	check(os.WriteFile(mod, []byte("let handled = 0\nexport default async function ({ event }: any) { handled += event.data.n }\n"), 0o644))
	rt, err := jsvm.New(jsvm.Options{Root: dir, TaskTimeout: 5 * time.Second, Builtins: framework.Builtins()})
	check(err)
	defer rt.Close()
	var handler goja.Value
	check(rt.Do(context.Background(), nil, "load", func(vm *goja.Runtime) error {
		tx := rt.Begin(nil, nil)
		m, err := tx.Require(mod)
		if err != nil {
			return err
		}
		tx.Commit()
		handler = m.Export(vm, "default")
		return nil
	}))
	b := local.New(local.Options{})
	defer b.Close()
	var mu sync.Mutex
	var wg sync.WaitGroup
	emitted := map[string]time.Time{}
	var lat []float64
	for i := 0; i < k; i++ {
		inner := framework.Subscriber(rt, handler, nil, "bench", 30*time.Second)
		check(b.Subscribe(bus.Subscriber{ID: fmt.Sprintf("s%d", i), Event: "bench", Handler: func(ctx context.Context, msg bus.Message) error {
			err := inner(ctx, msg)
			var id struct{ ID string }
			_ = json.Unmarshal(msg.Data, &id)
			mu.Lock()
			lat = append(lat, msSince(emitted[id.ID], time.Now()))
			mu.Unlock()
			wg.Done()
			return err
		}}))
	}
	emit := func(i int) {
		id := strconv.Itoa(i)
		mu.Lock()
		emitted[id] = time.Now()
		mu.Unlock()
		wg.Add(k)
		check(b.Emit(context.Background(), []bus.Message{{Name: "bench", Data: json.RawMessage(fmt.Sprintf(`{"id":%q,"n":1}`, id))}}, bus.EmitOptions{Internal: true}))
	}
	samples := min(n, 200)
	for i := 0; i < samples; i++ {
		emit(i)
		wg.Wait()
	}
	latency := summarize(lat)
	start := time.Now()
	for i := samples; i < samples+n; i++ {
		emit(i)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	return busMeasure{Subscribers: k, Latency: latency, EventsPerSecond: round(float64(n) / elapsed), HandledPerSec: round(float64(n*k) / elapsed)}
}
