package ipc

import (
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// A line far over the limit is dropped without being buffered, and the channel goes on.
func TestOversizedLineIsDroppedAndTheChannelGoesOn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	cb := NewConn(b)
	const size = 200 << 20
	go func() {
		_, _ = io.Copy(a, io.LimitReader(testutil.Repeat('x'), size))
		_, _ = a.Write([]byte("\n{\"type\":\"ready\"}\n"))
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := cb.Receive()
	runtime.ReadMemStats(&after)
	var de *DecodeError
	if !errors.As(err, &de) || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("want a decode error for the long line, got %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 3*MaxMessage {
		t.Fatalf("reading a %d MiB line allocated %d MiB (limit %d MiB)", size>>20, grew>>20, MaxMessage>>20)
	} else {
		t.Logf("reading a %d MiB line allocated %.1f MiB", size>>20, float64(grew)/(1<<20))
	}
	e, err := cb.Receive()
	if err != nil || e.Type != TypeReady {
		t.Fatalf("after the long line: %+v %v", e, err)
	}
}

// An error with a huge message still reaches the parent, cut.
func TestHugeErrorMessageIsCutNotLost(t *testing.T) {
	huge := strings.Repeat("m", 70<<20)
	m := RuntimeErrorMessage(reloaders.RuntimeError{Method: "GET", Path: "/x", Status: 500,
		Problems: []diag.Diagnostic{{File: "/p/route.ts", Line: 3, Message: huge, Stack: huge}}})
	a, b := net.Pipe()
	ca, cb := NewConn(a), NewConn(b)
	defer ca.Close()
	defer cb.Close()
	go func() { _ = ca.Send(m) }()
	got, err := cb.Receive()
	if err != nil {
		t.Fatal(err)
	}
	msg := got.Errors[0].Message
	if len(msg) > MaxText+64 || !strings.HasSuffix(msg, "… [73383936 bytes cut]") || got.Errors[0].Line != 3 {
		t.Fatalf("message of %d bytes ending %q", len(msg), msg[max(0, len(msg)-40):])
	}
}
