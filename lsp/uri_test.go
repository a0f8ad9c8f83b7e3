package lsp

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// Clients match diagnostics to documents by the URI string; VS Code percent-encodes "[id]",
// others send it as is. Diagnostics must come back under the string the client used.
func TestDiagnosticsUseTheClientsURI(t *testing.T) {
	cases := []struct {
		name  string
		spell func(string) string
	}{
		{"brackets as is", func(u string) string {
			return strings.NewReplacer("%5B", "[", "%5D", "]", "%5b", "[", "%5d", "]").Replace(u)
		}},
		{"percent-encoded", func(u string) string {
			return strings.NewReplacer("[", "%5B", "]", "%5D").Replace(u)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := newProject(t, "uris", map[string]string{
				"src/api/store/items/[id]/route.ts": routeTS(`res.json({ id: req.params.id })`),
			})
			c := newClient(t)
			c.start(root, nil, protocol.ClientCapabilities{})
			c.waitStatus(ready)
			route := filepath.Join(root, "src/api/store/items/[id]/route.ts")
			sent := tc.spell(string(uri.File(route)))
			// The editor opens the document before it saves it: the server knows its URI before
			// its own watcher can see the save (a request answered after the notification says
			// that the server has handled it).
			c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": sent, "languageId": "typescript", "version": 1, "text": routeTS(`res.json({ id: req.params.id })`)}})
			if err := c.call("workspace/symbol", map[string]any{"query": ""}, nil); err != nil {
				t.Fatal(err)
			}
			writeFile(t, route, routeTS(`res.json({ id: req.params.id )`))
			c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": sent}})
			c.until(func() string {
				var got []string
				for _, raw := range c.notesOf("textDocument/publishDiagnostics") {
					var p struct {
						URI         string            `json:"uri"`
						Diagnostics []json.RawMessage `json:"diagnostics"`
					}
					if json.Unmarshal(raw, &p) == nil && len(p.Diagnostics) > 0 {
						if p.URI == sent {
							return ""
						}
						got = append(got, p.URI)
					}
				}
				return fmt.Sprintf("no diagnostics under %q; published under %q", sent, got)
			})
		})
	}
}
