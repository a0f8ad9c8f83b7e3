package lsp

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Workspace symbols: routes, subscribers, jobs, workflows and steps, found statically.

func (s *Server) workspaceSymbol(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.WorkspaceSymbolParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	query := strings.ToLower(p.Query)
	s.mu.Lock()
	roots := append([]string(nil), s.roots...)
	s.mu.Unlock()
	out := []protocol.SymbolInformation{}
	add := func(name string, kind protocol.SymbolKind, path, container string, line int) {
		if query != "" && !strings.Contains(strings.ToLower(name), query) {
			return
		}
		out = append(out, protocol.SymbolInformation{Name: name, Kind: kind, ContainerName: container,
			Location: protocol.Location{URI: s.documentURI(path), Range: lineRange(line)}})
	}
	for _, root := range roots {
		walkResources(root, func(f scan.File, src []byte) {
			if ctx.Err() != nil {
				return
			}
			path, rel := f.Path, f.Rel
			switch f.Kind {
			case scan.Route:
				for _, r := range reloaders.RouteResources(path, rel, src) {
					add(r.Name, protocol.SymbolKindFunction, path, rel, r.Line)
				}
			case scan.Subscriber:
				v := subscriberOf(src)
				for _, e := range v.events {
					add("subscriber "+e, protocol.SymbolKindEvent, path, rel, v.line)
				}
			case scan.Job:
				if v := jobOf(src); v.name != "" {
					add("job "+v.name, protocol.SymbolKindFunction, path, v.schedule+" · "+rel, v.line)
				}
			case scan.Workflow:
				for _, w := range named(src, createWorkflowRe) {
					add("workflow "+w.name, protocol.SymbolKindClass, path, rel, w.line)
				}
				for _, st := range named(src, createStepRe) {
					add("step "+st.name, protocol.SymbolKindMethod, path, rel, st.line)
				}
			}
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
