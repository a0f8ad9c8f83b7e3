package devserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/diag"
)

// While no child runs after a failure (it exited at boot, or keeps exiting), the port answers
// every request at once with a 503 that says why, and the supervisor tries again with a
// back-off; a change to a file tries again at once.

// notReadyType is the "type" of the 503's JSON body, beside Medusa's own error types.
const notReadyType = "not_ready"

// writeNotReady answers a request with 503 and why, as JSON (Medusa's error shape); retryIn,
// when positive, becomes Retry-After (whole seconds, rounded up).
func writeNotReady(w http.ResponseWriter, reason string, retryIn time.Duration) {
	b, _ := json.Marshal(map[string]string{"type": notReadyType, "message": reason})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if retryIn > 0 {
		h.Set("Retry-After", fmt.Sprint(int(math.Ceil(retryIn.Seconds()))))
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(append(b, '\n'))
}

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

// downServer answers on the embedded runtime's shared listening socket while no child does:
// it accepts from a duplicate of the socket, so closing it leaves the socket to the children.
type downServer struct {
	mu      sync.Mutex
	srv     *drainingServer
	reason  string
	retryAt time.Time
}

// show starts answering 503 with reason on the socket lf (or updates the reason).
func (d *downServer) show(lf *os.File, reason string, retryAt time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reason, d.retryAt = reason, retryAt
	if d.srv != nil || lf == nil {
		return nil
	}
	ln, err := net.FileListener(lf) // a duplicate descriptor of the shared socket
	if err != nil {
		return fmt.Errorf("answering while the dev server is down: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		reason, retryAt := d.reason, d.retryAt
		d.mu.Unlock()
		writeNotReady(w, reason, time.Until(retryAt))
	})}
	// Each answer closes its connection, so that the client's next request finds the child
	// once one serves again.
	srv.SetKeepAlivesEnabled(false)
	d.srv = newDrainingServer(srv)
	d.srv.serve(ln)
	return nil
}

// hide stops answering: a child serves again.
func (d *downServer) hide() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.srv != nil {
		// Stop accepting at once; connections already accepted get their answer.
		go d.srv.drain(5 * time.Second)
		d.srv = nil
	}
}

// showDown makes every request get a 503 with reason at once, until hideDown.
func (s *Supervisor) showDown(reason string, retryAt time.Time) {
	switch rt := s.rt.(type) {
	case *nodeRuntime:
		rt.proxy.setDown(reason, retryAt)
	case *embeddedRuntime:
		if err := s.down.show(rt.lfile, reason, retryAt); err != nil {
			s.logf("%s %v", s.prefix, err)
		}
	}
}

// hideDown ends showDown: a child serves.
func (s *Supervisor) hideDown() {
	switch rt := s.rt.(type) {
	case *nodeRuntime:
		rt.proxy.setDown("", time.Time{})
	case *embeddedRuntime:
		s.down.hide()
	}
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
	// The status first, so that whoever gets a 503 finds the same reason there.
	s.mu.Lock()
	s.status.RetryAt, s.status.Attempts = retryAt, s.failures
	s.mu.Unlock()
	s.setState(StateError, msg)
	s.showDown(msg, retryAt)
	s.logf("%s %s", s.prefix, msg)
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
	if _, ok := s.rt.(*nodeRuntime); ok {
		return "Medusa"
	}
	return "the dev server"
}

// exitReason says why a child that ran has exited: its first error line, else its status.
func (s *Supervisor) exitReason(c *child.Process) string {
	if line := firstErrorLine(c.LastOutput()); line != "" {
		return fmt.Sprintf("%s exited: %s", s.runtimeName(), line)
	}
	return fmt.Sprintf("%s exited (%v)", s.runtimeName(), c.Err)
}

// launchReason says why a launch failed, in one line.
func (s *Supervisor) launchReason(err error) string {
	var be *BootError
	if errors.As(err, &be) {
		line := ""
		for _, p := range be.Problems {
			if p.Severity == diag.Error {
				line = levelPrefix.ReplaceAllString(strings.TrimSpace(firstLine(p.Message)), "")
				break
			}
		}
		if line == "" {
			line = firstErrorLine(be.Output)
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
		if line := firstErrorLine(msg[i+2:]); line != "" {
			return msg[:i] + ": " + line
		}
	}
	return firstLine(msg)
}

// ansiColor is a terminal color sequence, as Medusa's logger writes them.
var ansiColor = regexp.MustCompile("\x1b\\[[0-9;]*m")

// levelPrefix is a logger's level at the start of a line ("error:   …").
var levelPrefix = regexp.MustCompile(`^(?i)(error|fatal|warn|info):\s*`)

var errorLine = regexp.MustCompile(`(?i)\b(error|exception|fatal|panic|cannot|failed|refused)\b`)

// firstErrorLine is the first line of output that reads like an error, trimmed and cut to 300
// bytes; "" when there is none.
func firstErrorLine(output string) string {
	for _, line := range strings.Split(output, "\n") {
		line = levelPrefix.ReplaceAllString(strings.TrimSpace(ansiColor.ReplaceAllString(line, "")), "")
		if line != "" && errorLine.MatchString(line) {
			if len(line) > 300 {
				line = line[:300] + "…"
			}
			return line
		}
	}
	return ""
}

// databaseErrors are what Node's pg driver, Knex and MikroORM say when the database cannot be
// reached or refuses the connection.
var databaseErrors = regexp.MustCompile(`ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|password authentication failed|KnexTimeoutError|Knex: Timeout acquiring a connection|database "[^"]*" does not exist|role "[^"]*" does not exist|no pg_hba.conf entry|Connection terminated unexpectedly|the database system is starting up`)

// databaseHint says when the database in DATABASE_URL is the likely reason Medusa does not
// start: the output names a connection error, or a TCP connection to its host and port fails
// (within one second). It returns "" when neither is the case, or there is no DATABASE_URL.
func databaseHint(env map[string]string, output ...string) string {
	raw := env["DATABASE_URL"]
	if raw == "" {
		return ""
	}
	addr := databaseAddress(raw)
	where := "the database in DATABASE_URL"
	if addr != "" {
		where += " (" + addr + ")"
	}
	for _, o := range output {
		if m := databaseErrors.FindString(o); m != "" {
			return fmt.Sprintf("%s cannot be used: %s; check that it is running and reachable", where, m)
		}
	}
	if addr == "" {
		return ""
	}
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return fmt.Sprintf("%s is not reachable: %v", where, err)
	}
	c.Close()
	return ""
}

// databaseAddress is host:port of a database URL (PostgreSQL's port when none is given), or "".
func databaseAddress(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// slowBoot is said when Medusa has not answered after a while: why, when the database is the
// reason, and otherwise only that it is still starting.
func (r *nodeRuntime) slowBoot(c *child.Process, after time.Duration) {
	s := r.s
	if hint := databaseHint(s.env, c.LastOutput()); hint != "" {
		s.logf("%s Medusa has not started after %s: %s", s.prefix, after, hint)
		return
	}
	s.logf("%s Medusa has not started after %s; still waiting (at most %s)", s.prefix, after, s.opts.ReadyTimeout)
}

// dbDownPrefix starts the 503's message while Medusa waits for its database.
const dbDownPrefix = "Medusa cannot start: "

// checkDatabase tries a TCP connection to the database in DATABASE_URL before Medusa starts.
// When it fails, Medusa would wait for it without a word: the log says so at once, and requests
// that no child serves get a 503 with the reason instead of waiting; Medusa starts anyway, in
// case the database comes up.
func (r *nodeRuntime) checkDatabase() {
	s := r.s
	hint := databaseHint(s.env)
	if hint == "" {
		r.proxy.clearDownIf(dbDownPrefix) // the database is back: requests wait for Medusa again
		return
	}
	msg := dbDownPrefix + hint + "; it keeps trying"
	s.logf("%s %s", s.prefix, msg)
	r.proxy.setDown(msg, time.Time{})
}
