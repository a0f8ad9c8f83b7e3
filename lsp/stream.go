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

// Input limits: a client (or a corrupt stream) cannot make the server buffer without bound.
const (
	// maxHeaderLine is the longest header line kept, in bytes; a longer one is skipped (read
	// and dropped, never buffered) with a warning.
	maxHeaderLine = 8 << 10
	// maxFrame is the largest message accepted, in bytes; a frame whose Content-Length is
	// larger is read and dropped with an error in the log, so the stream stays in step.
	maxFrame = 64 << 20
)

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

// readHeaderLine reads one header line without its line ending. A line longer than
// maxHeaderLine is consumed in pieces and dropped: it returns ok false and how long it was.
func (s *stream) readHeaderLine() (line string, n int64, ok bool, err error) {
	var buf []byte
	long := false
	for {
		chunk, err := s.in.ReadSlice('\n')
		n += int64(len(chunk))
		if !long && len(buf)+len(chunk) > maxHeaderLine+2 { // + "\r\n"
			long, buf = true, nil
		}
		if !long {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", n, false, err
		}
		if long {
			return "", n, false, nil
		}
		return strings.TrimRight(string(buf), "\r\n"), n, true, nil
	}
}

func (s *stream) readFrame() (jsonrpc2.Message, int64, error) {
	var total, length int64 = 0, -1
	for {
		line, n, ok, err := s.readHeaderLine()
		total += n
		if err != nil {
			return nil, total, err
		}
		if !ok {
			s.log.Warn("lsp: skipped a header line that is too long", "bytes", n, "limit", maxHeaderLine)
			length = -1 // whatever this frame said is unreliable
			continue
		}
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
			if err != nil || n <= 0 {
				s.log.Warn("lsp: ignoring a bad Content-Length", "value", truncate(value, 40))
				length = -1
				continue
			}
			length = n
		}
	}
	if length > maxFrame {
		n, err := io.CopyN(io.Discard, s.in, length)
		total += n
		s.log.Error("lsp: dropped a message larger than the limit", "bytes", length, "limit", maxFrame)
		if err != nil {
			return nil, total, err
		}
		return nil, total, errSkip
	}
	// Grown as the bytes arrive, so a length the client never sends costs nothing.
	data, err := io.ReadAll(io.LimitReader(s.in, length))
	total += int64(len(data))
	if err == nil && int64(len(data)) < length {
		err = io.ErrUnexpectedEOF
	}
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
	// Header and body in one write: one system call per message, and a reader never wakes up
	// to half a frame.
	frame := make([]byte, 0, len(data)+32)
	frame = append(frame, "Content-Length: "...)
	frame = strconv.AppendInt(frame, int64(len(data)), 10)
	frame = append(frame, "\r\n\r\n"...)
	frame = append(frame, data...)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n, err := s.out.Write(frame)
	return int64(n), err
}

func (s *stream) Close() error { return s.c.Close() }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
