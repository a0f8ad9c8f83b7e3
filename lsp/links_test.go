package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// A project opened through a symbolic link: saves arrive under either path, and through the
// target of a link to a file that leaves the project; each reloads, and its diagnostics go to
// the URI the editor saved it under. A link to a directory is not entered, with a warning.
// The client watches files, so the saves here are the only way changes arrive.
func TestSymbolicLinksInTheEditor(t *testing.T) {
	real, outside := t.TempDir(), t.TempDir()
	root := filepath.Join(t.TempDir(), "store")
	if err := os.Symlink(real, root); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(real, "medusa-config.ts"), testConfig)
	writeFile(t, filepath.Join(real, "src/api/a/route.ts"), routeTS(`res.json({ a: 1 })`))
	writeFile(t, filepath.Join(real, "src/api/b/route.ts"), routeTS(`res.json({ b: 1 })`))
	writeFile(t, filepath.Join(outside, "outer.ts"), routeTS(`res.json({ outer: 1 })`))
	writeFile(t, filepath.Join(outside, "dir/x/route.ts"), routeTS(`res.json({ x: 1 })`))
	os.MkdirAll(filepath.Join(real, "src/api/outer"), 0o755)
	if err := os.Symlink(filepath.Join(outside, "outer.ts"), filepath.Join(real, "src/api/outer/route.ts")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "dir"), filepath.Join(real, "src/api/linked")); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	c.watch = true
	caps := protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesWorkspaceClientCapabilities{DynamicRegistration: true}}}
	c.start(root, nil, caps)
	st := c.waitStatus(ready)

	for _, tc := range []struct {
		name, path, route, fixed string
	}{
		{"under the real path", filepath.Join(real, "src/api/a/route.ts"), "/a", `{"a":2}`},
		{"under the linked root", filepath.Join(root, "src/api/b/route.ts"), "/b", `{"b":2}`},
		{"a link's target outside the project", filepath.Join(outside, "outer.ts"), "/outer", `{"outer":2}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.Trim(tc.route, "/")
			c.save(tc.path, routeTS(`res.json({ `+name+`: 2 )`))
			ds := c.waitDiagnostics(tc.path, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
			if ds[0].Code != "syntax-error" || ds[0].Range.Start.Line != 2 {
				t.Fatalf("%+v", ds)
			}
			c.save(tc.path, routeTS(`res.json({ `+name+`: 2 })`))
			c.waitDiagnostics(tc.path, func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
			if code, body := get(t, st.URL+tc.route); code != 200 || body != tc.fixed {
				t.Fatalf("GET %s: %d %s", tc.route, code, body)
			}
		})
	}
	// The client is asked to watch the target that leaves the project, too.
	testutil.Eventually(t, waitFor, func() string {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, n := range c.reqNotes {
			if n.method == "client/registerCapability" && strings.Contains(string(n.params), `"globPattern":"`+filepath.ToSlash(filepath.Join(outside, "outer.ts"))+`"`) {
				return ""
			}
		}
		return "no file watcher registered for the link's target outside the project"
	})
	if code, _ := get(t, st.URL+"/linked/x"); code != 404 {
		t.Fatalf("a route under a linked directory answers %d", code)
	}
	found := false
	for _, raw := range c.notesOf("window/showMessage") {
		found = found || strings.Contains(string(raw), "src/api/linked is a symbolic link to the directory")
	}
	if !found {
		t.Fatal("no warning about the linked directory")
	}
}
