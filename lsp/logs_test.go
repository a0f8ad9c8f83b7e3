package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestHeldLogLines: lines logged while a reload runs reach the client after its result, in
// order and before any later line, and a reload that runs long does not keep them.
func TestHeldLogLines(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(sess *session)
		want []string
	}{
		{"released with the result, before later lines", func(sess *session) {
			sess.holdLogs()
			sess.log(logLine{protocol.MessageTypeLog, "a"})
			sess.log(logLine{protocol.MessageTypeLog, "b"})
			sess.releaseLogs()
			sess.log(logLine{protocol.MessageTypeLog, "c"})
		}, []string{"a", "b", "c"}},
		{"released by themselves when the reload runs long", func(sess *session) {
			sess.holdLogs()
			sess.log(logLine{protocol.MessageTypeLog, "a"})
			sess.log(logLine{protocol.MessageTypeLog, "b"})
		}, []string{"a", "b"}},
		{"not held outside a reload", func(sess *session) {
			sess.log(logLine{protocol.MessageTypeLog, "a"})
		}, []string{"a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc, cc := net.Pipe()
			s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), sessions: map[string]*session{}}
			s.conn = jsonrpc2.NewConn(newStream(sc, sc, sc, s.log))
			s.conn.Go(context.Background(), jsonrpc2.MethodNotFoundHandler)
			client := jsonrpc2.NewConn(jsonrpc2.NewStream(cc))
			var mu sync.Mutex
			var got []string
			var arrived testutil.Signal
			client.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
				var p protocol.LogMessageParams
				_ = json.Unmarshal(req.Params(), &p)
				mu.Lock()
				got = append(got, p.Message)
				mu.Unlock()
				arrived.Notify()
				return reply(ctx, nil, nil)
			})
			t.Cleanup(func() { client.Close(); s.conn.Close() })
			tt.run(s.newSession(t.TempDir()))
			arrived.Wait(t, waitFor, func() string {
				mu.Lock()
				defer mu.Unlock()
				if strings.Join(got, ",") != strings.Join(tt.want, ",") {
					return fmt.Sprintf("got %q, want %q", got, tt.want)
				}
				return ""
			})
		})
	}
}
