package embedded

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/reloaders"
)

// medusa-ls emit reports each subscriber's outcome once all have finished.
func TestEmitReportsEachSubscribersOutcome(t *testing.T) {
	sub := func(id, body string) string {
		return "export default async function handler({ event }) {\n  " + body + "\n}\nexport const config = { event: \"order.placed\", context: { subscriberId: \"" + id + "\" } }\n"
	}
	tests := []struct {
		name   string
		files  map[string]string
		failed map[string]string // id → error fragment; others succeed
	}{
		{"one throws, one succeeds", map[string]string{
			"src/subscribers/a.ts": sub("a", `throw new Error("no stock for " + event.data.id)`),
			"src/subscribers/b.ts": sub("b", `await new Promise((r) => setTimeout(r, 20))`),
		}, map[string]string{"a": "no stock for o1"}},
		{"all succeed after a while", map[string]string{
			"src/subscribers/a.ts": sub("a", `await new Promise((r) => setTimeout(r, 50))`),
		}, nil},
		{"a rejected promise later", map[string]string{
			"src/subscribers/a.ts": sub("a", `await new Promise((_, no) => setTimeout(() => no(new Error("late")), 30))`),
			"src/subscribers/b.ts": sub("b", `throw new TypeError("bad")`),
		}, map[string]string{"a": "late", "b": "bad"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.files)
			if res := f.load(); !res.Success {
				t.Fatalf("%+v", res)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := f.app.EmitEvent(ctx, "order.placed", []byte(`{"id":"o1"}`))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Outcomes) != len(tc.files) {
				t.Fatalf("outcomes %+v, want %d", res.Outcomes, len(tc.files))
			}
			for _, o := range res.Outcomes {
				want, fails := tc.failed[o.ID]
				if fails != (o.Error != "") || !strings.Contains(o.Error, want) {
					t.Errorf("%s: error %q, want %q", o.ID, o.Error, want)
				}
			}
			if res.Failed() != len(tc.failed) {
				t.Errorf("Failed() = %d, want %d", res.Failed(), len(tc.failed))
			}
		})
	}
}

// A failed run-job is logged in the dev server's terminal once, as a failed subscriber is.
func TestFailedRunJobIsLogged(t *testing.T) {
	job := func(body string) string {
		return "export default async function (container) {\n  " + body + "\n}\nexport const config = { name: \"j\", schedule: \"0 3 * * *\" }\n"
	}
	tests := []struct {
		name, body string
		line       string // the position logged
		frag       string
	}{
		{"throws", `throw new Error("no stock")`, "src/jobs/j.ts:2:", "no stock"},
		{"rejects later", `await new Promise((_, no) => setTimeout(() => no(new Error("late")), 10))`, "src/jobs/j.ts:2:", "late"},
		{"times out", `await new Promise(() => {})`, "src/jobs/j.ts:1:", "job j"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{"src/jobs/j.ts": job(tc.body)}, func(o *Options) {
				if tc.name == "times out" {
					o.RequestTimeout = time.Second // a run's limit, which it reaches
				}
			})
			if res := f.load(); !res.Success {
				t.Fatalf("%+v", res)
			}
			if _, err := f.app.RunJob(context.Background(), "j"); err == nil || !strings.Contains(err.Error(), tc.frag) {
				t.Fatalf("RunJob: %v", err)
			}
			var errs []string
			for _, l := range strings.Split(f.out.String(), "\n") {
				if strings.HasPrefix(l, "error:") {
					errs = append(errs, l)
				}
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tc.line) || !strings.Contains(errs[0], "job j: ") || !strings.Contains(errs[0], tc.frag) {
				t.Fatalf("want one error line at %s with %q, got %q", tc.line, tc.frag, errs)
			}
			f.mu.Lock()
			n := len(f.runtime)
			f.mu.Unlock()
			if n != 1 {
				t.Fatalf("%d runtime errors reported, want 1", n)
			}
		})
	}
}

// A failing subscriber or scheduled job logs one line, at the throwing line.
func TestOneLogLinePerFailure(t *testing.T) {
	tests := []struct {
		name, rel, src string
		emit           bool
		want           string
	}{
		{"subscriber throws", "src/subscribers/a.ts",
			"export default async function handler({ event }) {\n  throw new Error(\"no stock\")\n}\nexport const config = { event: \"x\" }\n",
			true, "src/subscribers/a.ts:2:"},
		{"subscriber rejects later", "src/subscribers/b.ts",
			"export default async function handler({ event }) {\n  await null\n  await Promise.reject(new Error(\"later\"))\n}\nexport const config = { event: \"x\" }\n",
			true, "src/subscribers/b.ts:3:"},
		{"scheduled job throws", "src/jobs/j.ts",
			"export default async function (container) {\n  throw new Error(\"jobfail\")\n}\nexport const config = { name: \"j\", schedule: \"* * * * * *\", numberOfExecutions: 1 }\n",
			false, "src/jobs/j.ts:2:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{tc.rel: tc.src})
			if res := f.load(); !res.Success {
				t.Fatalf("%+v", res)
			}
			if tc.emit {
				if _, err := f.app.EmitEvent(context.Background(), "x", nil); err != nil {
					t.Fatal(err)
				}
			}
			f.waitReported("failure", func(reloaders.RuntimeError) bool { return true })
			var errs []string
			for _, l := range strings.Split(f.out.String(), "\n") {
				if strings.HasPrefix(l, "error:") {
					errs = append(errs, l)
				}
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Fatalf("want one error line at %s, got %q", tc.want, errs)
			}
		})
	}
}
