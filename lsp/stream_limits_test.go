package lsp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// filler yields n copies of one byte without holding them.
func filler(b byte, n int64) io.Reader { return io.LimitReader(testutil.Repeat(b), n) }

const validFrame = "Content-Length: 40\r\n\r\n" + `{"jsonrpc":"2.0","method":"initialized"}`

// readAfter feeds junk and then a valid frame to a stream, and returns what was read, the
// log, and how many bytes the reading allocated.
func readAfter(t *testing.T, junk io.Reader) (jsonrpc2.Message, string, uint64) {
	t.Helper()
	var log bytes.Buffer
	in := io.MultiReader(junk, strings.NewReader(validFrame))
	st := newStream(in, io.Discard, io.NopCloser(nil), slog.New(slog.NewTextHandler(&log, nil)))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	msg, _, err := st.Read(context.Background())
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("read: %v; log:\n%s", err, log.String())
	}
	return msg, log.String(), after.TotalAlloc - before.TotalAlloc
}

func wantInitialized(t *testing.T, msg jsonrpc2.Message) {
	t.Helper()
	if n, ok := msg.(*jsonrpc2.Notification); !ok || n.Method() != "initialized" {
		t.Fatalf("message after the junk: %#v", msg)
	}
}

func TestHeaderLineWithoutNewlineDoesNotGrowMemory(t *testing.T) {
	const size = 500 << 20
	msg, log, alloc := readAfter(t, io.MultiReader(filler('a', size), strings.NewReader("\r\n")))
	wantInitialized(t, msg)
	if !strings.Contains(log, "skipped a header line that is too long") || !strings.Contains(log, fmt.Sprint(size+2)) {
		t.Fatalf("log:\n%s", log)
	}
	if alloc > 8<<20 {
		t.Fatalf("a 500 MiB header line allocated %d MiB", alloc>>20)
	}
	t.Logf("a 500 MiB header line allocated %.2f MiB", float64(alloc)/(1<<20))
}

func TestOversizedFrameIsDroppedWithoutBuffering(t *testing.T) {
	const size = 100 << 20
	junk := io.MultiReader(strings.NewReader(fmt.Sprintf("Content-Length: %d\r\n\r\n", size)), filler('x', size))
	msg, log, alloc := readAfter(t, junk)
	wantInitialized(t, msg)
	if !strings.Contains(log, "dropped a message larger than the limit") || !strings.Contains(log, "bytes=104857600") {
		t.Fatalf("log:\n%s", log)
	}
	if alloc > 8<<20 {
		t.Fatalf("a 100 MiB frame over the limit allocated %d MiB", alloc>>20)
	}
}

func TestClaimedLengthCostsOnlyWhatArrives(t *testing.T) {
	var log bytes.Buffer
	in := strings.NewReader(fmt.Sprintf("Content-Length: %d\r\n\r\n{\"jsonrpc\"", maxFrame))
	st := newStream(in, io.Discard, io.NopCloser(nil), slog.New(slog.NewTextHandler(&log, nil)))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := st.Read(context.Background())
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("err %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("a frame that claims %d bytes and sends 10 allocated %d KiB", maxFrame, alloc>>10)
	}
}
