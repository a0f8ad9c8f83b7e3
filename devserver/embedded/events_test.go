package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// waitUntil polls cond, for what has no event to wait on (a job's run on the wall clock, seen
// through a route); a correctness bound, generous for slow machines.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, func() string {
		if !cond() {
			return "timed out waiting for " + what
		}
		return ""
	})
}

// waitReported waits until a runtime error reported so far satisfies match.
func (f *fixture) waitReported(what string, match func(reloaders.RuntimeError) bool) {
	f.t.Helper()
	f.reported.Wait(f.t, 30*time.Second, func() string {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, e := range f.runtime {
			if match(e) {
				return ""
			}
		}
		return fmt.Sprintf("no %s among the runtime errors %+v", what, f.runtime)
	})
}

// drain waits until every event emitted so far has been handled by its subscribers, and their
// failures reported (grouped events not yet released are not waited for).
func (f *fixture) drain() {
	f.t.Helper()
	f.settle(f.app.bus.Drain)
}

// waitRuns waits until no job run is in progress.
func (f *fixture) waitRuns() {
	f.t.Helper()
	f.settle(f.app.scheduler.Wait)
}

// settle calls wait (the bus's Drain, the scheduler's Wait), bounded by a generous limit.
func (f *fixture) settle(wait func(context.Context) error) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := wait(ctx); err != nil {
		f.t.Fatal(err)
	}
}

// scheduled reports whether a job of that name is scheduled, and its runs.
func (f *fixture) scheduled(name string) (bool, int) {
	for _, j := range f.app.JobInfos() {
		if j.Name == name {
			return true, j.Runs
		}
	}
	return false, 0
}

// A shared module keeps what subscribers and jobs saw; it survives their reloads because only
// the resource file changes.
const seenModule = `export const seen: Record<string, number[]> = {}
export function record(key: string, v: number) { (seen[key] ??= []).push(v) }
`

const seenRoute = `import { seen } from "../../lib/seen"
export const GET = (req: any, res: any) => res.json(seen)
`

func (f *fixture) seen() map[string][]float64 {
	f.t.Helper()
	_, body := f.get("GET", "/seen", "")
	var m map[string][]float64
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		f.t.Fatalf("%v: %s", err, body)
	}
	return m
}

func TestSubscribersReceiveEventsFromRoutes(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":       seenModule,
		"src/api/seen/route.ts": seenRoute,
		"src/api/emit/route.ts": `import { Modules } from "@medusajs/framework/utils"
export async function POST(req: any, res: any) {
  const bus = req.scope.resolve(Modules.EVENT_BUS)
  const { name, group, release } = req.query
  if (release) { await bus.releaseGroupedEvents(release); return res.json({ released: release }) }
  await bus.emit([{ name, data: { n: Number(req.query.n) }, metadata: group ? { eventGroupId: group } : undefined }])
  res.json({ emitted: name })
}
`,
		"src/subscribers/created.ts": `import { record } from "../lib/seen"
export default async function createdHandler({ event, container }: any) {
  container.resolve("logger").info("created " + event.data.n)
  record(event.name, event.data.n)
}
export const config = { event: ["product.created", "product.updated"] }
`,
		"src/subscribers/everything.ts": `import { record } from "../lib/seen"
export default async function ({ event }: any) { record("*", event.data.n) }
export const config = { event: "*" }
`,
		"src/subscribers/fails.ts": `export default async function failing({ event }: any) {
  throw new Error("cannot handle " + event.name)
}
export const config = { event: "product.created" }
`,
	})
	if res := f.load(); !res.Success {
		t.Fatalf("%+v", res.Errors)
	}
	f.expect("POST", "/emit?name=product.created&n=1", "", 200, "emitted")
	f.expect("POST", "/emit?name=product.updated&n=2", "", 200, "emitted")
	f.expect("POST", "/emit?name=product.deleted&n=3", "", 200, "emitted")
	f.drain()
	s := f.seen()
	if len(s["*"]) != 3 || fmt.Sprint(s["product.created"]) != "[1]" || fmt.Sprint(s["product.updated"]) != "[2]" || s["product.deleted"] != nil {
		t.Fatalf("%v", s)
	}
	// The failing subscriber is reported, with its file and line; the others still ran.
	f.waitReported("failure report", func(e reloaders.RuntimeError) bool {
		for _, p := range e.Problems {
			if strings.HasSuffix(p.File, "src/subscribers/fails.ts") && p.Line == 2 && strings.Contains(p.Message, "cannot handle product.created") && strings.Contains(e.What, "subscriber failing on product.created") {
				return true
			}
		}
		return false
	})
	// Grouped events are held until released.
	f.expect("POST", "/emit?name=product.created&n=10&group=g1", "", 200, "emitted")
	f.drain()
	if got := f.seen()["product.created"]; len(got) != 1 {
		t.Fatalf("a grouped event was delivered before release: %v", got)
	}
	f.expect("POST", "/emit?release=g1", "", 200, "released")
	f.drain()
	if got := f.seen()["product.created"]; len(got) != 2 {
		t.Fatalf("the released event was not delivered: %v", got)
	}
	if !strings.Contains(f.out.String(), "info:    created 1") {
		t.Fatalf("logger output: %s", f.out.String())
	}
}

func TestSubscriberFileProblems(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/subscribers/a.ts":         "export default async function () {}\nexport const config = { event: \"x\", context: { subscriberId: \"same\" } }\n",
		"src/subscribers/b.ts":         "export default async function () {}\nexport const config = { event: \"x\", context: { subscriberId: \"same\" } }\n",
		"src/subscribers/noevent.ts":   "export default async function () {}\nexport const config = {}\n",
		"src/subscribers/nodefault.ts": "export const config = { event: \"y\" }\n",
	})
	res := f.load()
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%s:%d %s", e.File[len(f.root)+1:], e.Line, e.Message))
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"Subscriber with id same already exists for x", "noevent.ts:2 config.event is missing", "nodefault.ts:1 the default export must be the subscriber function"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors %q lack %q", all, want)
		}
	}
}

func TestEveryEventHandledExactlyOnceAcrossReloads(t *testing.T) {
	sub := func(v int) string {
		return fmt.Sprintf(`import { record } from "../lib/seen"
// version %d
export default async function counter({ event }: any) { record("e", event.data.i) }
export const config = { event: "tick" }
`, v)
	}
	// Delivery, not runaway code: a loaded machine may stall the loop past the usual 300 ms.
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":            seenModule,
		"src/api/seen/route.ts":      seenRoute,
		"src/subscribers/counter.ts": sub(0),
	}, func(o *Options) { o.TaskTimeout = 10 * time.Second })
	f.load()
	const events, reloads = 10000, 200
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < events; i++ {
			if _, err := f.app.EmitEvent(context.Background(), "tick", json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for v := 1; v <= reloads; v++ {
			f.write("src/subscribers/counter.ts", sub(v))
			if res := f.reload(ipc.ActionChange, "src/subscribers/counter.ts"); !res.Success {
				t.Errorf("reload %d: %+v", v, res.Errors)
				return
			}
		}
	}()
	wg.Wait()
	if err := f.app.bus.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	counts := make([]int, events)
	for _, i := range f.seen()["e"] {
		counts[int(i)]++
	}
	lost, twice := 0, 0
	for _, c := range counts {
		switch {
		case c == 0:
			lost++
		case c > 1:
			twice++
		}
	}
	if lost != 0 || twice != 0 {
		f.mu.Lock()
		defer f.mu.Unlock()
		t.Fatalf("of %d events, %d were not handled and %d were handled more than once; runtime errors: %+v", events, lost, twice, f.runtime)
	}
}

func TestJobsReloadWithoutDoubleRuns(t *testing.T) {
	job := func(v int) string {
		return fmt.Sprintf(`import { record } from "../lib/seen"
// version %d
export default async function (container: any, { scheduledFor }: any) { record("runs", Date.now()) }
export const config = { name: "every-second", schedule: "* * * * * *" }
`, v)
	}
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":       seenModule,
		"src/api/seen/route.ts": seenRoute,
		"src/jobs/tick.ts":      job(0),
		"src/jobs/three.ts": `import { record } from "../lib/seen"
export default async function () { record("three", 1) }
export const config = { name: "three-times", schedule: { interval: 20, numberOfExecutions: 3 } }
`,
	})
	if res := f.load(); !res.Success {
		t.Fatal(res.Errors)
	}
	// At least 100 reloads, and on until the job has run twice: they straddle its ticks.
	for v := 1; v <= 100 || len(f.seen()["runs"]) < 2; v++ {
		f.write("src/jobs/tick.ts", job(v))
		if res := f.reload(ipc.ActionChange, "src/jobs/tick.ts"); !res.Success {
			t.Fatalf("reload %d: %+v", v, res.Errors)
		}
	}
	f.waitRuns()
	perSecond := map[int64]int{}
	for _, ms := range f.seen()["runs"] {
		perSecond[int64(ms)/1000]++
	}
	for sec, n := range perSecond {
		if n > 1 {
			t.Fatalf("%d runs in second %d: %v", n, sec, f.seen()["runs"])
		}
	}
	// Once it has run three times it is no longer scheduled, so it cannot run again.
	waitUntil(t, "three-times to be done", func() bool { on, _ := f.scheduled("three-times"); return !on })
	f.waitRuns()
	if got := len(f.seen()["three"]); got != 3 {
		t.Fatalf("numberOfExecutions 3: ran %d times", got)
	}
}

func TestJobProblemsAndDeletion(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":       seenModule,
		"src/api/seen/route.ts": seenRoute,
		"src/jobs/bad.ts": `export default async function () {}
export const config = {
  name: "bad-cron",
  schedule: "61 * * * *",
}
`,
		"src/jobs/dup1.ts": "export default async function () {}\nexport const config = { name: \"dup\", schedule: \"0 0 * * *\" }\n",
		"src/jobs/dup2.ts": "export default async function () {}\nexport const config = { name: \"dup\", schedule: \"0 0 * * *\" }\n",
		"src/jobs/fast.ts": `import { record } from "../lib/seen"
export default async function () { record("fast", 1) }
export const config = { name: "fast", schedule: { interval: 10 } }
`,
		"src/subscribers/s.ts": `import { record } from "../lib/seen"
export default async function ({ event }: any) { record("s", 1) }
export const config = { event: "ping" }
`,
		// a clock for the test: its runs tell how long a deleted job with the same interval
		// had to run again
		"src/jobs/clock.ts": "export default async function () {}\nexport const config = { name: \"clock\", schedule: { interval: 10 } }\n",
	})
	res := f.load()
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%s:%d %s", e.File[len(f.root)+1:], e.Line, e.Message))
	}
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "src/jobs/bad.ts:4 job \"bad-cron\": invalid schedule") || !strings.Contains(all, `a job named "dup" already exists`) {
		t.Fatalf("errors:\n%s", all)
	}
	for _, j := range f.app.JobInfos() {
		if j.Name == "bad-cron" {
			t.Fatal("a job with an invalid cron was scheduled")
		}
	}
	waitUntil(t, "the fast job", func() bool { return len(f.seen()["fast"]) > 0 })
	f.app.EmitEvent(context.Background(), "ping", nil) // returns once its subscribers have
	if len(f.seen()["s"]) != 1 {
		t.Fatalf("the subscriber did not run: %v", f.seen())
	}

	os.Remove(f.path("src/jobs/fast.ts"))
	os.Remove(f.path("src/subscribers/s.ts"))
	if res := f.reload(ipc.ActionUnlink, "src/jobs/fast.ts", "src/subscribers/s.ts"); !res.Success || len(res.Removed) != 2 {
		t.Fatalf("%+v", res)
	}
	if on, _ := f.scheduled("fast"); on {
		t.Fatal("the deleted job is still scheduled")
	}
	f.waitRuns() // a run in progress at the reload has finished
	runs := len(f.seen()["fast"])
	if res, err := f.app.EmitEvent(context.Background(), "ping", nil); err != nil || len(res.Subscribers) != 0 {
		t.Fatalf("ping after the deletion reached %v (%v)", res.Subscribers, err)
	}
	// Ten runs of the clock, whose interval is the deleted job's, and the deleted job none.
	_, clock := f.scheduled("clock")
	waitUntil(t, "ten runs of the clock", func() bool { _, n := f.scheduled("clock"); return n >= clock+10 })
	if len(f.seen()["fast"]) != runs || len(f.seen()["s"]) != 1 {
		t.Fatalf("a deleted job or subscriber still runs: %v", f.seen())
	}
}

func TestRunJobNow(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/lib/seen.ts":       seenModule,
		"src/api/seen/route.ts": seenRoute,
		"src/jobs/daily.ts": `import { record } from "../lib/seen"
export default async function (container: any) { container.resolve("logger").info("daily ran"); record("daily", 1) }
export const config = { name: "daily", schedule: "0 3 * * *" }
`,
	})
	f.load()
	if _, err := f.app.RunJob(context.Background(), "daily"); err != nil {
		t.Fatal(err)
	}
	if len(f.seen()["daily"]) != 1 {
		t.Fatal("run-job did not run the job")
	}
	if _, err := f.app.RunJob(context.Background(), "nope"); err == nil || !strings.Contains(err.Error(), "jobs: daily") {
		t.Fatalf("unknown job: %v", err)
	}
	infos := f.app.JobInfos()
	if len(infos) != 1 || infos[0].Next.IsZero() || infos[0].Line != 2 {
		t.Fatalf("%+v", infos)
	}
}
