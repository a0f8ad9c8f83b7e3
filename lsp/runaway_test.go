package lsp

import (
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// The editor shows which handler held the JavaScript thread, and for how long, at its line.
func TestRunawayHandlerIsShownAtItsLine(t *testing.T) {
	root := newProject(t, "store", map[string]string{
		"src/api/loop/route.ts": routeTS("let n = 0\n  while (n >= 0) { n++ }"),
	})
	c := newClient(t)
	c.start(root, nil, protocol.ClientCapabilities{})
	st := c.waitStatus(ready)
	if code, body := get(t, st.URL+"/loop"); code != 500 || !strings.Contains(body, "held the JavaScript thread for") {
		t.Fatalf("GET /loop: %d %s", code, body)
	}
	ds := c.waitDiagnostics(filepath.Join(root, "src/api/loop/route.ts"), func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	d := ds[0]
	if d.Code != "runtime-error" || d.Range.Start.Line != 3 || !strings.Contains(d.Message, "GET /loop held the JavaScript thread for ") || !strings.Contains(d.Message, "500ms limit") {
		t.Fatalf("%+v", d)
	}
}
