//go:build unix

package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// realReq is one request a real project's clients send: a core or custom route, validated by
// validateAndTransformQuery, behind the publishable key or an admin token.
type realReq struct {
	method, path string
	headers      map[string]string
	body         string
}

func (d *dev) do(r realReq) (int, string, error) {
	req, err := http.NewRequest(r.method, d.URL+r.path, strings.NewReader(r.body))
	if err != nil {
		return 0, "", err
	}
	if r.body != "" {
		req.Header.Set("content-type", "application/json")
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// must sends r and fails unless it answers status with a body containing want.
func (d *dev) must(r realReq, status int, want string) string {
	d.T.Helper()
	code, body, err := d.do(r)
	if err != nil || code != status || !strings.Contains(body, want) {
		d.T.Fatalf("%s %s = %d %.400s (%v); want %d containing %q", r.method, r.path, code, body, err, status, want)
	}
	return body
}

// mustEventually sends r until it answers 200 with a body containing want.
func (d *dev) mustEventually(r realReq, want string) string {
	d.T.Helper()
	body := ""
	testutil.Eventually(d.T, waitFor, func() string {
		code, b, err := d.do(r)
		if body = b; err == nil && code == 200 && strings.Contains(body, want) {
			return ""
		}
		return fmt.Sprintf("%s %s = %d %.400s (%v); want 200 containing %q", r.method, r.path, code, body, err, want)
	})
	return body
}

// traffic sends reqs round-robin without pause until stopped and returns every answer that was
// not 2xx.
func (d *dev) traffic(reqs []realReq) (stop func() []string) {
	var mu sync.Mutex
	var bad []string
	n := 0
	done := make(chan struct{})
	quit := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			r := reqs[i%len(reqs)]
			code, body, err := d.do(r)
			mu.Lock()
			n++
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s %s: %v", r.method, r.path, err))
			} else if code < 200 || code > 299 {
				bad = append(bad, fmt.Sprintf("%s %s: %d %.200s", r.method, r.path, code, body))
			}
			mu.Unlock()
		}
	}()
	return func() []string {
		close(quit)
		<-done
		mu.Lock()
		defer mu.Unlock()
		d.T.Logf("%d requests during the reloads, %d not 2xx", n, len(bad))
		return bad
	}
}

// read returns the fixture file rel of the running copy.
func (d *dev) read(rel string) string {
	d.T.Helper()
	b, err := os.ReadFile(filepath.Join(d.Root, filepath.FromSlash(rel)))
	if err != nil {
		d.T.Fatal(err)
	}
	return string(b)
}

// replace edits rel (old → new, which must be there) and waits for the reload it causes; the
// reload must succeed.
func (d *dev) replace(rel, old, new string) ipc.Result {
	d.T.Helper()
	src := d.read(rel)
	if !strings.Contains(src, old) {
		d.T.Fatalf("%s lacks %q", rel, old)
	}
	res := d.Edit(rel, strings.Replace(src, old, new, 1))
	if !res.Success || len(res.Errors) > 0 {
		d.T.Fatalf("reload of %s: %+v\n%s", rel, res, d.Out.String())
	}
	return res
}

// TestNodeRuntimeRealProject saves every kind of file of a real project (validated routes,
// middlewares.ts, a step, a hook on a core workflow, a route that runs a project workflow, a
// subscriber that runs one, a job, a data-model module) in turn, under constant traffic to core
// and custom validated routes: each change is served, and no request fails.
func TestNodeRuntimeRealProject(t *testing.T) {
	seed := medusafixture.Seeded(t)
	d := startNode(t, nil)
	token := medusafixture.AdminToken(t, d.URL)
	store := map[string]string{"x-publishable-api-key": seed.PublishableKey}
	admin := map[string]string{"authorization": "Bearer " + token}
	validated := []realReq{
		{"GET", "/store/products?limit=2", store, ""},
		{"GET", "/admin/products?limit=1&fields=id", admin, ""},
		{"GET", "/admin/brands?limit=2", admin, ""},
		{"GET", "/store/brands?limit=2", store, ""},
		{"GET", "/hello", nil, ""},
	}
	healthy := func(t *testing.T) {
		t.Helper()
		for _, r := range validated {
			d.must(r, 200, "")
		}
	}
	healthy(t)
	// .medusa/types (`start --types`, the editor's types for the container and Query) is written,
	// with the project's own module in it.
	testutil.Eventually(t, time.Minute, func() string {
		b, err := os.ReadFile(filepath.Join(d.Root, ".medusa/types/modules-bindings.d.ts"))
		q, qerr := os.ReadFile(filepath.Join(d.Root, ".medusa/types/query-entry-points.d.ts"))
		if err != nil || qerr != nil {
			return fmt.Sprintf(".medusa/types not written: %v %v", err, qerr)
		}
		if !strings.Contains(string(b), "'brand': InstanceType<(typeof Brand)['service']>") || !strings.Contains(string(q), "RemoteQueryEntryPoints") {
			return ".medusa/types has no brand module binding or no RemoteQueryEntryPoints"
		}
		return ""
	})
	stop := d.traffic(validated)
	ran := false
	defer func() {
		if !ran {
			stop()
		}
	}()
	var mu sync.Mutex
	run := func(name string, fn func(t *testing.T)) {
		mu.Lock()
		defer mu.Unlock()
		if !t.Run(name, func(t *testing.T) {
			fn(t)
			healthy(t)
		}) {
			t.FailNow()
		}
	}

	run("route save", func(t *testing.T) {
		res := d.replace("src/api/store/brands/route.ts", "brands: result.brands,", "brands: result.brands, v: 2,")
		if len(res.Reloaded) != 1 || res.Reloaded[0].Name != "GET /store/brands" {
			t.Fatalf("reloaded %+v; want only the route, GET /store/brands", res.Reloaded)
		}
		d.mustEventually(realReq{"GET", "/store/brands", store, ""}, `"v":2`)
	})
	run("middlewares.ts save", func(t *testing.T) {
		d.replace("src/api/middlewares.ts", `matcher: "/store/brands",
      method: "GET",
      middlewares: [`, `matcher: "/store/brands",
      method: "GET",
      middlewares: [
        (req: any, res: any, next: any) => {
          res.setHeader("x-fixture-mw", "2")
          next()
        },`)
		testutil.Eventually(t, waitFor, func() string {
			req, _ := http.NewRequest("GET", d.URL+"/store/brands", nil)
			req.Header.Set("x-publishable-api-key", seed.PublishableKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err.Error()
			}
			resp.Body.Close()
			if resp.Header.Get("x-fixture-mw") != "2" || resp.StatusCode != 200 {
				return fmt.Sprintf("the new middleware never ran (status %d)", resp.StatusCode)
			}
			return ""
		})
	})
	createBrand := func(t *testing.T, name string) string {
		t.Helper()
		var out struct {
			Brand struct{ ID string } `json:"brand"`
		}
		body := d.must(realReq{"POST", "/admin/brands", admin, fmt.Sprintf(`{"name":%q}`, name)}, 200, name)
		if err := json.Unmarshal([]byte(body), &out); err != nil || out.Brand.ID == "" {
			t.Fatalf("POST /admin/brands = %s", body)
		}
		return out.Brand.ID
	}
	run("step save", func(t *testing.T) {
		d.replace("src/workflows/steps/sync-brand.ts", "synced ${input.id} v1", "synced ${input.id} v2")
		id := createBrand(t, "StepSave")
		d.waitOutput(fmt.Sprintf("synced %s v2", id))
	})
	run("hook save", func(t *testing.T) {
		d.replace("src/workflows/hooks/created-product.ts", "FIXTURE-HOOK v1 productsCreated", "FIXTURE-HOOK v2 productsCreated")
		body := d.must(realReq{"POST", "/admin/products", admin, `{"title":"Hooked tee","status":"draft","options":[{"title":"Size","values":["S"]}]}`}, 200, "Hooked tee")
		var out struct {
			Product struct{ ID string } `json:"product"`
		}
		_ = json.Unmarshal([]byte(body), &out)
		d.waitOutput("FIXTURE-HOOK v2 productsCreated " + out.Product.ID)
		if strings.Contains(d.Out.String(), "FIXTURE-HOOK v1 productsCreated "+out.Product.ID) {
			t.Fatal("the old hook handler ran too")
		}
		d.must(realReq{"DELETE", "/admin/products/" + out.Product.ID, admin, ""}, 200, "deleted")
	})
	createProduct := func(t *testing.T, title string) string {
		t.Helper()
		title = fmt.Sprintf("%s %d", title, time.Now().UnixNano()) // a handle no earlier run left
		body := d.must(realReq{"POST", "/admin/products", admin, fmt.Sprintf(`{"title":%q,"status":"draft","options":[{"title":"Size","values":["S"]}]}`, title)}, 200, title)
		var out struct {
			Product struct{ ID string } `json:"product"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || out.Product.ID == "" {
			t.Fatalf("POST /admin/products = %s", body)
		}
		return out.Product.ID
	}
	run("a second file's handler for the same hook is refused, as at Medusa's boot", func(t *testing.T) {
		other := "import { createProductsWorkflow } from \"@medusajs/medusa/core-flows\"\n\ncreateProductsWorkflow.hooks.productsCreated(async () => {\n  console.log(\"OTHER-HOOK \" + \"ran\")\n})\n"
		res := d.Edit("src/workflows/hooks/other.ts", other)
		if res.Success || len(res.Errors) == 0 || !strings.HasSuffix(res.Errors[0].File, "src/workflows/hooks/other.ts") ||
			!strings.Contains(res.Errors[0].Message, "Cannot define multiple hook handlers") {
			t.Fatalf("want Medusa's \"Cannot define multiple hook handlers\" on other.ts; got %+v", res)
		}
		id := createProduct(t, "Hooked once")
		d.waitOutput("FIXTURE-HOOK v2 productsCreated " + id)
		d.must(realReq{"DELETE", "/admin/products/" + id, admin, ""}, 200, "deleted")
		if res := d.remove("src/workflows/hooks/other.ts"); !res.Success {
			t.Fatalf("other.ts deleted: %+v", res)
		}
		id = createProduct(t, "Hooked twice")
		d.waitOutput("FIXTURE-HOOK v2 productsCreated " + id)
		d.must(realReq{"DELETE", "/admin/products/" + id, admin, ""}, 200, "deleted")
		if strings.Contains(d.Out.String(), "OTHER-HOOK ran") {
			t.Fatal("the refused handler ran")
		}
	})
	run("a hook file that throws after registering keeps the previous handler", func(t *testing.T) {
		src := d.read("src/workflows/hooks/created-product.ts")
		broken := strings.Replace(src, "FIXTURE-HOOK v2 productsCreated", "FIXTURE-HOOK v3 productsCreated", 1) + "\nthrow new Error(\"hook file boom\")\n"
		if res := d.Edit("src/workflows/hooks/created-product.ts", broken); res.Success || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "hook file boom") {
			t.Fatalf("want the error; got %+v", res)
		}
		id := createProduct(t, "Hooked thrice")
		d.waitOutput("FIXTURE-HOOK v2 productsCreated " + id)
		d.must(realReq{"DELETE", "/admin/products/" + id, admin, ""}, 200, "deleted")
		if res := d.Edit("src/workflows/hooks/created-product.ts", strings.Replace(src, "FIXTURE-HOOK v2 productsCreated", "FIXTURE-HOOK v3 productsCreated", 1)); !res.Success {
			t.Fatalf("the fix: %+v", res)
		}
		id = createProduct(t, "Hooked v3")
		d.waitOutput("FIXTURE-HOOK v3 productsCreated " + id)
		d.must(realReq{"DELETE", "/admin/products/" + id, admin, ""}, 200, "deleted")
	})
	run("save of a route that imports a project workflow", func(t *testing.T) {
		d.replace("src/api/admin/brands/route.ts", "res.json({ brand: result })", "res.json({ brand: result, v: 2 })")
		body := d.must(realReq{"POST", "/admin/brands", admin, `{"name":"RouteSave"}`}, 200, `"v":2`)
		if !strings.Contains(body, "RouteSave") {
			t.Fatal(body)
		}
	})
	run("subscriber save", func(t *testing.T) {
		d.replace("src/subscribers/brand-created.ts", "FIXTURE-BRAND-SUB v1", "FIXTURE-BRAND-SUB v2")
		id := createBrand(t, "SubSave")
		d.waitOutput(fmt.Sprintf("FIXTURE-BRAND-SUB v2 %s", id))
	})
	run("job save", func(t *testing.T) {
		d.replace("src/jobs/sync-brands.ts", "FIXTURE-SYNC-JOB v1", "FIXTURE-SYNC-JOB v2")
		if _, err := d.Sup.Call(context.Background(), ipc.CmdRunJob, ipc.RunJobArgs{Name: "fixture-sync-brands"}); err != nil {
			t.Fatal(err)
		}
		d.waitOutput("FIXTURE-SYNC-JOB v2")
		raw, err := d.Sup.Call(context.Background(), ipc.CmdJobs, nil)
		if err != nil || strings.Count(string(raw), "fixture-sync-brands") != 1 {
			t.Fatalf("jobs %s (%v); want fixture-sync-brands once", raw, err)
		}
	})
	run("data-model module save", func(t *testing.T) {
		// src/links/product-brand.ts imports the module: its linkables did not change, so the
		// module reloads in place and Medusa is not restarted.
		res := d.replace("src/modules/brand/service.ts", "}) {}", "}) {\n  fixtureVersion() {\n    return 2\n  }\n}")
		if res.Restart {
			t.Fatalf("a service save restarted Medusa: %s", res.Note)
		}
		createBrand(t, "ModuleSave")
	})
	run("a broken file's error stays on it; later good saves succeed", func(t *testing.T) {
		sub := "src/subscribers/brand-created.ts"
		good := d.read(sub)
		res := d.Edit(sub, "throw new Error(\"subscriber config missing\")\n"+good)
		if res.Success || len(res.Errors) == 0 || !strings.HasSuffix(res.Errors[0].File, sub) || res.Errors[0].Line != 1 {
			t.Fatalf("want a failure on %s:1; got %+v", sub, res)
		}
		// the old subscriber keeps handling events
		id := createBrand(t, "StillSubscribed")
		d.waitOutput(fmt.Sprintf("FIXTURE-BRAND-SUB v2 %s", id))
		// an unrelated save is a success, and the subscriber's problem is still its own
		res = d.replace("src/api/store/brands/route.ts", "v: 2,", "v: 3,")
		for _, p := range res.Problems {
			if !strings.HasSuffix(p.File, sub) {
				t.Fatalf("problem on the wrong file: %+v", p)
			}
		}
		if len(res.Problems) == 0 {
			t.Fatalf("the subscriber's problem was dropped: %+v", res)
		}
		d.mustEventually(realReq{"GET", "/store/brands", store, ""}, `"v":3`)
		res = d.Edit(sub, strings.Replace(good, "FIXTURE-BRAND-SUB v2", "FIXTURE-BRAND-SUB v3", 1))
		if !res.Success || len(res.Problems) != 0 {
			t.Fatalf("the fix should clear it: %+v", res)
		}
		id = createBrand(t, "Fixed")
		d.waitOutput(fmt.Sprintf("FIXTURE-BRAND-SUB v3 %s", id))
	})
	bad := stop()
	ran = true
	if len(bad) > 0 {
		t.Fatalf("%d requests failed during the reloads, first: %v", len(bad), bad[:min(5, len(bad))])
	}
	// On the same Medusa (one boot less): the subscriber and its step saved while events flow.
	t.Run("events across reloads are each handled once", func(st *testing.T) {
		d.T = st
		defer func() { d.T = t }()
		eventsAcrossReloads(st, d)
	})
}

// eventsAcrossReloads emits brand.created every few milliseconds while the subscriber and the
// step of the workflow it runs are saved five times each: every event is handled exactly once,
// by the old or the new code, and the reloads are reported successful.
func eventsAcrossReloads(t *testing.T, d *dev) {
	version := func(rel, format string) int {
		t.Helper()
		m := regexp.MustCompile(regexp.QuoteMeta(strings.TrimSuffix(format, "%d")) + `(\d+)`).FindStringSubmatch(d.read(rel))
		if m == nil {
			t.Fatalf("%s has no %q", rel, format)
		}
		v, _ := strconv.Atoi(m[1])
		return v
	}
	const subFormat, stepFormat = "FIXTURE-BRAND-SUB v%d", "synced ${input.id} v%d"
	sub, step := version("src/subscribers/brand-created.ts", subFormat), version("src/workflows/steps/sync-brand.ts", stepFormat)
	var wg sync.WaitGroup
	quit := make(chan struct{})
	var mu sync.Mutex
	emitted := 0
	var emitErrs []error
	next := 0
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-quit:
					return
				default:
				}
				mu.Lock()
				id := fmt.Sprintf("evt-%d", next)
				next++
				mu.Unlock()
				_, err := d.Sup.Call(context.Background(), ipc.CmdEmitEvent, ipc.EmitArgs{Name: "brand.created", Data: json.RawMessage(fmt.Sprintf(`{"id":%q}`, id))})
				mu.Lock()
				if err != nil {
					emitErrs = append(emitErrs, err)
				} else {
					emitted++
				}
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	for range 5 {
		d.replace("src/subscribers/brand-created.ts", fmt.Sprintf(subFormat, sub), fmt.Sprintf(subFormat, sub+1))
		d.replace("src/workflows/steps/sync-brand.ts", fmt.Sprintf(stepFormat, step), fmt.Sprintf(stepFormat, step+1))
		sub, step = sub+1, step+1
	}
	close(quit)
	wg.Wait()
	if len(emitErrs) > 0 {
		t.Fatalf("emit failed: %v", emitErrs[0])
	}
	marker := regexp.MustCompile(`FIXTURE-BRAND-SUB v\d+ (evt-\d+) synced (evt-\d+) v\d+`)
	testutil.Eventually(t, waitFor, func() string {
		counts := map[string]int{}
		for _, m := range marker.FindAllStringSubmatch(d.Out.String(), -1) {
			counts[m[1]]++
		}
		var missing []string
		for i := 0; i < next; i++ {
			switch id := fmt.Sprintf("evt-%d", i); counts[id] {
			case 0:
				missing = append(missing, id)
			case 1:
			default:
				t.Fatalf("%s handled %d times", id, counts[id])
			}
		}
		if len(missing) > 0 {
			return fmt.Sprintf("%d of %d events never handled (first %v):\n%s", len(missing), next, missing[:min(5, len(missing))], tail(d.Out.String(), 4000))
		}
		return ""
	})
	t.Logf("%d events across 10 reloads, each handled once", emitted)
	if strings.Contains(d.Out.String(), "Workflow with id") {
		t.Fatalf("a run found its workflow missing:\n%s", tail(d.Out.String(), 4000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
