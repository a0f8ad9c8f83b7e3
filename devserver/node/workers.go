package node

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// Roles of the node runtime's processes: Medusa's projectConfig.workerMode, set through
// MEDUSA_WORKER_MODE (@medusajs/framework config.js). A server loads the API and no jobs, and its
// event bus queues events without consuming them; a worker loads subscribers and jobs and
// consumes the queue, without the API (@medusajs/medusa loaders/index.js).
const (
	RoleShared = "shared"
	RoleServer = "server"
	RoleWorker = "worker"
)

// States of one process of the topology.
const (
	ProcessStarting   = "starting"
	ProcessReady      = "ready"
	ProcessRestarting = "restarting"
	ProcessFailed     = "failed"
)

// Process is one Medusa process of the node runtime, as the status shows it.
type Process struct {
	Name    string `json:"name"` // "server", "worker 1", …
	Role    string `json:"role"` // RoleShared, RoleServer or RoleWorker
	PID     int    `json:"pid,omitempty"`
	State   string `json:"state"`
	Message string `json:"message,omitempty"`
}

// workerCrashLimit is how many exits within workerCrashWindow a worker may have before it is
// left down (its error is shown; a save or a restart tries again).
const (
	workerCrashLimit  = 3
	workerCrashWindow = 30 * time.Second
)

func outputLabel(role, name string) string {
	if role == RoleWorker {
		return "[" + name + "] "
	}
	return ""
}

// what names c in messages: "Medusa", or "Medusa's worker 2" when several run.
func what(c *child.Process) string {
	if c.Name != "" {
		return "Medusa's " + c.Name
	}
	return "Medusa"
}

func (r *Runtime) serverRole() string {
	if r.workers > 0 {
		return RoleServer
	}
	return ""
}

func (r *Runtime) serverName() string {
	if r.workers > 0 {
		return RoleServer
	}
	return ""
}

// workerSet is the workers started with one server: they live and die with it, and each one
// that exits while the set runs is started again at once.
type workerSet struct {
	r      *Runtime
	server *child.Process
	ctx    context.Context // ends when the set stops
	cancel context.CancelFunc
	ready  chan error // one boot result per worker, during the launch

	mu      sync.Mutex
	slots   []*workerSlot
	batches []sentBatch // changes reloaded lately, for workers that were starting meanwhile
}

type workerSlot struct {
	index   int
	name    string
	c       *child.Process
	state   string
	message string
	spawned time.Time
	exits   []time.Time
	running bool // its run loop is on
}

type sentBatch struct {
	at      time.Time
	changes []ipc.Change
}

// startWorkers starts the workers of server; they boot beside it.
func (r *Runtime) startWorkers(ctx context.Context, server *child.Process) *workerSet {
	set := &workerSet{r: r, server: server, ready: make(chan error, r.workers)}
	set.ctx, set.cancel = context.WithCancel(context.Background())
	go func() {
		select {
		case <-ctx.Done(): // the launch was abandoned
			set.stop()
		case <-set.ctx.Done():
		}
	}()
	r.mu.Lock()
	r.sets[server] = set
	r.mu.Unlock()
	// The slots are complete before any goroutine reads them (stop, above, may run at once).
	set.mu.Lock()
	for i := 1; i <= r.workers; i++ {
		set.slots = append(set.slots, &workerSlot{index: i, name: fmt.Sprintf("worker %d", i), state: ProcessStarting, running: true})
	}
	slots := slices.Clone(set.slots)
	set.mu.Unlock()
	for _, slot := range slots {
		go set.run(slot)
	}
	return set
}

// awaitReady waits until every worker serves, or one fails to start.
func (set *workerSet) awaitReady(ctx context.Context) error {
	for range set.slots {
		select {
		case err := <-set.ready:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// run starts one worker and keeps it running until the set stops.
func (set *workerSet) run(slot *workerSlot) {
	r := set.r
	defer func() {
		set.mu.Lock()
		slot.running = false
		set.mu.Unlock()
	}()
	err := set.boot(slot)
	select {
	case set.ready <- err: // the launch waits for it
	default: // a revived worker: nobody waits
	}
	if err != nil {
		return
	}
	set.catchUp(slot)
	for {
		c := set.child(slot)
		select {
		case <-c.Exited:
		case <-set.ctx.Done():
			return
		}
		if set.ctx.Err() != nil {
			return
		}
		reason := fmt.Sprintf("exited (%v)", c.Err)
		if line := child.FirstErrorLine(c.LastOutput()); line != "" {
			reason = "exited: " + line
		}
		for {
			if !set.allowRestart(slot, reason) {
				return
			}
			r.sup.Logf("%s %s (pid %d) %s: restarting it", r.sup.Prefix(), slot.name, c.PID, reason)
			begin := time.Now()
			err := set.boot(slot)
			if set.ctx.Err() != nil {
				return
			}
			if err == nil {
				r.sup.Logf("%s %s restarted in %s (pid %d)", r.sup.Prefix(), slot.name, report.FormatMs(report.Ms(time.Since(begin))), set.child(slot).PID)
				set.catchUp(slot)
				break
			}
			reason = "did not start again: " + r.sup.LaunchReason(err)
		}
	}
}

// boot starts slot's process and waits until it serves as a worker.
func (set *workerSet) boot(slot *workerSlot) error {
	r := set.r
	set.mu.Lock()
	if slot.c != nil {
		slot.state = ProcessRestarting
	}
	slot.spawned = time.Now()
	set.mu.Unlock()
	set.publish()
	c, err := r.spawn(RoleWorker, slot.name)
	if err == nil {
		set.mu.Lock()
		slot.c = c
		set.mu.Unlock()
		set.publish()
		_, err = r.awaitReady(set.ctx, c)
		if err == nil {
			err = r.verifyRole(set.ctx, c)
			if err != nil {
				_ = child.Kill(c.PID)
			}
		}
	}
	set.mu.Lock()
	if err != nil {
		slot.state, slot.message = ProcessFailed, child.FirstLine(err.Error())
	} else {
		slot.state, slot.message = ProcessReady, ""
	}
	set.mu.Unlock()
	set.publish()
	if err != nil && !errors.Is(err, context.Canceled) {
		var be *BootError
		if !errors.As(err, &be) {
			err = fmt.Errorf("%s: %w", slot.name, err)
		}
	}
	return err
}

// revive starts again the workers left down after a crash loop: a change may have fixed them.
func (set *workerSet) revive() {
	set.mu.Lock()
	var slots []*workerSlot
	for _, slot := range set.slots {
		if !slot.running && set.ctx.Err() == nil {
			slot.running, slot.exits = true, nil
			slots = append(slots, slot)
		}
	}
	set.mu.Unlock()
	for _, slot := range slots {
		set.r.sup.Logf("%s starting %s again", set.r.sup.Prefix(), slot.name)
		go set.run(slot)
	}
}

// allowRestart records an exit and says whether slot may start again: not after more than
// workerCrashLimit exits within workerCrashWindow (a crash loop), which leaves it failed.
func (set *workerSet) allowRestart(slot *workerSlot, reason string) bool {
	now := time.Now()
	set.mu.Lock()
	kept := slot.exits[:0]
	for _, t := range slot.exits {
		if now.Sub(t) < workerCrashWindow {
			kept = append(kept, t)
		}
	}
	slot.exits = append(kept, now)
	n := len(slot.exits)
	if n > workerCrashLimit {
		slot.state, slot.message = ProcessFailed, fmt.Sprintf("%s (%d exits within %s)", reason, n, workerCrashWindow)
	}
	set.mu.Unlock()
	if n > workerCrashLimit {
		set.r.sup.Logf("%s %s %s, %d times within %s: not restarting it until the next change or restart", set.r.sup.Prefix(), slot.name, reason, n, workerCrashWindow)
		set.publish()
		return false
	}
	return true
}

func (set *workerSet) child(slot *workerSlot) *child.Process {
	set.mu.Lock()
	defer set.mu.Unlock()
	return slot.c
}

// stop ends the set: each worker is asked to shut down gracefully (Medusa closes its BullMQ
// workers, which finish the events they have taken; the rest wait in Redis for the next ones).
func (set *workerSet) stop() {
	set.cancel()
	set.mu.Lock()
	var cs []*child.Process
	for _, slot := range set.slots {
		if slot.c.Alive() {
			cs = append(cs, slot.c)
		}
	}
	set.mu.Unlock()
	for _, c := range cs {
		_ = child.Terminate(c.PID)
		go c.AwaitExit()
	}
}

// readyWorkers returns the workers that serve now.
func (set *workerSet) readyWorkers() []*child.Process {
	set.mu.Lock()
	defer set.mu.Unlock()
	var out []*child.Process
	for _, slot := range set.slots {
		if slot.state == ProcessReady && slot.c.Alive() {
			out = append(out, slot.c)
		}
	}
	return out
}

// summary says how the workers are, for messages: "worker 1 ready, worker 2 restarting".
func (set *workerSet) summary() string {
	set.mu.Lock()
	defer set.mu.Unlock()
	var parts []string
	for _, slot := range set.slots {
		parts = append(parts, slot.name+" "+slot.state)
	}
	return strings.Join(parts, ", ")
}

// record remembers a batch sent to the workers, for those that were starting (catchUp).
func (set *workerSet) record(changes []ipc.Change) {
	now := time.Now()
	set.mu.Lock()
	defer set.mu.Unlock()
	kept := set.batches[:0]
	for _, b := range set.batches {
		if now.Sub(b.at) < 10*time.Minute {
			kept = append(kept, b)
		}
	}
	set.batches = append(kept, sentBatch{at: now, changes: changes})
}

// catchUp reloads in a worker that has just started what changed since it was spawned: it may
// have read a file before its last save, and the reload then skipped it.
func (set *workerSet) catchUp(slot *workerSlot) {
	set.mu.Lock()
	c, since := slot.c, slot.spawned
	var changes []ipc.Change
	for _, b := range set.batches {
		if b.at.After(since) {
			changes = append(changes, b.changes...)
		}
	}
	set.mu.Unlock()
	if len(changes) == 0 || !c.Alive() {
		return
	}
	ctx, cancel := context.WithTimeout(set.ctx, set.r.opts.ReloadTimeout)
	defer cancel()
	if _, err := c.Call(ctx, "reload", map[string]any{"changes": changes}); err != nil && c.Alive() {
		set.r.sup.Logf("%s %s: reloading the files saved while it started: %v", set.r.sup.Prefix(), slot.name, err)
	}
}

// activateWorkers makes server's workers the ones reloads, emits and the status go to.
func (r *Runtime) activateWorkers(server *child.Process) {
	if r.workers == 0 {
		r.publishProcesses() // the one shared process
		return
	}
	r.mu.Lock()
	set := r.sets[server]
	r.active = set
	r.mu.Unlock()
	r.publishProcesses()
	if set == nil {
		return
	}
	var pids []string
	for _, p := range r.processes() {
		pids = append(pids, fmt.Sprintf("%s (pid %d)", p.Name, p.PID))
	}
	r.sup.Logf("%s processes: %s; events go through Redis", r.sup.Prefix(), strings.Join(pids, ", "))
}

// dropWorkers stops the workers of a server that is gone or retired.
func (r *Runtime) dropWorkers(server *child.Process) {
	if r.workers == 0 {
		if !server.Alive() {
			r.publishProcesses()
		}
		return
	}
	r.mu.Lock()
	set := r.sets[server]
	delete(r.sets, server)
	if r.active == set {
		r.active = nil
	}
	r.mu.Unlock()
	if set != nil {
		set.stop()
	}
	if !server.Alive() {
		r.publishProcesses()
	}
}

// activeWorkers returns the set serving with server, or nil.
func (r *Runtime) workersOf(server *child.Process) *workerSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sets[server]
}

// readyWorker returns a worker of server that serves now.
func (r *Runtime) readyWorker(server *child.Process) (*child.Process, error) {
	set := r.workersOf(server)
	if set == nil {
		return nil, errors.New("no worker is running")
	}
	ws := set.readyWorkers()
	if len(ws) == 0 {
		return nil, fmt.Errorf("no worker is ready (%s)", set.summary())
	}
	return ws[0], nil
}

func (set *workerSet) publish() {
	r := set.r
	r.mu.Lock()
	active := r.active == set
	r.mu.Unlock()
	if active {
		r.publishProcesses()
	}
}

// publishProcesses puts the processes that serve now in the status.
func (r *Runtime) publishProcesses() {
	r.sup.SetProcesses(r.processes())
}

// processes lists the node runtime's processes: the server, then its workers.
func (r *Runtime) processes() []Process {
	c := r.sup.Current()
	var out []Process
	if c.Alive() {
		role := RoleShared
		if r.workers > 0 {
			role = RoleServer
		}
		out = append(out, Process{Name: role, Role: role, PID: c.PID, State: ProcessReady})
	}
	r.mu.Lock()
	set := r.active
	r.mu.Unlock()
	if set == nil {
		return out
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	for _, slot := range set.slots {
		p := Process{Name: slot.name, Role: RoleWorker, State: slot.state, Message: slot.message}
		if slot.c != nil {
			p.PID = slot.c.PID
		}
		out = append(out, p)
	}
	return out
}

// verifyRole asks a started process how Medusa runs it (the helper's topology command, which
// also starts reporting its event bus's queue) and refuses one that does not run as its role:
// projectConfig.workerMode in medusa-config wins over MEDUSA_WORKER_MODE, and a process on the
// local event bus never sees the others' events.
func (r *Runtime) verifyRole(ctx context.Context, c *child.Process) error {
	if !c.HasHelper() {
		r.sup.Logf("%s note: the medusa-ls helper did not load in %s; its worker mode and event bus are not checked", r.sup.Prefix(), c.Name)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	raw, err := c.Call(ctx, "topology", nil)
	if err != nil {
		return fmt.Errorf("asking %s how it runs: %w", what(c), err)
	}
	var t struct {
		WorkerMode string `json:"workerMode"`
		Bus        string `json:"bus"`
		Consumes   bool   `json:"consumes"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("the helper's topology answer: %w", err)
	}
	if t.WorkerMode != c.Role {
		return fmt.Errorf("%s runs in worker mode %q, not %q: medusa-config sets projectConfig.workerMode, which wins over MEDUSA_WORKER_MODE; with --workers, set workerMode: process.env.MEDUSA_WORKER_MODE or leave it out", what(c), t.WorkerMode, c.Role)
	}
	if c.Role == RoleWorker && !t.Consumes {
		return fmt.Errorf("%s does not consume events (its event bus is %s): with --workers the project needs Medusa's Redis event bus, @medusajs/medusa/event-bus-redis", what(c), t.Bus)
	}
	return nil
}

// TopologyError is a project that cannot run as a server and workers, with what to change.
type TopologyError struct {
	Problem string // what is missing, and what would happen
	Fix     string // what to do
}

func (e *TopologyError) Error() string {
	return fmt.Sprintf("cannot run a server and workers: %s. %s", e.Problem, e.Fix)
}

// checkTopology checks, before anything starts, that the project can run as a server and
// workers: Medusa's Redis event bus is configured (the local one lives in one process, so the
// workers would never see the server's events) and its Redis answers. Parts that only make the
// topology differ from production (workflow engine, locking) are warnings.
func (r *Runtime) checkTopology(ctx context.Context) error {
	cfg := r.sup.Config()
	if cfg == nil {
		return nil // medusa-config does not load; Medusa reports that, with its code frame
	}
	config := diag.RelPath(r.opts.Root, cfg.File)
	bus := findModule(cfg, "event_bus", "event-bus")
	if bus == nil || !strings.Contains(bus.Resolve, "event-bus-redis") {
		what := "Medusa's default, local event bus"
		if bus != nil && bus.Resolve != "" {
			what = bus.Resolve
		}
		return &TopologyError{
			Problem: fmt.Sprintf("%s configures no Redis event bus (it uses %s, which delivers events only inside the process that emits them), so the workers would never see the server's events", config, what),
			Fix:     `Add { resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl: process.env.REDIS_URL } } to modules in ` + config + ", or run without --workers",
		}
	}
	redisURL, _ := bus.Options["redisUrl"].(string)
	if redisURL == "" {
		return &TopologyError{
			Problem: fmt.Sprintf("the event bus %s in %s has no redisUrl option", bus.Resolve, config),
			Fix:     "Set it, e.g. redisUrl: process.env.REDIS_URL, with REDIS_URL in .env (redis://127.0.0.1:6379 for a local redis-server)",
		}
	}
	if err := pingRedis(ctx, redisURL); err != nil {
		return &TopologyError{
			Problem: fmt.Sprintf("Redis does not answer at %s (the event bus's redisUrl): %v", redactURL(redisURL), err),
			Fix:     "Start it (redis-server), or point REDIS_URL at a running one",
		}
	}
	if m := findModule(cfg, "workflows", "workflow-engine"); m == nil || !strings.Contains(m.Resolve, "workflow-engine-redis") {
		r.sup.Logf("%s warn: %s has no Redis workflow engine (@medusajs/medusa/workflow-engine-redis): each worker schedules every job on its own, so a job runs once per worker at each tick, and async workflow steps stay in the process that started them", r.sup.Prefix(), config)
	}
	if m := findModule(cfg, "locking", "locking"); m == nil || !strings.Contains(string(mustJSON(m)), "locking-redis") {
		r.sup.Logf("%s warn: %s has no Redis locking provider (@medusajs/medusa/locking-redis): locks are held per process, not across the server and the workers", r.sup.Prefix(), config)
	}
	return nil
}

// findModule returns the config's enabled module whose key is key or whose resolve contains
// name.
func findModule(cfg *project.Config, key, name string) *project.ModuleConfig {
	for i := range cfg.Modules {
		m := &cfg.Modules[i]
		if m.Disable {
			continue
		}
		if m.Key == key || strings.Contains(m.Resolve, name) {
			return m
		}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// pingRedis checks that a Redis answers at rawURL (redis:// or rediss://, with an optional
// user:password and database, as ioredis takes it): it connects, authenticates when the URL has
// a password, and sends PING in Redis's protocol (RESP). It returns the dial error, or Redis's
// own error (-NOAUTH, -WRONGPASS) when it refuses. A PING needs no client library; the one the
// tests use (go-redis) would add 4 MB to the binary for it.
func pingRedis(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return fmt.Errorf("%s: not a redis:// or rediss:// URL", redactURL(rawURL))
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "6379")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d := &net.Dialer{Timeout: 3 * time.Second}
	var conn net.Conn
	if u.Scheme == "rediss" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: u.Hostname()}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	r := bufio.NewReader(conn)
	// command sends one command as a RESP array of bulk strings and reads the one-line reply.
	command := func(args ...string) (string, error) {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := io.WriteString(conn, b.String()); err != nil {
			return "", err
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "-") {
			return "", errors.New(strings.TrimPrefix(line, "-"))
		}
		return line, nil
	}
	if password, ok := u.User.Password(); ok {
		args := []string{"AUTH", password}
		if user := u.User.Username(); user != "" && user != "default" {
			args = []string{"AUTH", user, password}
		}
		// As ioredis: a password Redis does not ask for is a warning there, not a failure.
		if _, err := command(args...); err != nil && !strings.Contains(err.Error(), "without any password configured") {
			return err
		}
	}
	reply, err := command("PING")
	if err != nil {
		return err
	}
	if reply != "+PONG" {
		return fmt.Errorf("PING answered %q", reply)
	}
	return nil
}

// redactURL hides a URL's password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// runsIn says whether a process of role loads what file provides: the API is the server's
// (workers do not load it), jobs are the workers' (a server does not load them); subscribers,
// workflows, modules and everything else load everywhere (a server's event bus queues only
// events it has subscribers for, and runs the workflows its routes start).
func runsIn(role, rel string) bool {
	switch role {
	case RoleServer:
		return !strings.HasPrefix(rel, scan.JobsDir+"/")
	case RoleWorker:
		return !strings.HasPrefix(rel, scan.APIDir+"/")
	}
	return true
}

// reloadEverywhere applies changes in server and, with workers, in every worker that serves,
// each getting the files its role loads, all at once; the answers are merged per file: a file
// is in place only when every process that loads it has it, and a failure names the processes
// it happened in. note says what could not be reloaded where (a worker that died meanwhile is
// restarted with the saved files).
func (r *Runtime) reloadEverywhere(ctx context.Context, server *child.Process, changes []ipc.Change) (helperAnswer, []ipc.Envelope, string, error) {
	var set *workerSet
	if r.workers > 0 {
		set = r.workersOf(server)
	}
	type call struct {
		c       *child.Process
		changes []ipc.Change
		out     helperAnswer
		logs    []ipc.Envelope
		err     error
	}
	forRole := func(role string) []ipc.Change {
		var out []ipc.Change
		for _, ch := range changes {
			if runsIn(role, diag.RelPath(r.opts.Root, ch.File)) {
				out = append(out, ch)
			}
		}
		return out
	}
	calls := []*call{{c: server, changes: forRole(server.Role)}}
	if set != nil {
		wc := forRole(RoleWorker)
		set.record(wc) // before listing the workers: one that becomes ready meanwhile catches up
		set.revive()
		for _, w := range set.readyWorkers() {
			calls = append(calls, &call{c: w, changes: wc})
		}
	}
	var wg sync.WaitGroup
	for i, cl := range calls {
		if len(cl.changes) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every reload has a bound: a step inside Medusa that never settles (a module whose
			// load failed leaves Medusa's loading promise pending forever) must not wedge the
			// supervisor, the proxy or later saves.
			cctx, cancel := context.WithTimeout(ctx, r.opts.ReloadTimeout)
			defer cancel()
			if i == 0 {
				r.proxy.pause() // requests that arrive meanwhile are served by the new code
				defer r.proxy.resume()
			}
			cl.c.StartCollect()
			// The helper bounds each step inside Medusa below this call's bound, so that it can
			// put the last good code back and answer before the call gives up.
			raw, err := cl.c.Call(cctx, "reload", map[string]any{"changes": cl.changes, "limitMs": r.opts.ReloadTimeout.Milliseconds() * 2 / 3})
			cl.logs = cl.c.StopCollect()
			if err == nil {
				if uerr := json.Unmarshal(raw, &cl.out); uerr != nil {
					err = fmt.Errorf("the helper's reload answer: %w", uerr)
				}
			}
			cl.err = err
		}()
	}
	wg.Wait()
	if err := calls[0].err; err != nil {
		if !server.Alive() {
			return helperAnswer{}, nil, "", err
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return helperAnswer{}, calls[0].logs, "", r.timedOut(what(server))
		}
		return helperAnswer{}, nil, "", fmt.Errorf("reloading in %s: %w", what(server), err)
	}
	if len(calls) == 1 {
		return calls[0].out, calls[0].logs, "", nil
	}
	// Merge, server first.
	merged := helperAnswer{Hops: calls[0].out.Hops}
	index := map[string]int{}
	failedIn := map[string][]string{}
	var notes []string
	var logs []ipc.Envelope
	for _, cl := range calls {
		if cl.err != nil {
			if cl.c.Alive() {
				_ = child.Kill(cl.c.PID) // it did not answer: its restart loads the saved files
			}
			notes = append(notes, fmt.Sprintf("%s did not reload (%v); it restarts with the saved files", cl.c.Name, cl.err))
			continue
		}
		logs = append(logs, cl.logs...)
		merged.DurationMs = max(merged.DurationMs, cl.out.DurationMs)
		merged.Importers = append(merged.Importers, cl.out.Importers...)
		for _, hr := range cl.out.Results {
			failed := !hr.OK && !hr.Fallback && hr.Blocked == ""
			if failed {
				failedIn[hr.File] = append(failedIn[hr.File], cl.c.Name)
			}
			i, seen := index[hr.File]
			if !seen {
				index[hr.File] = len(merged.Results)
				merged.Results = append(merged.Results, hr)
				continue
			}
			prev := &merged.Results[i]
			restart := prev.Restart || hr.Restart
			if prev.OK && !hr.OK {
				*prev = hr
			}
			prev.Restart = restart
		}
	}
	for i := range merged.Results {
		hr := &merged.Results[i]
		if names := failedIn[hr.File]; len(names) > 0 && hr.Error != nil {
			e := *hr.Error
			e.Message = fmt.Sprintf("%s (in %s)", e.Message, strings.Join(names, ", "))
			hr.Error = &e
		}
	}
	return merged, logs, strings.Join(notes, "; "), nil
}
