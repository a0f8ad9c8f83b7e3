package lsp

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project/scan"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Code lenses: a route's URLs, a subscriber's events (emit one), a job's next run (run it now).

func (s *Server) codeLens(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	out := []protocol.CodeLens{}
	sess, paths := s.locate(uriPath(string(p.TextDocument.URI)))
	if sess == nil {
		return out, nil
	}
	path := paths[0]
	src, err := os.ReadFile(path)
	if err != nil {
		return out, nil
	}
	switch scan.KindOf(diag.RelPath(sess.root, path)) {
	case scan.Route:
		out = append(out, sess.routeLenses(path, src)...)
	case scan.Subscriber:
		v := subscriberOf(src)
		if len(v.events) > 0 {
			out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: "on " + strings.Join(v.events, ", ")}})
			for _, e := range v.events {
				title := "Emit test event"
				if len(v.events) > 1 {
					title = "Emit " + e
				}
				out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: title, Command: CmdEmitEvent, Arguments: []any{e, map[string]any{}}}})
			}
		}
	case scan.Job:
		v := jobOf(src)
		if v.name != "" {
			out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: sess.nextRun(ctx, v.name)}})
			out = append(out, protocol.CodeLens{Range: lineRange(v.line), Command: &protocol.Command{Title: "Run now", Command: CmdRunJob, Arguments: []any{v.name}}})
		}
	}
	return out, nil
}

func (sess *session) routeLenses(path string, src []byte) []protocol.CodeLens {
	var out []protocol.CodeLens
	for _, r := range reloaders.RouteResources(path, diag.RelPath(sess.root, path), src) {
		method, route, _ := strings.Cut(r.Name, " ")
		cmd := protocol.Command{Title: r.Name}
		if base := sess.url(); base != "" {
			url := base + route
			cmd.Title = method + " " + url
			if method == "GET" || method == "HEAD" {
				cmd.Command, cmd.Arguments = CmdOpenURL, []any{url}
			}
		}
		out = append(out, protocol.CodeLens{Range: lineRange(r.Line), Command: &cmd})
	}
	return out
}

// nextRun asks the dev server when a job runs next.
func (sess *session) nextRun(ctx context.Context, name string) string {
	sup := sess.server()
	if sup == nil {
		return "not scheduled (dev server stopped)"
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	data, err := sup.Call(cctx, ipc.CmdJobs, nil)
	if err != nil {
		return "not scheduled"
	}
	var jobs []ipc.JobInfo
	_ = json.Unmarshal(data, &jobs)
	for _, j := range jobs {
		if j.Name == name && !j.Next.IsZero() {
			next := j.Next.Local()
			if next.Format("2006-01-02") == time.Now().Format("2006-01-02") {
				return "next run " + next.Format("15:04:05")
			}
			return "next run " + next.Format("Jan 2 15:04:05")
		}
		if j.Name == name && j.Schedule != "" {
			return "runs " + j.Schedule
		}
	}
	return "not scheduled"
}

func (sess *session) url() string {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.status.State == devserver.StateStopped {
		return ""
	}
	return sess.status.URL
}

func lineRange(line int) protocol.Range {
	l := uint32(max(line, 1) - 1)
	return protocol.Range{Start: protocol.Position{Line: l}, End: protocol.Position{Line: l}}
}
