//go:build unix

package node_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// The links rule with the node runtime: the project's own Medusa, opened through a linked root,
// reloads a route saved under the real path and one whose file is a link leaving the project.
func TestNodeSymbolicLinksOneRule(t *testing.T) {
	real := medusafixture.ForTest(t, map[string]string{"src/api/linked-a/route.ts": routeTS(`res.json({ a: 1 })`)})
	outside := t.TempDir()
	writeFile(t, outside, "outer.ts", routeTS(`res.json({ outer: 1 })`))
	os.MkdirAll(filepath.Join(real, "src/api/linked-outer"), 0o755)
	if err := os.Symlink(filepath.Join(outside, "outer.ts"), filepath.Join(real, "src/api/linked-outer/route.ts")); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "store")
	if err := os.Symlink(real, root); err != nil {
		t.Fatal(err)
	}
	d := runDev(t, root, func(o *devserver.Options) {
		o.Runtime = devserver.RuntimeNode
		o.ReadyTimeout = 3 * time.Minute
		o.TaskTimeout = 5 * time.Second
	})
	d.WaitStateWithin(devserver.StateReady, 3*time.Minute)
	d.URL = d.Sup.URL()
	d.Expect("/linked-a", 200, `{"a":1}`)
	d.Expect("/linked-outer", 200, `{"outer":1}`)
	for _, tc := range []struct{ dir, rel, content, path, want string }{
		{real, "src/api/linked-a/route.ts", routeTS(`res.json({ a: 2 })`), "/linked-a", `{"a":2}`},
		{outside, "outer.ts", routeTS(`res.json({ outer: 2 })`), "/linked-outer", `{"outer":2}`},
	} {
		writeFile(t, tc.dir, tc.rel, tc.content)
		testutil.Eventually(t, 2*waitFor, func() string {
			if code, body := get(t, d.URL+tc.path); code != 200 || body != tc.want {
				return fmt.Sprintf("GET %s = %d %s", tc.path, code, body)
			}
			return ""
		})
	}
}
