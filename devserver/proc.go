package devserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
)

// child is one running dev server process: `medusa-ls start` (embedded runtime) or the
// project's own Medusa in Node (node runtime).
type child struct {
	addr   string // node runtime: the internal address it serves on, behind the proxy
	cmd    *exec.Cmd
	pid    int
	conn   *ipc.Conn
	msgs   chan ipc.Envelope
	exited chan struct{}
	err    error // exit status, valid after exited is closed

	mu       sync.Mutex
	tail     []string // last lines of output, for "it died at boot" reports
	problems []diag.Diagnostic
	pending  map[int64]chan ipc.Envelope // command calls waiting for their answer
	tap      func(line string)           // sees each output line, while set
	logs     *[]ipc.Envelope             // node runtime: what Medusa logs, while a reload or boot listens
	helper   bool                        // node runtime: the medusa-ls helper said hello

	// node runtime with workers: its MEDUSA_WORKER_MODE and name ("server", "worker 2"), and the
	// prefix of its output lines ("" for none).
	role, name, label string
}

// startChild starts cmd with the transport t attached, copies its output, and connects the
// IPC channel. addr is where it will serve, for children behind the proxy; label prefixes its
// output lines when several children run side by side.
func (s *Supervisor) startChild(cmd *exec.Cmd, t *childTransport, addr, label string) (*child, error) {
	out, outW, err := os.Pipe()
	if err != nil {
		t.close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, outW
	if err := cmd.Start(); err != nil {
		t.close()
		out.Close()
		outW.Close()
		return nil, err
	}
	outW.Close()
	t.afterStart()
	c := &child{addr: addr, cmd: cmd, pid: cmd.Process.Pid, label: label,
		msgs: make(chan ipc.Envelope, 16), exited: make(chan struct{}), pending: map[int64]chan ipc.Envelope{}}
	go s.pipeOutput(c, out)
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	nc, err := t.parentConn()
	if err != nil {
		_ = kill(c.pid)
		return nil, err
	}
	c.conn = ipc.NewConn(nc)
	return c, nil
}

// receive reads c's messages until the channel closes: command answers go to their callers,
// messages handle takes are done, the rest go to c.msgs. Undecodable lines go to bad.
func (c *child) receive(handle func(ipc.Envelope) bool, bad func(error)) {
	defer close(c.msgs)
	for {
		m, err := c.conn.Receive()
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
			c.deliverReply(m)
			continue
		}
		if handle(m) {
			continue
		}
		select {
		case c.msgs <- m:
		case <-c.exited:
			return
		}
	}
}

// deliverReply hands a command's answer to the call waiting for it.
func (c *child) deliverReply(m ipc.Envelope) {
	c.mu.Lock()
	ch := c.pending[m.ID]
	delete(c.pending, m.ID)
	c.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

func (c *child) alive() bool {
	if c == nil {
		return false
	}
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

func (c *child) lastOutput() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

// maxLogLine is the longest line of a child's output passed on whole, in bytes; a longer one is
// cut to this length and ends with a marker saying how much was cut.
const maxLogLine = 64 << 10

// pipeOutput copies the child's output to the terminal and to listeners, line by line, until
// the child closes it. It never stops reading early: a child writing into a pipe nobody reads
// would block, or die of SIGPIPE once it is closed.
func (s *Supervisor) pipeOutput(c *child, r io.ReadCloser) {
	defer r.Close()
	lines := newLineReader(r, maxLogLine)
	for {
		line, err := lines.next()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.tail = append(c.tail, line)
		if len(c.tail) > 20 {
			c.tail = c.tail[len(c.tail)-20:]
		}
		tap := c.tap
		c.mu.Unlock()
		if tap != nil {
			tap(line)
		}
		line = s.publicURLs(c, line)
		if c.label != "" {
			line = c.label + line
		}
		fmt.Fprintln(s.opts.Output, line)
		s.emit(Event{Log: line})
	}
}

// publicURLs shows the dev server's own address where a line names the child's internal one:
// Medusa prints "Admin URL → http://127.0.0.1:<its port>/app", a port that only the proxy should
// use and that changes with every restart.
func (s *Supervisor) publicURLs(c *child, line string) string {
	if c.addr == "" {
		return line
	}
	internal := "http://" + c.addr
	public := s.URL()
	if public == "" || public == internal || !strings.Contains(line, internal) {
		return line
	}
	var out strings.Builder
	for {
		i := strings.Index(line, internal)
		if i < 0 {
			out.WriteString(line)
			return out.String()
		}
		end := i + len(internal)
		if end < len(line) && line[end] >= '0' && line[end] <= '9' {
			out.WriteString(line[:end]) // a longer port: not the child's
		} else {
			out.WriteString(line[:i] + public)
		}
		line = line[end:]
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

func indentTail(s string) string {
	if s == "" {
		return ""
	}
	return ":\n  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// retire stops a child gracefully: it finishes in-flight requests, then exits; one that does not
// is terminated, then killed, with everything it started.
func (s *Supervisor) retire(c *child) {
	if c == nil {
		return
	}
	s.rt.stopAccepting(c)
	s.awaitExit(c)
}

// awaitExit waits for a draining child to exit, terminating and then killing it if it hangs.
func (s *Supervisor) awaitExit(c *child) {
	select {
	case <-c.exited:
		return
	case <-time.After(10 * time.Second):
	}
	_ = terminate(c.pid)
	select {
	case <-c.exited:
		return
	case <-time.After(3 * time.Second):
	}
	_ = kill(c.pid)
	<-c.exited
}
