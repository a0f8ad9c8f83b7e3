package devserver

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/diag"
)

// While no child runs after a failure (it exited at boot, or keeps exiting), the port answers
// every request at once with a 503 that says why, and the supervisor tries again with a
// back-off; a change to a file tries again at once.

// backoff is how long to wait before attempt n+1 after n failures in a row: 1 s, doubling, at
// most 30 s.
func backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 6 {
		return 30 * time.Second
	}
	return min(time.Second<<(n-1), 30*time.Second)
}

// showDown makes every request get a 503 with reason at once, until hideDown.
func (s *Supervisor) showDown(reason string, retryAt time.Time) {
	s.rt.ShowDown(reason, retryAt)
}

// hideDown ends showDown: a child serves.
func (s *Supervisor) hideDown() {
	s.rt.ShowDown("", time.Time{})
}

// markDown records that no child runs because of reason: requests get a 503 with it at once,
// the state and the log say so, and another attempt is scheduled after a back-off (retryDue).
func (s *Supervisor) markDown(reason string) {
	s.failures++
	delay := backoff(s.failures)
	msg := fmt.Sprintf("%s; retrying in %s (attempt %d), or on a change", reason, delay, s.failures+1)
	retryAt := time.Now().Add(delay)
	if s.retry != nil {
		s.retry.Stop()
	}
	s.retry = time.NewTimer(delay)
	// The status and the log first, so that whoever gets a 503 finds the same reason there.
	s.mu.Lock()
	s.status.RetryAt, s.status.Attempts = retryAt, s.failures
	s.mu.Unlock()
	s.setState(StateError, msg)
	s.logf("%s %s", s.prefix, msg)
	s.showDown(msg, retryAt)
}

// markUp ends markDown: a child serves.
func (s *Supervisor) markUp() {
	s.stopRetry()
	s.upSince = time.Now()
	s.hideDown()
	s.mu.Lock()
	s.status.RetryAt, s.status.Attempts = time.Time{}, 0
	s.mu.Unlock()
}

// stopRetry cancels the attempt markDown scheduled.
func (s *Supervisor) stopRetry() {
	if s.retry != nil {
		s.retry.Stop()
		s.retry = nil
	}
}

// retryDue delivers when the scheduled attempt is due; nil when none is.
func (s *Supervisor) retryDue() <-chan time.Time {
	if s.retry == nil {
		return nil
	}
	return s.retry.C
}

// runtimeName is how the log names the child: "Medusa" for the node runtime.
func (s *Supervisor) runtimeName() string {
	if _, ok := s.rt.(*node.Runtime); ok {
		return "Medusa"
	}
	return "the dev server"
}

// exitReason says why a child that ran has exited: its first error line, else its status.
func (s *Supervisor) exitReason(c *child.Process) string {
	if line := child.FirstErrorLine(c.LastOutput()); line != "" {
		return fmt.Sprintf("%s exited: %s", s.runtimeName(), line)
	}
	return fmt.Sprintf("%s exited (%v)", s.runtimeName(), c.Err)
}

// launchReason says why a launch failed, in one line.
func (s *Supervisor) launchReason(err error) string {
	var be *node.BootError
	if errors.As(err, &be) {
		line := ""
		for _, p := range be.Problems {
			if p.Severity == diag.Error {
				line = child.LevelPrefix.ReplaceAllString(strings.TrimSpace(child.FirstLine(p.Message)), "")
				break
			}
		}
		if line == "" {
			line = child.FirstErrorLine(be.Output)
		}
		if line == "" {
			line = fmt.Sprint(be.Err)
		}
		msg := fmt.Sprintf("%s exited: %s", s.runtimeName(), line)
		if be.Hint != "" {
			msg += " (" + be.Hint + ")"
		}
		return msg
	}
	msg := err.Error()
	if i := strings.Index(msg, ":\n"); i >= 0 {
		// "the dev server exited while starting (…):\n  <its output>": name the output's error.
		if line := child.FirstErrorLine(msg[i+2:]); line != "" {
			return msg[:i] + ": " + line
		}
	}
	return child.FirstLine(msg)
}
