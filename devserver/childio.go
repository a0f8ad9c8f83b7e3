package devserver

import (
	"fmt"
	"os/exec"
	"strings"

	"github.com/medusa-ls/medusa-ls/devserver/child"
)

// startChild starts cmd (see child.Start) with its output going to the terminal and to
// listeners.
func (s *Supervisor) startChild(cmd *exec.Cmd, t *child.Transport, addr, label string) (*child.Process, error) {
	return child.Start(cmd, t, addr, label, s.childOutput)
}

// childOutput shows one line of a child's output in the terminal and to listeners.
func (s *Supervisor) childOutput(c *child.Process, line string) {
	line = s.publicURLs(c, line)
	if c.Label != "" {
		line = c.Label + line
	}
	fmt.Fprintln(s.opts.Output, line)
	s.emit(Event{Log: line})
}

// retire stops a child gracefully: it finishes in-flight requests, then exits; one that does not
// is terminated, then killed, with everything it started.
func (s *Supervisor) retire(c *child.Process) {
	if c == nil {
		return
	}
	s.rt.StopAccepting(c)
	c.AwaitExit()
}

// publicURLs shows the dev server's own address where a line names the child's internal one:
// Medusa prints "Admin URL → http://127.0.0.1:<its port>/app", a port that only the proxy should
// use and that changes with every restart.
func (s *Supervisor) publicURLs(c *child.Process, line string) string {
	if c.Addr == "" {
		return line
	}
	internal := "http://" + c.Addr
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
