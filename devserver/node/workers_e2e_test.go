//go:build unix

package node_test

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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// A project that cannot run as a server and workers gets one clear error before any process
// starts: no Redis event bus (the default fixture), or a Redis event bus whose Redis does not
// answer.
func TestWorkersNeedRedisEventBus(t *testing.T) {
	cases := []struct {
		name  string
		redis bool   // the fixture variant with Medusa's Redis modules
		url   string // its REDIS_URL ("": the test Redis)
		edit  func(cfg string) string
		boots bool // Medusa starts: the error is found in the running processes
		want  []string
	}{
		{name: "local event bus", want: []string{"configures no Redis event bus", "workers would never see the server's events", "event-bus-redis"}},
		{name: "redis not running", redis: true, url: "redis://127.0.0.1:1", want: []string{"Redis does not answer at redis://127.0.0.1:1", "redis-server"}},
		{name: "workerMode fixed in medusa-config", redis: true, boots: true,
			edit: func(cfg string) string {
				return strings.Replace(cfg, "projectConfig: {", `projectConfig: { workerMode: "shared",`, 1)
			},
			want: []string{`Medusa's server runs in worker mode "shared", not "server"`, "projectConfig.workerMode", "MEDUSA_WORKER_MODE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.boots && testing.Short() {
				t.Skip("boots Medusa")
			}
			var root string
			switch {
			case tc.redis && tc.url == "":
				root, _ = medusafixture.ForRedisTest(t, nil)
			case tc.redis:
				root = medusafixture.ForTest(t, nil)
				cfg, err := os.ReadFile(filepath.Join(medusafixture.RedisDir(), "medusa-config.ts"))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, root, "medusa-config.ts", string(cfg))
				env, _ := os.ReadFile(filepath.Join(root, ".env"))
				writeFile(t, root, ".env", string(env)+"\nREDIS_URL="+tc.url+"\n")
			default:
				root = medusafixture.ForTest(t, nil)
			}
			if tc.edit != nil {
				cfg, _ := os.ReadFile(filepath.Join(root, "medusa-config.ts"))
				writeFile(t, root, "medusa-config.ts", tc.edit(string(cfg)))
			}
			d := runDev(t, root, func(o *devserver.Options) {
				o.Runtime = devserver.RuntimeNode
				o.Workers = 1
				o.ReadyTimeout = 4 * time.Minute
			})
			d.WaitStateWithin(devserver.StateError, 5*time.Minute)
			st := d.Sup.Status()
			t.Logf("status: %s", st.Message)
			for _, w := range tc.want {
				if !strings.Contains(st.Message, w) {
					t.Errorf("status message %q lacks %q", st.Message, w)
				}
			}
			if len(st.Processes) != 0 {
				t.Errorf("processes started: %+v", st.Processes)
			}
			if out := d.Out.String(); !tc.boots && strings.Contains(out, "Creating server") {
				t.Errorf("Medusa was started:\n%s", out)
			}
			// Nothing is left running: the processes that started are stopped with the error.
			testutil.Eventually(t, waitFor, func() string {
				if pids := processesIn(root); len(pids) > 0 {
					return fmt.Sprintf("processes still running in the project: %v", pids)
				}
				return ""
			})
		})
	}
}

// With the Redis event bus but neither the Redis workflow engine nor Redis locking, the topology
// starts, with a warning for each: jobs would run once per worker, locks would hold per process.
// Stopped while it boots, it leaves nothing running.
func TestWorkersWarnWithoutRedisWorkflowEngine(t *testing.T) {
	root, _ := medusafixture.ForRedisTest(t, nil)
	env, _ := os.ReadFile(filepath.Join(root, ".env"))
	writeFile(t, root, ".env", string(env)+"FIXTURE_REDIS_MODULES=event-bus\n")
	d := runDev(t, root, func(o *devserver.Options) {
		o.Runtime = devserver.RuntimeNode
		o.Workers = 2
	})
	testutil.Eventually(t, waitFor, func() string {
		out := d.Out.String()
		for _, want := range []string{
			"has no Redis workflow engine (@medusajs/medusa/workflow-engine-redis): each worker schedules every job on its own, so a job runs once per worker at each tick",
			"has no Redis locking provider (@medusajs/medusa/locking-redis)",
		} {
			if !strings.Contains(out, want) {
				return "no warning " + want
			}
		}
		return ""
	})
	if st := d.Sup.Status(); st.State == devserver.StateError {
		t.Fatalf("the warnings stopped it: %s", st.Message)
	}
	d.Stop()
	testutil.Eventually(t, waitFor, func() string {
		if pids := processesIn(root); len(pids) > 0 {
			return fmt.Sprintf("processes still running after the stop: %v", pids)
		}
		return ""
	})
}

// everySecondJob logs each run with the tick it was scheduled for.
const everySecondJob = `import type { MedusaContainer } from "@medusajs/framework/types"

export default async function everySecond(container: MedusaContainer, context: { scheduledFor: Date }) {
  container.resolve("logger").info("FIXTURE-TICK " + context.scheduledFor.toISOString())
}

export const config = {
  name: "every-second",
  schedule: { interval: 1000 },
}
`

var (
	slowWarning = regexp.MustCompile(`warn: (event fixture\.slow|\d+ fixture\.slow events) queued in Redis 5s ago or more not taken by any worker: the workers \(worker 1 ready, worker 2 ready\) are busy`)
	subLine     = regexp.MustCompile(`(?m)^(?:\[(worker \d+)\] )?.*FIXTURE-SUB (v\d+) product\.created (\S+)$`)
	tickLine    = regexp.MustCompile(`(?m)^(?:\[(worker \d+)\] )?.*FIXTURE-TICK (\S+)$`)
)

// handled counts, per event id, the subscriber runs in the output, and the ids a process other
// than a worker handled.
func handled(out, prefix string) (runs map[string]int, versions map[string]string, notWorker []string) {
	runs, versions = map[string]int{}, map[string]string{}
	for _, m := range subLine.FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[3], prefix) {
			continue
		}
		runs[m[3]]++
		versions[m[3]] = m[2]
		if m[1] == "" {
			notWorker = append(notWorker, m[3])
		}
	}
	return runs, versions, notWorker
}

// emitter posts /emit?id=<prefix><n> from several clients until stopped and returns the ids the
// server accepted (200).
type emitter struct {
	d      *dev
	prefix string
	next   atomic.Int64
	mu     sync.Mutex
	ok     []string
	bad    []string
	quit   chan struct{}
	wg     sync.WaitGroup
}

func (d *dev) emitEvents(prefix string, clients, limit int) *emitter {
	e := &emitter{d: d, prefix: prefix, quit: make(chan struct{})}
	for range clients {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for {
				select {
				case <-e.quit:
					return
				default:
				}
				n := e.next.Add(1)
				if limit > 0 && n > int64(limit) {
					return
				}
				id := fmt.Sprintf("%s%d", prefix, n)
				code, body, err := d.do(realReq{"POST", "/emit?id=" + id, nil, ""})
				e.mu.Lock()
				if err == nil && code == 200 {
					e.ok = append(e.ok, id)
				} else {
					e.bad = append(e.bad, fmt.Sprintf("%s: %d %.200s %v", id, code, body, err))
				}
				e.mu.Unlock()
			}
		}()
	}
	return e
}

// stop stops emitting and returns the accepted ids; a request that failed fails the test.
func (e *emitter) stop() []string {
	close(e.quit)
	e.wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.bad) > 0 {
		e.d.T.Errorf("%d emits failed, first: %s", len(e.bad), e.bad[0])
	}
	return append([]string(nil), e.ok...)
}

// waitHandled waits until every id was handled by a worker and returns the runs per id.
func (d *dev) waitHandled(prefix string, ids []string, limit time.Duration) (map[string]int, map[string]string) {
	d.T.Helper()
	var runs map[string]int
	var versions map[string]string
	testutil.Eventually(d.T, limit, func() string {
		var notWorker []string
		runs, versions, notWorker = handled(d.Out.String(), prefix)
		if len(notWorker) > 0 {
			d.T.Fatalf("events handled outside the workers: %v", notWorker[:min(5, len(notWorker))])
		}
		missing := 0
		for _, id := range ids {
			if runs[id] == 0 {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Sprintf("%d of %d events not handled yet", missing, len(ids))
		}
		return ""
	})
	return runs, versions
}

func (d *dev) processes() []node.Process { return d.Sup.Status().Processes }

// readyTopology reports what is not ready yet in the server and n workers ("" when all are).
func readyTopology(ps []node.Process, n int) string {
	if len(ps) != n+1 {
		return fmt.Sprintf("%d processes, want %d: %+v", len(ps), n+1, ps)
	}
	for i, p := range ps {
		want := node.RoleWorker
		if i == 0 {
			want = node.RoleServer
		}
		if p.Role != want || p.State != node.ProcessReady || p.PID == 0 {
			return fmt.Sprintf("process %d: %+v, want a ready %s with a pid", i, p, want)
		}
	}
	return ""
}

// TestWorkersTopology runs the real fixture as a server and two workers over a real Redis, with
// Medusa's Redis modules, and checks each promise of the topology on it in turn.
func TestWorkersTopology(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Medusa three times over")
	}
	root, _ := medusafixture.ForRedisTest(t, map[string]string{"src/jobs/every-second.ts": everySecondJob})
	d := runDev(t, root, func(o *devserver.Options) {
		o.Runtime = devserver.RuntimeNode
		o.Workers = 2
		o.ReadyTimeout = 4 * time.Minute
		o.TaskTimeout = 5 * time.Second
	})
	d.WaitStateWithin(devserver.StateReady, 5*time.Minute)
	d.URL = d.Sup.URL()
	testutil.Eventually(t, waitFor, func() string { return readyTopology(d.processes(), 2) })

	t.Run("status and terminal show each process", func(t *testing.T) {
		ps := d.processes()
		if ps[1].PID == ps[2].PID || ps[0].PID == ps[1].PID {
			t.Fatalf("pids %+v", ps)
		}
		out := d.Out.String()
		for _, p := range ps {
			if want := fmt.Sprintf("%s (pid %d)", p.Name, p.PID); !strings.Contains(out, want) {
				t.Errorf("the terminal does not show %q", want)
			}
		}
	})

	t.Run("emit reports the worker that handled the event", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		raw, err := d.Sup.Call(ctx, ipc.CmdEmitEvent, ipc.EmitArgs{Name: "product.created", Data: json.RawMessage(`{"id":"cli-1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		var res ipc.EmitResult
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range res.Outcomes {
			if o.ID == "product-created-handler" {
				found = true
				if !strings.HasPrefix(o.Process, "worker ") || o.Error != "" {
					t.Errorf("outcome %+v, want ok in a worker", o)
				}
			}
		}
		if !found {
			t.Errorf("no outcome of product-created-handler: %s", raw)
		}
		if len(res.Subscribers) != len(res.Outcomes) {
			t.Errorf("subscribers %v, outcomes %+v: the list should be what ran", res.Subscribers, res.Outcomes)
		}
		d.waitHandled("cli-", []string{"cli-1"}, waitFor)
	})

	t.Run("1000 events, each handled once by a worker", func(t *testing.T) {
		e := d.emitEvents("once-", 8, 1000)
		e.wg.Wait()
		ids := e.stop()
		if len(ids) != 1000 {
			t.Fatalf("%d events accepted", len(ids))
		}
		runs, _ := d.waitHandled("once-", ids, 3*time.Minute)
		byWorker := map[string]int{}
		for _, m := range subLine.FindAllStringSubmatch(d.Out.String(), -1) {
			if strings.HasPrefix(m[3], "once-") {
				byWorker[m[1]]++
			}
		}
		for id, n := range runs {
			if n != 1 {
				t.Errorf("event %s handled %d times", id, n)
			}
		}
		t.Logf("handled by %v", byWorker)
	})

	t.Run("subscriber save during continuous emits", func(t *testing.T) {
		e := d.emitEvents("save-", 4, 0)
		testutil.Eventually(t, waitFor, func() string {
			if runs, _, _ := handled(d.Out.String(), "save-"); len(runs) < 20 {
				return "waiting for events on the old code"
			}
			return ""
		})
		n := len(d.Results("reload"))
		src := d.read("src/subscribers/product-created.ts")
		writeFile(t, root, "src/subscribers/product-created.ts", strings.Replace(src, "FIXTURE-SUB v1", "FIXTURE-SUB v2", 1))
		res := d.WaitResultWithin("reload", 2*time.Minute, n)
		if !res.Success {
			t.Fatalf("reload: %+v", res)
		}
		testutil.Eventually(t, waitFor, func() string {
			_, versions, _ := handled(d.Out.String(), "save-")
			v2 := 0
			for _, v := range versions {
				if v == "v2" {
					v2++
				}
			}
			if v2 < 20 {
				return fmt.Sprintf("%d events on the new code", v2)
			}
			return ""
		})
		ids := e.stop()
		runs, versions := d.waitHandled("save-", ids, 3*time.Minute)
		counts := map[string]int{}
		for _, id := range ids {
			if runs[id] != 1 {
				t.Errorf("event %s handled %d times", id, runs[id])
			}
			counts[versions[id]]++
		}
		t.Logf("%d events: %v", len(ids), counts)
		// Both workers took the new code: the last events all ran it.
		tail := ids[len(ids)-min(len(ids), 10):]
		for _, id := range tail {
			if versions[id] != "v2" {
				t.Errorf("event %s, emitted after the reload, ran %s", id, versions[id])
			}
		}
	})

	t.Run("a one-second job runs once per tick", func(t *testing.T) {
		var ticks map[string][]string
		testutil.Eventually(t, time.Minute, func() string {
			ticks = map[string][]string{}
			for _, m := range tickLine.FindAllStringSubmatch(d.Out.String(), -1) {
				ticks[m[2]] = append(ticks[m[2]], m[1])
			}
			if len(ticks) < 6 {
				return fmt.Sprintf("%d ticks so far", len(ticks))
			}
			return ""
		})
		for tick, by := range ticks {
			if len(by) != 1 || !strings.HasPrefix(by[0], "worker ") {
				t.Errorf("tick %s ran in %q, want once in a worker", tick, by)
			}
		}
	})

	t.Run("reloads go where the code runs, and failures name the processes", func(t *testing.T) {
		n := len(d.Results("reload"))
		src := d.read("src/api/hello/route.ts")
		writeFile(t, root, "src/api/hello/route.ts", strings.Replace(src, "{ v: 1 }", "{ v: 2 }", 1))
		res := d.WaitResultWithin("reload", 2*time.Minute, n)
		if !res.Success || res.Note != "" {
			t.Fatalf("route reload: %+v", res)
		}
		d.poll("/hello", `"v":2`)
		// A job without its config fails where jobs load: in the workers, not in the server.
		n = len(d.Results("reload"))
		writeFile(t, root, "src/jobs/broken.ts", "export default async function broken() {}\n")
		res = d.WaitResultWithin("reload", 2*time.Minute, n)
		if res.Success || len(res.Errors) == 0 {
			t.Fatalf("broken job reload: %+v", res)
		}
		msg := res.Errors[0].Message
		if !strings.Contains(msg, "Config is required") || !strings.Contains(msg, "(in worker 1, worker 2)") || strings.Contains(msg, "server") {
			t.Errorf("diagnostic %q, want the error in worker 1 and worker 2 only", msg)
		}
		n = len(d.Results("reload"))
		if err := os.Remove(filepath.Join(root, "src/jobs/broken.ts")); err != nil {
			t.Fatal(err)
		}
		d.WaitResultWithin("reload", 2*time.Minute, n)
	})

	t.Run("an event no worker takes in time is a warning that names it and why", func(t *testing.T) {
		// The subscriber holds its worker until the test has seen the warning (or for a minute):
		// the two workers take an event each and the others wait in Redis, untaken, for as long
		// as the warning takes and no longer.
		release := filepath.Join(t.TempDir(), "release")
		n := len(d.Results("reload"))
		writeFile(t, root, "src/subscribers/slow.ts", fmt.Sprintf(`import { existsSync } from "fs"
import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"

export default async function slow({ event }: SubscriberArgs<{ n: number }>) {
  for (let i = 0; i < 1200 && !existsSync(%q); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export const config: SubscriberConfig = { event: "fixture.slow" }
`, release))
		if res := d.WaitResultWithin("reload", 2*time.Minute, n); !res.Success {
			t.Fatalf("reload: %+v", res)
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		defer os.WriteFile(release, nil, 0o644)
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_, _ = d.Sup.Call(ctx, ipc.CmdEmitEvent, ipc.EmitArgs{Name: "fixture.slow", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
			}()
		}
		testutil.Eventually(t, waitFor, func() string {
			if slowWarning.MatchString(d.Out.String()) {
				return ""
			}
			return "no warning about fixture.slow"
		})
	})

	t.Run("a worker killed with SIGKILL is restarted and no event is lost", func(t *testing.T) {
		before := d.processes()
		e := d.emitEvents("kill-", 2, 0)
		testutil.Eventually(t, waitFor, func() string {
			if runs, _, _ := handled(d.Out.String(), "kill-"); len(runs) < 20 {
				return "waiting for events"
			}
			return ""
		})
		victim := before[1]
		if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 4*time.Minute, func() string {
			ps := d.processes()
			if msg := readyTopology(ps, 2); msg != "" {
				return msg
			}
			if ps[1].PID == victim.PID {
				return "worker 1 not restarted yet"
			}
			return ""
		})
		if want := fmt.Sprintf("worker 1 (pid %d) exited", victim.PID); !strings.Contains(d.Out.String(), want) {
			t.Errorf("the terminal does not say %q", want)
		}
		if d.processes()[2].PID != before[2].PID || d.processes()[0].PID != before[0].PID {
			t.Errorf("other processes restarted: %+v → %+v", before, d.processes())
		}
		ids := e.stop()
		// BullMQ gives an event whose worker died to another one once its lock expires (30 s):
		// none is lost; the one in flight may run twice (at least once, as BullMQ promises).
		runs, _ := d.waitHandled("kill-", ids, 3*time.Minute)
		twice := 0
		for _, id := range ids {
			if runs[id] > 1 {
				twice++
			}
		}
		if twice > 1 {
			t.Errorf("%d events handled more than once", twice)
		}
		t.Logf("%d events across the kill, %d handled twice", len(ids), twice)
	})

	t.Run("a config change restarts every process and fails no request", func(t *testing.T) {
		before := d.processes()
		n := len(d.Results("restart"))
		stop := d.traffic([]realReq{{"GET", "/hello", nil, ""}, {"POST", "/emit?id=restart-x", nil, ""}})
		cfg := d.read("medusa-config.ts")
		writeFile(t, root, "medusa-config.ts", cfg+"\n// changed by TestWorkersTopology\n")
		res := d.WaitResultWithin("restart", 5*time.Minute, n)
		bad := stop()
		if !res.Success {
			t.Fatalf("restart: %+v", res)
		}
		if len(bad) > 0 {
			t.Errorf("%d requests failed during the restart, first: %s", len(bad), bad[0])
		}
		testutil.Eventually(t, waitFor, func() string { return readyTopology(d.processes(), 2) })
		after := d.processes()
		for i := range after {
			if after[i].PID == before[i].PID {
				t.Errorf("%s kept pid %d", after[i].Name, after[i].PID)
			}
		}
		for _, p := range before {
			if err := syscall.Kill(p.PID, 0); err == nil {
				testutil.Eventually(t, waitFor, func() string {
					if syscall.Kill(p.PID, 0) == nil {
						return fmt.Sprintf("the old %s (pid %d) still runs", p.Name, p.PID)
					}
					return ""
				})
			}
		}
	})
}

// processesIn lists the processes whose command line names root (Linux; none elsewhere).
func processesIn(root string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), root) {
			out = append(out, pid)
		}
	}
	return out
}
