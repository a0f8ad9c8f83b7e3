//go:build unix

package devserver_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver"
)

// TestOnlyEnvFilesMedusaReadsRestart: under NODE_ENV=test Medusa reads .env and .env.test, so
// a save of either restarts the dev server, and one of any other .env* name (an editor's
// .env.swp or .env~, a tool's .env.t, .env.local, another environment's file) restarts
// nothing, whether the watcher or an editor reports it.
func TestOnlyEnvFilesMedusaReadsRestart(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/env/route.ts": routeTS(`res.json({ a: process.env.A ?? null })`),
		".env.test":            "A=1\n",
	}, func(o *devserver.Options) { o.Env = map[string]string{"NODE_ENV": "test"} })
	d.Expect("/env", 200, `{"a":"1"}`)
	restarts := len(d.Results("restart"))
	for _, name := range []string{".env.t", ".env.swp", ".env~", ".env.local", ".env.production", ".env.development"} {
		writeFile(t, d.Root, name, "A=2\n")
		d.Sup.Enqueue(filepath.Join(d.Root, name)) // as an editor reports its saves
	}
	// A route saved after them: once it has reloaded, the watcher has reported what came before.
	reloads := len(d.Results("reload"))
	writeFile(t, d.Root, "src/api/later/route.ts", routeTS(`res.json({})`))
	d.Until(waitFor, func() string {
		if len(d.Results("restart")) > restarts {
			return ""
		}
		for _, r := range d.Results("reload")[reloads:] {
			for _, f := range r.Files {
				if strings.HasSuffix(f, filepath.FromSlash("/src/api/later/route.ts")) {
					return ""
				}
			}
		}
		return "no reload of src/api/later/route.ts"
	})
	if n := len(d.Results("restart")); n != restarts || d.Logged("restarting dev server") {
		t.Fatalf("%d restarts for .env files Medusa does not read; output:\n%s", n-restarts, d.Out.String())
	}
	d.Expect("/env", 200, `{"a":"1"}`)

	for i, name := range []string{".env.test", ".env"} {
		writeFile(t, d.Root, name, fmt.Sprintf("A=%d\n", 3+i))
		d.WaitResult("restart", restarts+i)
	}
	// .env is read first and is not overridden: A now comes from it.
	d.Expect("/env", 200, `{"a":"4"}`)
}
