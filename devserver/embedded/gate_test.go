package embedded

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
)

// TestRequestsDuringAReloadGetTheSavedCode: a request that arrives while a reload compiles is
// answered by the code being loaded, not by the code it replaces; when the reload fails, by the
// last good code. The batch is large so that compiling it takes far longer than a request.
func TestRequestsDuringAReloadGetTheSavedCode(t *testing.T) {
	const n = 150
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("src/api/gen/r%03d/route.ts", i)] = route(fmt.Sprintf(`res.json({ i: %d, v: 0 })`, i))
	}
	f := newFixture(t, files, func(o *Options) { o.TaskTimeout = 20 * time.Second; o.MaxHold = time.Minute })
	if res := f.load(); !res.Success {
		t.Fatal(res.Errors)
	}
	for _, tt := range []struct {
		name  string
		first string // the route file saved first in the batch, /gen/r000's
		want  string
	}{
		{"the saved code answers", `res.json({ i: 0, v: 1 })`, `{"i":0,"v":1}`},
		{"a broken save lets it through to the last good code", `res.json({ i: 0, v: 2 `, `{"i":0,"v":1}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rels []string
			for i := range n {
				rel := fmt.Sprintf("src/api/gen/r%03d/route.ts", i)
				body := route(fmt.Sprintf(`res.json({ i: %d, v: 1 })`, i))
				if i == 0 {
					body = route(tt.first)
				}
				f.write(rel, body)
				rels = append(rels, rel)
			}
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.reload(ipc.ActionChange, rels...)
			}()
			deadline := time.Now().Add(10 * time.Second)
			for f.app.gate.open.Load() == nil {
				if time.Now().After(deadline) {
					t.Fatal("the reload never held requests")
				}
				runtime.Gosched()
			}
			f.expect("GET", "/gen/r000", "", 200, tt.want)
			wg.Wait()
		})
	}
}

func TestHoldsRequests(t *testing.T) {
	for _, tt := range []struct {
		rels []string
		want bool
	}{
		{[]string{"src/api/store/x/route.ts"}, true},
		{[]string{"src/api/middlewares.ts"}, true},
		{[]string{"src/lib/util.ts"}, true},
		{[]string{"src/workflows/hello.ts"}, true},
		{[]string{"src/modules/brand/service.ts"}, true},
		{[]string{"src/subscribers/a.ts", "src/jobs/b.ts"}, false},
		{[]string{"src/subscribers/a.ts", "src/lib/util.ts"}, true},
	} {
		if got := holdsRequests(tt.rels); got != tt.want {
			t.Errorf("holdsRequests(%q) = %v, want %v", tt.rels, got, tt.want)
		}
	}
}
