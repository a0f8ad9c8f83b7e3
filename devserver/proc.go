package devserver

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

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

// pipeOutput copies the child's output to the terminal and to listeners, line by line.
func (s *Supervisor) pipeOutput(c *child, r io.ReadCloser) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
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
		fmt.Fprintln(s.opts.Output, line)
		s.emit(Event{Log: line})
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
