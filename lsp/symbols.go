package lsp

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Workspace symbols: routes, subscribers, jobs, workflows and steps, found statically.

// routeSymbols lists a route file's handlers, found statically.
func routeSymbols(file, rel string, src []byte) []reloaders.Resource {
	path, ok, err := reloaders.RoutePath(rel)
	if !ok || err != nil {
		return nil
	}
	var out []reloaders.Resource
	for _, m := range exportDeclRe.FindAllSubmatchIndex(src, -1) {
		name := string(src[m[2]:m[3]])
		for _, method := range reloaders.HTTPMethods {
			if name == method {
				out = append(out, reloaders.Resource{Kind: "route", Name: method + " " + path, File: file, Line: 1 + strings.Count(string(src[:m[2]]), "\n")})
			}
		}
	}
	return out
}

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
		walkResources(root, func(path, kind string, src []byte) {
			if ctx.Err() != nil {
				return
			}
			rel := diag.RelPath(root, path)
			switch kind {
			case "route":
				for _, r := range routeSymbols(path, rel, src) {
					add(r.Name, protocol.SymbolKindFunction, path, rel, r.Line)
				}
			case "subscriber":
				v := subscriberOf(src)
				for _, e := range v.events {
					add("subscriber "+e, protocol.SymbolKindEvent, path, rel, v.line)
				}
			case "job":
				if v := jobOf(src); v.name != "" {
					add("job "+v.name, protocol.SymbolKindFunction, path, v.schedule+" · "+rel, v.line)
				}
			case "workflow":
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
