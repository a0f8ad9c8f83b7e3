package lsp

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// Removing a workspace folder clears what its project published (load, runtime and convention
// diagnostics alike), and adding it back, or a folder around it, lists its symbols once.
func TestRemovedFolderClearsDiagnosticsAndReAddingDoesNotDuplicateSymbols(t *testing.T) {
	root := newProject(t, "shop", map[string]string{
		"src/api/store/bad/route.ts":   routeTS(`res.json({ v: 1 )`),
		"src/api/store/empty/route.ts": "export const helper = 1\n",
		"src/api/store/boom/route.ts":  routeTS(`throw new Error("kaboom")`),
	})
	files := map[string]string{ // file → the code of its diagnostic
		filepath.Join(root, "src/api/store/bad/route.ts"):   "syntax-error",
		filepath.Join(root, "src/api/store/empty/route.ts"): "convention",
		filepath.Join(root, "src/api/store/boom/route.ts"):  "runtime-error",
	}
	folder := func(dir string) map[string]any {
		return map[string]any{"uri": string(uri.File(dir)), "name": filepath.Base(dir)}
	}
	c := newClient(t)
	change := func(added, removed []map[string]any) {
		ev := map[string]any{"added": []map[string]any{}, "removed": []map[string]any{}}
		if added != nil {
			ev["added"] = added
		}
		if removed != nil {
			ev["removed"] = removed
		}
		c.notify("workspace/didChangeWorkspaceFolders", map[string]any{"event": ev})
	}
	c.start(root, nil, protocol.ClientCapabilities{})
	st := c.waitStatus(ready)
	if code, _ := get(t, st.URL+"/store/boom"); code != 500 {
		t.Fatalf("GET /store/boom: %d", code)
	}
	hasCode := func(code string) func([]protocol.Diagnostic) bool {
		return func(ds []protocol.Diagnostic) bool { return len(ds) > 0 && ds[0].Code == code }
	}
	for f, code := range files {
		c.waitDiagnostics(f, hasCode(code))
	}
	symbols := func() []string {
		var syms []protocol.SymbolInformation
		if err := c.call("workspace/symbol", map[string]any{"query": "/store/"}, &syms); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range syms {
			names = append(names, s.Name)
		}
		return names
	}
	want := fmt.Sprint(symbols())
	if !strings.Contains(want, "GET /store/boom") {
		t.Fatalf("symbols before: %s", want)
	}

	change(nil, []map[string]any{folder(root)})
	for f := range files {
		c.waitDiagnostics(f, func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
	}
	if got := symbols(); len(got) != 0 {
		t.Fatalf("symbols of a removed folder: %v", got)
	}

	for i, dir := range []string{root, filepath.Dir(root)} { // the folder itself, then its parent
		change([]map[string]any{folder(dir)}, nil)
		c.waitDiagnostics(filepath.Join(root, "src/api/store/bad/route.ts"), hasCode("syntax-error"))
		if got := fmt.Sprint(symbols()); got != want {
			t.Fatalf("after adding %s (%d): symbols %s, want %s", dir, i, got, want)
		}
	}
}
