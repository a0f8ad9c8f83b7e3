package lsp

import (
	"context"
	"errors"
	"time"

	"go.lsp.dev/protocol"
)

// Messages to the client, sent on the connection directly (protocol's ClientDispatcher only
// adds a zap logger).

// notify sends a notification to the client, waiting at most 5 s for the connection.
func (s *Server) notify(method string, params any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.conn.Notify(ctx, method, params)
}

// call sends a request to the client and waits for its answer until ctx ends; a request given
// up on is cancelled, as protocol.Call does.
func (s *Server) call(ctx context.Context, method string, params, result any) error {
	id, err := s.conn.Call(ctx, method, params, result)
	if ctx.Err() != nil {
		// Only *jsonrpc2.ID marshals as the id itself.
		_ = s.conn.Notify(context.WithoutCancel(ctx), protocol.MethodCancelRequest, &protocol.CancelParams{ID: &id})
	}
	return err
}

func (s *Server) logMessage(t protocol.MessageType, msg string) {
	if err := s.notify(protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: t, Message: msg}); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Debug("lsp: logMessage", "err", err)
	}
}

func (s *Server) showMessage(t protocol.MessageType, msg string) {
	_ = s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{Type: t, Message: msg})
}
