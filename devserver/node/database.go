package node

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
)

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
func (r *Runtime) slowBoot(c *child.Process, after time.Duration) {
	if hint := databaseHint(r.sup.Env(), c.LastOutput()); hint != "" {
		r.sup.Logf("%s Medusa has not started after %s: %s", r.sup.Prefix(), after, hint)
		return
	}
	r.sup.Logf("%s Medusa has not started after %s; still waiting (at most %s)", r.sup.Prefix(), after, r.opts.ReadyTimeout)
}

// dbDownPrefix starts the 503's message while Medusa waits for its database.
const dbDownPrefix = "Medusa cannot start: "

// checkDatabase tries a TCP connection to the database in DATABASE_URL before Medusa starts.
// When it fails, Medusa would wait for it without a word: the log says so at once, and requests
// that no child serves get a 503 with the reason instead of waiting; Medusa starts anyway, in
// case the database comes up.
func (r *Runtime) checkDatabase() {
	hint := databaseHint(r.sup.Env())
	if hint == "" {
		r.proxy.clearDownIf(dbDownPrefix) // the database is back: requests wait for Medusa again
		return
	}
	msg := dbDownPrefix + hint + "; it keeps trying"
	r.sup.Logf("%s %s", r.sup.Prefix(), msg)
	r.proxy.setDown(msg, time.Time{})
}

// LaunchStuck reports whether a Medusa starting now waits for a database that is not there: it
// will not come up (until the ready timeout) whatever else changes, so a change that arrives
// meanwhile starts it again at once (Supervisor.launch).
func (r *Runtime) LaunchStuck() bool { return r.proxy.downWith(dbDownPrefix) }
