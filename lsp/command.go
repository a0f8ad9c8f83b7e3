package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// Commands (workspace/executeCommand): the dev server's lifecycle, and events and jobs run in it.

// Commands the server runs (workspace/executeCommand). medusa.openUrl is the client's own.
const (
	CmdRestart   = "medusa.restart"
	CmdReloadAll = "medusa.reloadAll"
	CmdStop      = "medusa.stop"
	CmdStart     = "medusa.start"
	CmdOpenURL   = "medusa.openUrl"
	CmdEmitEvent = "medusa.emitEvent"
	CmdRunJob    = "medusa.runJob"
)

var serverCommands = []string{CmdRestart, CmdReloadAll, CmdStop, CmdStart, CmdEmitEvent, CmdRunJob}

func (s *Server) executeCommand(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.ExecuteCommandParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	settings := s.settings
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	if root := rootArgument(p.Arguments); root != "" {
		if sess := s.sessionFor(root); sess != nil {
			sessions = []*session{sess}
		}
	}
	if len(sessions) == 0 && p.Command != CmdOpenURL {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "there is no Medusa project (medusa-config.*) in this workspace")
	}
	switch p.Command {
	case CmdEmitEvent, CmdRunJob:
		return s.childCommand(ctx, p, sessions)
	}
	var errs []string
	for _, sess := range sessions {
		var err error
		srv, remote := sess.server(), sess.attached()
		switch p.Command {
		case CmdRestart:
			if srv == nil {
				sess.start(settings)
			} else {
				err = srv.Restart(ctx)
			}
		case CmdReloadAll:
			if srv == nil {
				err = fmt.Errorf("the dev server of %s is not running", sess.root)
			} else {
				err = srv.ReloadAll(ctx)
			}
		case CmdStop:
			if remote != nil { // stops its child; the other process keeps the port
				err = remote.Stop(ctx)
			} else {
				sess.stop()
			}
		case CmdStart:
			if remote != nil {
				err = remote.Start(ctx)
			} else {
				sess.start(settings)
			}
		case CmdOpenURL:
			// A client-side command; editors without it send it here. Say where to go.
			if len(p.Arguments) > 0 {
				s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("medusa-ls: %v", p.Arguments[0]))
			}
			return nil, nil
		default:
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("unknown command %q (medusa-ls runs %s)", p.Command, strings.Join(serverCommands, ", ")))
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, strings.Join(errs, "; "))
	}
	return nil, nil
}

// rootArgument reads an optional {"root": "/path"} first argument.
func rootArgument(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if m, ok := args[0].(map[string]any); ok {
		if r, ok := m["root"].(string); ok {
			return r
		}
	}
	return ""
}

// childCommand runs medusa.emitEvent [name, data?] or medusa.runJob [name] in the dev server.
func (s *Server) childCommand(ctx context.Context, p protocol.ExecuteCommandParams, sessions []*session) (any, error) {
	var name string
	if len(p.Arguments) > 0 {
		name, _ = p.Arguments[0].(string)
	}
	if strings.TrimSpace(name) == "" {
		what := "an event name"
		if p.Command == CmdRunJob {
			what = "a job name"
		}
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s needs %s as its first argument", p.Command, what))
	}
	// The project that has the job or subscriber; with one project, that one.
	sess := sessions[0]
	if len(sessions) > 1 {
		for _, candidate := range sessions {
			if candidate.hasResource(p.Command, name) {
				sess = candidate
				break
			}
		}
	}
	sup := sess.server()
	if sup == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the dev server is not running (medusa.start)")
	}
	var (
		data json.RawMessage
		err  error
	)
	if p.Command == CmdEmitEvent {
		args := ipc.EmitArgs{Name: name}
		if len(p.Arguments) > 1 && p.Arguments[1] != nil {
			if args.Data, err = json.Marshal(p.Arguments[1]); err != nil {
				return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the event data is not JSON: "+err.Error())
			}
		}
		data, err = sup.Call(ctx, ipc.CmdEmitEvent, args)
	} else {
		data, err = sup.Call(ctx, ipc.CmdRunJob, ipc.RunJobArgs{Name: name})
	}
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out, nil
}

func (sess *session) hasResource(command, name string) bool {
	found := false
	walkResources(sess.root, func(f scan.File, src []byte) {
		switch {
		case command == CmdRunJob && f.Kind == scan.Job && jobOf(src).name == name:
			found = true
		case command == CmdEmitEvent && f.Kind == scan.Subscriber:
			for _, e := range subscriberOf(src).events {
				if e == name {
					found = true
				}
			}
		}
	})
	return found
}
