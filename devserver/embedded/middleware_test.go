package embedded

import (
	"strings"
	"testing"
)

// TestRegExpMatchersAreStateless: a RegExp matcher with g or y matches the same path the same
// way on every request (Express would skip every other one), and loading it warns.
func TestRegExpMatchersAreStateless(t *testing.T) {
	tests := []struct {
		name, matcher string
		hits, misses  []string
	}{
		{"global flag", `/^\/store\/gx\/.*/g`, []string{"/store/gx/a", "/store/gx/a", "/store/gx/b", "/store/gx/a"}, []string{"/store/other"}},
		{"sticky flag", `/\/store\/gx/y`, []string{"/store/gx/a", "/store/gx/a", "/store/gx/a"}, []string{"/x/store/gx/a"}},
		{"both flags", `/\/store\/gx/gy`, []string{"/store/gx/a", "/store/gx/a"}, []string{"/x/store/gx/a"}},
		{"no flag", `/^\/store\/gx/`, []string{"/store/gx/a", "/store/gx/a"}, []string{"/store/other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{
				"src/api/store/gx/[p]/route.ts":   route(`res.json({ seen: (req as any).seen ?? 0 })`),
				"src/api/store/other/route.ts":    route(`res.json({ seen: (req as any).seen ?? 0 })`),
				"src/api/x/store/gx/[p]/route.ts": route(`res.json({ seen: (req as any).seen ?? 0 })`),
				"src/api/middlewares.ts": `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: ` + tt.matcher + `, middlewares: [(req: any, res: any, next: any) => { req.seen = (req.seen ?? 0) + 1; next() }] }] })
`,
			})
			res := f.load()
			if !res.Success {
				t.Fatalf("load: %+v", res.Errors)
			}
			warned := false
			for _, w := range res.Problems {
				if strings.Contains(w.Message, "has the g or y flag") {
					warned = true
				}
			}
			if wantWarn := strings.ContainsAny(tt.matcher[strings.LastIndex(tt.matcher, "/"):], "gy"); warned != wantWarn {
				t.Errorf("warned = %v, want %v (%+v)", warned, wantWarn, res.Problems)
			}
			for _, p := range tt.hits {
				f.expect("GET", p, "", 200, `{"seen":1}`)
			}
			for _, p := range tt.misses {
				f.expect("GET", p, "", 200, `{"seen":0}`)
			}
		})
	}
}

// TestWebhookRawBody: a webhook route checks and measures req.rawBody as Node code does, with
// the route's bodyParser { preserveRawBody: true }, as Medusa needs it.
func TestWebhookRawBody(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/api/middlewares.ts": `import { defineMiddlewares } from "@medusajs/framework/http"
export default defineMiddlewares({ routes: [{ matcher: "/hooks/pay", method: ["POST"], bodyParser: { preserveRawBody: true } }] })
`,
		"src/api/hooks/pay/route.ts": `import crypto from "crypto"
export async function POST(req: any, res: any) {
  const raw = req.rawBody
  res.json({
    isBuffer: Buffer.isBuffer(raw),
    bytes: Buffer.byteLength(raw),
    head: raw.slice(0, 4).toString("hex"),
    sig: crypto.createHmac("sha256", "whsec").update(raw).digest("hex").slice(0, 12),
  })
}
`,
	})
	if res := f.load(); !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	// Values from Node 20 on the same body.
	f.expect("POST", "/hooks/pay", `{"id":"évt"}`, 200, `{"isBuffer":true,"bytes":13,"head":"7b226964","sig":"aebef6e1c4dd"}`)
}

// TestJobNumberOfExecutionsAsMedusa: Medusa's JobLoader uses a schedule object as it is, so
// config.numberOfExecutions counts only beside a cron string.
func TestJobNumberOfExecutionsAsMedusa(t *testing.T) {
	job := func(name, schedule, extra string) string {
		return `export default async function () {}
export const config = { name: "` + name + `", schedule: ` + schedule + extra + ` }
`
	}
	f := newFixture(t, map[string]string{
		"src/jobs/string.ts":       job("string", `"0 * * * *"`, `, numberOfExecutions: 2`),
		"src/jobs/object.ts":       job("object", `{ cron: "0 * * * *" }`, `, numberOfExecutions: 2`),
		"src/jobs/object-own.ts":   job("object-own", `{ cron: "0 * * * *", numberOfExecutions: 3 }`, `, numberOfExecutions: 2`),
		"src/jobs/interval-own.ts": job("interval-own", `{ interval: 60000, numberOfExecutions: 4 }`, ``),
	})
	res := f.load()
	if !res.Success {
		t.Fatalf("load: %+v", res.Errors)
	}
	warned := 0
	for _, p := range res.Problems {
		if strings.Contains(p.Message, "Medusa ignores config.numberOfExecutions") {
			warned++
		}
	}
	if warned != 2 { // object.ts and object-own.ts
		t.Errorf("%d warnings about a config.numberOfExecutions Medusa ignores, want 2: %+v", warned, res.Problems)
	}
	want := map[string]int{"string": 2, "object": 0, "object-own": 3, "interval-own": 4}
	got := map[string]int{}
	for _, j := range f.app.scheduler.Jobs() {
		got[j.Name] = j.NumberOfExecutions
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("job %s: numberOfExecutions %d, want %d (all: %v)", name, got[name], n, got)
		}
	}
}
