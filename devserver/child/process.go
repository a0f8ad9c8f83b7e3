package child

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
)

// Process is one running dev server process, as its supervisor sees it: `medusa-ls start`
// (the embedded runtime) or the project's own Medusa in Node (the node runtime).
type Process struct {
	Addr   string // node runtime: the internal address it serves on, behind the proxy
	PID    int
	Conn   *ipc.Conn
	Msgs   chan ipc.Envelope // messages nobody else took (see Receive)
	Exited chan struct{}     // closed when the process has exited
	Err    error             // exit status, valid after Exited is closed

	// Listening is closed when the node runtime's helper says Medusa's HTTP server listens.
	Listening chan struct{}

	// Problems are the load problems it reported last (the supervisor's loop owns them).
	Problems []diag.Diagnostic

	// Node runtime with workers: its MEDUSA_WORKER_MODE and name ("server", "worker 2"), and the
	// prefix of its output lines ("" for none).
	Role, Name, Label string

	cmd     *exec.Cmd
	nextID  atomic.Int64
	mu      sync.Mutex
	tail    []string                    // last lines of output, for "it died at boot" reports
	pending map[int64]chan ipc.Envelope // command calls waiting for their answer
	tap     func(line string)           // sees each output line, while set
	logs    *[]ipc.Envelope             // what Medusa logs, while a reload or boot listens
	helper  bool                        // node runtime: the medusa-ls helper said hello
	listen  sync.Once
}

// Start starts cmd with the transport t attached, copies its output line by line to out, and
// connects the IPC channel. addr is where it will serve, for processes behind a proxy; label
// prefixes its output lines when several run side by side (out gets them unprefixed).
func Start(cmd *exec.Cmd, t *Transport, addr, label string, out func(p *Process, line string)) (*Process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Close()
		r.Close()
		w.Close()
		return nil, err
	}
	w.Close()
	t.afterStart()
	p := &Process{Addr: addr, cmd: cmd, PID: cmd.Process.Pid, Label: label,
		Msgs: make(chan ipc.Envelope, 16), Exited: make(chan struct{}), Listening: make(chan struct{}), pending: map[int64]chan ipc.Envelope{}}
	go p.pipeOutput(r, out)
	go func() {
		p.Err = cmd.Wait()
		close(p.Exited)
	}()
	nc, err := t.parentConn()
	if err != nil {
		_ = Kill(p.PID)
		return nil, err
	}
	p.Conn = ipc.NewConn(nc)
	return p, nil
}

// Receive reads p's messages until the channel closes: command answers go to their callers,
// messages handle takes are done, the rest go to p.Msgs. Undecodable lines go to bad.
func (p *Process) Receive(handle func(ipc.Envelope) bool, bad func(error)) {
	defer close(p.Msgs)
	for {
		m, err := p.Conn.Receive()
		var de *ipc.DecodeError
		if errors.As(err, &de) {
			if bad != nil {
				bad(err)
			}
			continue
		}
		if err != nil {
			return
		}
		if m.Type == ipc.TypeCommandDone {
			p.deliverReply(m)
			continue
		}
		if handle(m) {
			continue
		}
		select {
		case p.Msgs <- m:
		case <-p.Exited:
			return
		}
	}
}

// deliverReply hands a command's answer to the call waiting for it.
func (p *Process) deliverReply(m ipc.Envelope) {
	p.mu.Lock()
	ch := p.pending[m.ID]
	delete(p.pending, m.ID)
	p.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

// Alive reports whether p runs (false for nil).
func (p *Process) Alive() bool {
	if p == nil {
		return false
	}
	select {
	case <-p.Exited:
		return false
	default:
		return true
	}
}

// LastOutput is the last lines p printed, for "it died at boot" reports.
func (p *Process) LastOutput() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// Tap makes tap see each output line until Tap(nil).
func (p *Process) Tap(tap func(line string)) {
	p.mu.Lock()
	p.tap = tap
	p.mu.Unlock()
}

// StartCollect makes Collect keep the messages it is given, until StopCollect returns them:
// what Medusa logs during a reload or a boot.
func (p *Process) StartCollect() {
	p.mu.Lock()
	p.logs = new([]ipc.Envelope)
	p.mu.Unlock()
}

// Collect keeps m if a collection is open and m is not about an HTTP request (errors on
// requests are never a reload's), and says whether it did.
func (p *Process) Collect(m ipc.Envelope) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.logs == nil || m.Request != nil {
		return false
	}
	*p.logs = append(*p.logs, m)
	return true
}

// StopCollect ends the collection and returns what it kept.
func (p *Process) StopCollect() []ipc.Envelope {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.logs == nil {
		return nil
	}
	logs := *p.logs
	p.logs = nil
	return logs
}

// HelperSaidHello records that the node runtime's helper is loaded in p.
func (p *Process) HelperSaidHello() {
	p.mu.Lock()
	p.helper = true
	p.mu.Unlock()
}

// HelperSaidListening records that Medusa's HTTP server listens in p.
func (p *Process) HelperSaidListening() {
	p.listen.Do(func() { close(p.Listening) })
}

// HasHelper reports whether the node runtime's helper said hello.
func (p *Process) HasHelper() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.helper
}

// maxLogLine is the longest line of a process's output passed on whole, in bytes; a longer one
// is cut to this length and ends with a marker saying how much was cut.
const maxLogLine = 64 << 10

// pipeOutput hands p's output to out line by line until p closes it. It never stops reading
// early: a process writing into a pipe nobody reads would block, or die of SIGPIPE once it is
// closed.
func (p *Process) pipeOutput(r io.ReadCloser, out func(*Process, string)) {
	defer r.Close()
	lines := newLineReader(r, maxLogLine)
	for {
		line, err := lines.next()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.tail = append(p.tail, line)
		if len(p.tail) > 20 {
			p.tail = p.tail[len(p.tail)-20:]
		}
		tap := p.tap
		p.mu.Unlock()
		if tap != nil {
			tap(line)
		}
		out(p, line)
	}
}

// lineReader splits a stream into lines of at most max bytes: the rest of a longer line is read
// and dropped, and the line ends with "… [N bytes cut]".
type lineReader struct {
	r   *bufio.Reader
	max int
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its line ending (a last line without one too). The error
// is the stream's: io.EOF at its end.
func (l *lineReader) next() (string, error) {
	var line []byte
	size := 0 // of the whole line, without its line ending
	for {
		chunk, err := l.r.ReadSlice('\n')
		ended := err == nil
		if ended {
			chunk = chunk[:len(chunk)-1]
		}
		size += len(chunk)
		if room := l.max - len(line); room > 0 {
			line = append(line, chunk[:min(room, len(chunk))]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !ended && size == 0 {
			return "", err
		}
		if size == len(line) {
			return strings.TrimSuffix(string(line), "\r"), nil
		}
		cut := len(line)
		for i := cut - 1; i >= 0 && i >= cut-utf8.UTFMax; i-- {
			if utf8.RuneStart(line[i]) {
				if !utf8.FullRune(line[i:cut]) {
					cut = i // do not end in half a character
				}
				break
			}
		}
		return fmt.Sprintf("%s… [%d bytes cut]", line[:cut], size-cut), nil
	}
}

// IndentTail formats a process's last output under an error message, one indented line each.
func IndentTail(s string) string {
	if s == "" {
		return ""
	}
	return ":\n  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// AwaitExit waits for a draining process to exit, terminating and then killing it (with
// everything it started) if it hangs: 10 s, then 3 s.
func (p *Process) AwaitExit() {
	select {
	case <-p.Exited:
		return
	case <-time.After(10 * time.Second):
	}
	_ = Terminate(p.PID)
	select {
	case <-p.Exited:
		return
	case <-time.After(3 * time.Second):
	}
	_ = Kill(p.PID)
	<-p.Exited
}
