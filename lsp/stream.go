package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// stream is LSP's Content-Length framing, more forgiving than jsonrpc2.NewStream: header names
// are matched in any case, and a frame that cannot be parsed (bad headers, bad JSON, an id that
// does not fit) is logged and skipped instead of closing the connection. Only an I/O error ends
// the stream.
type stream struct {
	in  *bufio.Reader
	out io.Writer
	c   io.Closer
	log *slog.Logger

	wmu sync.Mutex
}

func newStream(r io.Reader, w io.Writer, c io.Closer, log *slog.Logger) *stream {
	return &stream{in: bufio.NewReaderSize(r, 64<<10), out: w, c: c, log: log}
}

// maxFrame bounds one message, so that a corrupt length cannot make the server allocate without
// limit.
const maxFrame = 256 << 20

// errSkip marks a frame that was consumed but is not a message.
var errSkip = errors.New("skip frame")

func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, total, err
		}
		msg, n, err := s.readFrame()
		total += n
		if errors.Is(err, errSkip) {
			continue
		}
		return msg, total, err
	}
}

func (s *stream) readFrame() (jsonrpc2.Message, int64, error) {
	var total, length int64 = 0, -1
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			return nil, total, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if length >= 0 {
				break
			}
			continue // blank lines between frames
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			s.log.Warn("lsp: ignoring a line that is not a header", "line", truncate(line, 80))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n <= 0 || n > maxFrame {
				s.log.Warn("lsp: ignoring a bad Content-Length", "value", truncate(value, 40))
				length = -1
				continue
			}
			length = n
		}
	}
	data := make([]byte, length)
	n, err := io.ReadFull(s.in, data)
	total += int64(n)
	if err != nil {
		return nil, total, err
	}
	msg, err := jsonrpc2.DecodeMessage(data)
	if err != nil {
		s.log.Warn("lsp: ignoring a message that is not valid JSON-RPC", "err", err, "message", truncate(string(data), 200))
		return nil, total, errSkip
	}
	return msg, total, nil
}

func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	// Replies are written even when the request's context is cancelled: a dropped reply leaves
	// the client waiting forever (jsonrpc2 v0.10.0 drops them).
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("lsp: encoding message: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n, err := fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n", len(data))
	if err != nil {
		return int64(n), err
	}
	m, err := s.out.Write(data)
	return int64(n + m), err
}

func (s *stream) Close() error { return s.c.Close() }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
