//go:build unix

package lsp

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// The editor's view of a real Medusa project (testdata/medusa-app) on the node runtime: a
// save reloads it, and what Medusa fails on is a diagnostic on its line.
func TestNodeRuntimeFromTheEditor(t *testing.T) {
	root := medusafixture.ForTest(t, nil)
	c := newClient(t)
	c.start(root, map[string]any{"runtime": "node", "port": testutil.FreePort(t)}, protocol.ClientCapabilities{})
	st := c.waitStatusWithin(ready, 3*time.Minute) // Medusa's boot, on a busy machine
	if st.Runtime != "node" {
		t.Fatalf("runtime %q", st.Runtime)
	}
	route := filepath.Join(root, "src/api/hello/route.ts")
	const good = "export const GET = (req: any, res: any) => {\n  res.json({ v: %s })\n}\n"

	c.save(route, strings.Replace(good, "%s", "2", 1))
	eventually(t, func() string {
		if _, body := get(t, st.URL+"/hello"); body != `{"v":2}` {
			return "body " + body
		}
		return ""
	})

	c.save(route, "export const GET = (req: any, res: any) => {\n  const x: any = null\n  throw new Error(\"no stock for \" + x)\n}\n")
	eventually(t, func() string {
		if code, body := get(t, st.URL+"/hello"); code != 500 {
			return "still " + body
		}
		return ""
	})
	ds := c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if d := ds[0]; d.Code != "runtime-error" || d.Range.Start.Line != 2 || !strings.Contains(d.Message, "no stock for null") || !strings.Contains(d.Message, "GET /hello") {
		t.Fatalf("%+v", d)
	}

	c.save(route, "throw new Error(\"missing STRIPE_KEY\")\nexport const GET = (req: any, res: any) => res.json({ v: 3 })\n")
	ds = c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool {
		return len(ds) > 0 && ds[0].Code == "load-error"
	})
	if d := ds[0]; d.Range.Start.Line != 0 || !strings.Contains(d.Message, "missing STRIPE_KEY") {
		t.Fatalf("%+v", d)
	}
	if code, _ := get(t, st.URL+"/hello"); code != 500 {
		t.Fatalf("the last good code should keep serving (it throws): %d", code)
	}

	c.save(route, strings.Replace(good, "%s", "4", 1))
	c.waitDiagnostics(route, func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
	if _, body := get(t, st.URL+"/hello"); body != `{"v":4}` {
		t.Fatalf("body %s", body)
	}
}
