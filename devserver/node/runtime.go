package node

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/nodemodules"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/reloaders"
	"github.com/medusa-ls/medusa-ls/schedule"
)

//go:embed js/node-helper.js
var nodeHelperJS []byte

// Runtime runs the project's own Medusa (`@medusajs/cli start`, as `medusa develop` forks
// it) on an internal port behind a proxy on the user's port, and drives it with Medusa's
// hmr-reload messages, one file at a time, in order. What Medusa's dev server lacks, it adds:
// syntax errors are caught before Medusa sees them (the old code keeps serving), a change to a
// shared file reloads the resources that import it, errors come back as diagnostics with their
// file and line (from a helper preloaded into Node), route reloads have no 404 window, a crash
// is noticed at once, and a restart starts the new server beside the old one.
type Runtime struct {
	sup    Supervisor
	opts   Options
	proxy  *proxy
	node   string // the node binary
	cli    string // <root>/node_modules/@medusajs/cli/cli.js
	helper string // node-helper.js, written where node can read it
	tsconf string // the project's tsconfig.json, for the syntax pre-check
	trace  bool   // MEDUSA_LS_TRACE=1: log where each reload's time goes

	problems problemSet

	// Medusa's loaders say nothing of the conventions medusa-ls lints (a misnamed handler, a
	// subscriber config key): the static lint of each file (reloaders.LintFile), kept up to
	// date on every reload, and its warnings merged into what the terminal and the editor see.
	lintMu sync.Mutex
	lint   map[string][]diag.Diagnostic

	// srcs holds what the reload in progress read of its batch's files (readBatch), so that the
	// syntax check, the lint and the reloaded routes' names read each file once. Reloads run one
	// at a time, from the supervisor's loop.
	srcs map[string][]byte

	// routeNames are the routes each route file served when last loaded ("GET /store/hello"),
	// so that a deleted file's routes are named in the result.
	routeMu    sync.Mutex
	routeNames map[string][]reloaders.Resource

	// The production topology (Options.Workers > 0): the worker sets by the server they belong
	// to, the one serving now, and what the processes' event buses report.
	workers int
	mu      sync.Mutex
	sets    map[*child.Process]*workerSet
	active  *workerSet
	events  *eventTracker
}

// Options configure the node runtime.
type Options struct {
	Root          string        // the project's real path
	Node          string        // the node binary (default: node on PATH)
	NodeArgs      []string      // options for node itself, e.g. --inspect
	Workers       int           // > 0: Medusa's production topology, one server and this many workers
	ReloadTimeout time.Duration // longest wait for Medusa's answer to a reload before it is killed
	ReadyTimeout  time.Duration // longest wait for a new Medusa to answer on /health
}

// Supervisor is what the runtime needs from the supervisor that owns it (devserver.Supervisor).
type Supervisor interface {
	Logf(format string, args ...any)
	Prefix() string // starts the runtime's log lines: "[HMR]" or "[Watcher]"
	// StartChild starts cmd with t attached, its output going to the terminal and listeners.
	StartChild(cmd *exec.Cmd, t *child.Transport, addr, label string) (*child.Process, error)
	// Retire stops c gracefully (Runtime.StopAccepting, then its exit).
	Retire(c *child.Process)
	// Await sends m to c and waits for its answer (child.Process.Await, ReloadTimeout).
	Await(c *child.Process, m ipc.Envelope, answers func(ipc.Envelope) bool) (ipc.Envelope, error)
	Current() *child.Process    // the child that serves now, or nil
	Env() map[string]string     // the project's environment, .env applied
	BaseEnv() map[string]string // a child's environment, before the runtime's own variables
	Config() *project.Config    // medusa-config as last read
	HMR() bool                  // Medusa's backend_hmr flag (or --hmr) is on
	BatchSince() time.Time      // when the first change of the batch in hand was seen (trace)
	// LaunchReason says in one line why a launch failed.
	LaunchReason(err error) string
	// RuntimeError reports a handler, subscriber or job that failed after loading.
	RuntimeError(e ipc.RuntimeError)
	// SetProcesses publishes the processes' states.
	SetProcesses(ps []Process)
}

// New checks that node and the project's Medusa CLI are there, and writes the helper node
// preloads. It starts nothing.
func New(opts Options, sup Supervisor) (*Runtime, error) {
	node := opts.Node
	if node == "" {
		node = "node"
	}
	bin, err := exec.LookPath(node)
	if err != nil {
		return nil, fmt.Errorf("the node runtime runs the project's own Medusa with Node.js, but %q was not found (install Node.js 20 or newer, or use --runtime embedded): %w", node, err)
	}
	// Found as Node finds it: in a monorepo, workspaces hoist it above the project.
	cli, ok := nodemodules.File(opts.Root, "@medusajs/cli", "cli.js")
	if !ok {
		return nil, fmt.Errorf("the node runtime needs the project's dependencies: node_modules/@medusajs/cli/cli.js is missing in %s and the folders above it (run npm install, or use --runtime embedded)", opts.Root)
	}
	helper, err := writeNodeHelper()
	if err != nil {
		return nil, err
	}
	tsconf, _ := os.ReadFile(filepath.Join(opts.Root, "tsconfig.json"))
	r := &Runtime{sup: sup, opts: opts, node: bin, cli: cli, helper: helper, tsconf: string(tsconf), trace: os.Getenv("MEDUSA_LS_TRACE") == "1"}
	r.proxy = newProxy(r.opts.ReadyTimeout)
	if r.opts.Workers < 0 {
		return nil, fmt.Errorf("--workers %d: the number of workers must be 0 (one shared process) or more", r.opts.Workers)
	}
	r.workers = r.opts.Workers
	r.sets = map[*child.Process]*workerSet{}
	r.events = newEventTracker(r)
	return r, nil
}

// Name is devserver.RuntimeNode.
func (r *Runtime) Name() string { return "node" }

// nodeEnv is the NODE_ENV Medusa runs with, whatever the project's environment says: unset,
// `medusa start` (which the child runs) would run in production mode.
const nodeEnv = "development"

// NodeEnv is the NODE_ENV the project's Medusa runs with: it says which .env files it reads.
func (r *Runtime) NodeEnv(map[string]string) string { return nodeEnv }

// Describe says what runs the project, for the log.
func (r *Runtime) Describe() string {
	version := "?"
	pkg, _ := nodemodules.Find(r.opts.Root, "@medusajs/medusa")
	if b, err := os.ReadFile(filepath.Join(pkg, "package.json")); err == nil {
		var pkg struct{ Version string }
		if json.Unmarshal(b, &pkg) == nil && pkg.Version != "" {
			version = pkg.Version
		}
	}
	nodeVersion := ""
	if out, err := exec.Command(r.node, "--version").Output(); err == nil {
		nodeVersion = " " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("node (the project's own Medusa %s, in Node%s at %s)", version, nodeVersion, r.node)
}

// writeNodeHelper puts the helper in the user's cache, named by its content, so that versions
// of medusa-ls side by side do not overwrite each other's. Node runs it inside Medusa, so its
// folder must be this user's alone (privateCacheDir): in a folder another user can write (a
// shared /tmp when there is no home, a cache folder made group-writable), they could replace it
// between our write and node's read. There, it goes to a new private temporary folder instead.
func writeNodeHelper() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "medusa-ls")
	if err := os.MkdirAll(dir, 0o700); err != nil || !privateCacheDir(dir) {
		if dir, err = os.MkdirTemp("", "medusa-ls-helper-"); err != nil {
			return "", fmt.Errorf("writing the node helper: %w", err)
		}
	}
	sum := sha256.Sum256(nodeHelperJS)
	path := filepath.Join(dir, "node-helper-"+hex.EncodeToString(sum[:6])+".js")
	if b, err := os.ReadFile(path); err == nil && string(b) == string(nodeHelperJS) {
		return path, nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := os.WriteFile(tmp, nodeHelperJS, 0o644); err != nil {
		return "", fmt.Errorf("writing the node helper: %w", err)
	}
	return path, os.Rename(tmp, path)
}

// Serve answers on the supervisor's port: /health itself (Medusa's goes away at its first route
// reload), everything else through the proxy.
func (r *Runtime) Serve(ln net.Listener) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, req *http.Request) {
		if c := r.sup.Current(); c.Alive() {
			_, _ = w.Write([]byte("OK"))
			return
		}
		if reason, retryAt := r.proxy.downReason(); reason != "" {
			child.WriteNotReady(w, reason, time.Until(retryAt)) // why, as every other path says
			return
		}
		reloaders.WriteError(w, http.StatusServiceUnavailable, "the dev server is not running")
	})
	mux.Handle("/", r.proxy)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return func() {
		_ = srv.Close()
		r.events.close()
	}, nil
}

// freePort asks the kernel for a port nobody uses now.
func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// spawn starts one Medusa process. role is its MEDUSA_WORKER_MODE ("" leaves Medusa's own
// choice: projectConfig.workerMode, else shared); name labels its output and its diagnostics
// when several run.
func (r *Runtime) spawn(role, name string) (*child.Process, error) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		return nil, fmt.Errorf("finding a port for Medusa: %w", err)
	}
	t, err := child.NewTransport()
	if err != nil {
		return nil, err
	}
	args := append([]string{}, r.opts.NodeArgs...)
	args = append(args, "--require", r.helper, r.cli, "start")
	if role != RoleWorker {
		args = append(args, "--types") // one process writes .medusa/types; workers would race it
	}
	args = append(args, "--port", fmt.Sprint(port), "--host", "127.0.0.1")
	cmd := exec.Command(r.node, args...)
	cmd.Dir = r.opts.Root
	env := r.sup.BaseEnv()
	env["NODE_ENV"] = nodeEnv
	env["MEDUSA_LS_HELPER"] = "1"
	delete(env, resolveCacheEnv)
	delete(env, codeCacheEnv)
	if f := resolveCacheFile(resolveCacheDir(), r.opts.Root, r.node, r.opts.NodeArgs, env, nodeHelperJS); f != "" {
		env[resolveCacheEnv] = f
		env[codeCacheEnv] = codeCacheFile(f)
	}
	tuneMalloc(env)
	delete(env, "MEDUSA_HMR_ENABLED")
	delete(env, "RUST_BACKTRACE") // swc would add a Rust backtrace to every syntax error
	if role != "" {
		env["MEDUSA_WORKER_MODE"] = role
	}
	if r.sup.HMR() {
		// Without MEDUSA_HMR_ENABLED the child never answers hmr-reload; without the flag itself
		// (--hmr overriding the project) its route reloads silently do nothing.
		env["MEDUSA_HMR_ENABLED"] = "true"
		env["MEDUSA_FF_BACKEND_HMR"] = "true"
	}
	cmd.Env = dotenv.Lines(env)
	if err := t.AttachNode(cmd); err != nil {
		t.Close()
		return nil, err
	}
	c, err := r.sup.StartChild(cmd, t, fmt.Sprintf("127.0.0.1:%d", port), outputLabel(role, name))
	if err != nil {
		return nil, fmt.Errorf("starting Medusa (%s %s): %w", r.node, diag.RelPath(r.opts.Root, r.cli), err)
	}
	c.Role, c.Name = role, name
	go r.read(c)
	go func() {
		<-c.Exited
		if role == RoleWorker {
			return
		}
		r.proxy.clearIf(c.Addr) // requests wait for its successor instead of failing
		r.dropWorkers(c)        // a server's workers go with it; its successor starts its own
	}()
	return c, nil
}

// read delivers the Node child's messages: command answers to their callers, Medusa's errors
// to the reload collecting them or, outside reloads, to listeners as runtime errors.
func (r *Runtime) read(c *child.Process) {
	c.Receive(func(m ipc.Envelope) bool {
		switch m.Type {
		case ipc.TypeNodeHello:
			c.HelperSaidHello()
		case ipc.TypeNodeListening:
			c.HelperSaidListening()
		case ipc.TypeNodeLog:
			if !c.Collect(m) && m.Level == "error" {
				r.runtimeError(c, m)
			}
		case typeNodeEvent:
			r.events.observe(c, m.Data)
		default:
			return false
		}
		return true
	}, nil) // a line that is not JSON is not the helper's; Medusa's own are all JSON
}

// runtimeError reports an error Medusa logged while serving: a route that threw (Medusa's error
// handler logs every 5xx), a subscriber, a job.
func (r *Runtime) runtimeError(c *child.Process, m ipc.Envelope) {
	fallback := ""
	if m.Request != nil {
		fallback = m.Request.File // a failure in Medusa's code on a project route: on the route file
	}
	ds := logDiagnostics(r.opts.Root, m, fallback, diag.CodeRuntime)
	e := ipc.RuntimeError{Problems: ds}
	if m.Request != nil {
		e.Method, e.Path, e.Status = m.Request.Method, m.Request.Path, http.StatusInternalServerError
		for i := range ds {
			ds[i].Message = fmt.Sprintf("%s %s: %s", e.Method, e.Path, ds[i].Message)
		}
	} else {
		e.What = child.FirstLine(strings.TrimSpace(strings.TrimPrefix(m.Message, "[HMR]")))
	}
	if r.workers > 0 && c.Name != "" {
		// which of the topology's processes it happened in
		e.What = strings.TrimSpace(c.Name + ": " + e.What)
		for i := range ds {
			ds[i].Message = fmt.Sprintf("%s (in %s)", ds[i].Message, c.Name)
		}
	}
	r.sup.RuntimeError(e)
}

// Launch starts Medusa and waits until it answers on /health. With workers, it first checks that
// the project can run the production topology, then starts the server and the workers side by
// side and returns once all of them serve.
func (r *Runtime) Launch(ctx context.Context) (*child.Process, ipc.Result, error) {
	// A Medusa already serving is the one a restart replaces: it answers at a slower pace until
	// the new one is up (proxy.pace).
	if r.proxy.serving() {
		defer r.proxy.pace(restartPace, restartBurst)()
	}
	r.checkDatabase()
	if r.workers > 0 {
		if err := r.checkTopology(ctx); err != nil {
			return nil, ipc.Result{}, err
		}
	}
	c, err := r.spawn(r.serverRole(), r.serverName())
	if err != nil {
		return nil, ipc.Result{}, err
	}
	var set *workerSet
	if r.workers > 0 {
		set = r.startWorkers(ctx, c)
	}
	logs, err := r.awaitReady(ctx, c)
	if err == nil && set != nil {
		err = r.verifyRole(ctx, c)
		if err == nil {
			err = set.awaitReady(ctx)
		}
		if err != nil {
			set.stop()
			r.sup.Retire(c)
		}
	}
	if err != nil {
		if set != nil {
			set.stop()
		}
		return nil, ipc.Result{}, err
	}
	r.problems.reset()
	for _, m := range logs {
		for _, d := range logDiagnostics(r.opts.Root, m, "", diag.CodeLoad) {
			if d.File != "" {
				r.problems.add("boot", d)
			}
		}
	}
	c.Problems = r.problems.all()
	r.lintMu.Lock()
	r.lint = map[string][]diag.Diagnostic{}
	for _, d := range reloaders.LintProject(r.opts.Root) {
		r.lint[d.File] = append(r.lint[d.File], d)
	}
	r.lintMu.Unlock()
	res := ipc.Result{Success: true, Problems: r.withLint(c.Problems), Resources: reloaders.StaticResources(r.opts.Root)}
	r.routeMu.Lock()
	r.routeNames = map[string][]reloaders.Resource{}
	for _, rs := range res.Resources {
		if rs.Kind == "route" {
			r.routeNames[rs.File] = append(r.routeNames[rs.File], rs)
		}
	}
	r.routeMu.Unlock()
	if !c.HasHelper() {
		r.sup.Logf("%s note: the medusa-ls helper did not load in Node; errors are reported from Medusa's output only", r.sup.Prefix())
	}
	return c, res, nil
}

// awaitReady waits until c answers on /health and returns what Medusa logged meanwhile. A child
// that exits, does not answer within ReadyTimeout, or is abandoned with ctx is an error (and is
// gone).
func (r *Runtime) awaitReady(ctx context.Context, c *child.Process) ([]ipc.Envelope, error) {
	c.StartCollect()
	timer := time.NewTimer(r.opts.ReadyTimeout)
	defer timer.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	client := &http.Client{Timeout: 2 * time.Second}
	slow := time.NewTimer(20 * time.Second)
	defer slow.Stop()
	// The helper says when Medusa listens (its last step of a boot); the ticks are for a Medusa
	// without the helper.
	listening := c.Listening
	for {
		select {
		case <-slow.C:
			if c.Role != RoleWorker { // one word for the topology: its server's
				r.slowBoot(c, 20*time.Second) // Medusa waits for its database without a word
			}
		case <-c.Exited:
			logs := c.StopCollect()
			return nil, r.bootError(c, logs)
		case <-timer.C:
			_ = child.Kill(c.PID)
			<-c.Exited
			return nil, fmt.Errorf("%s did not start within %s%s", what(c), r.opts.ReadyTimeout, child.IndentTail(c.LastOutput()))
		case <-ctx.Done():
			c.StopCollect()
			r.sup.Retire(c)
			return nil, ctx.Err()
		case <-listening:
			listening = nil // asked now; the ticks go on if Medusa is not ready yet
			if healthy(client, c.Addr) {
				return c.StopCollect(), nil
			}
		case <-tick.C:
			if healthy(client, c.Addr) {
				return c.StopCollect(), nil
			}
		}
	}
}

// healthy reports whether the Medusa at addr answers 200 on /health.
func healthy(client *http.Client, addr string) bool {
	resp, err := client.Get("http://" + addr + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// BootError is a dev server that exited while starting, with what it said was wrong.
type BootError struct {
	Err      error
	Problems []diag.Diagnostic
	Output   string
	Hint     string // the database is the likely reason: what says so
	Process  string // with workers: which process ("server", "worker 2"); "" for the only one
}

func (e *BootError) Error() string {
	what := "Medusa"
	if e.Process != "" {
		what = "Medusa's " + e.Process
	}
	msg := fmt.Sprintf("%s exited while starting (%v)", what, e.Err)
	hint := ""
	if e.Hint != "" {
		hint = "\n  " + e.Hint
	}
	for _, p := range e.Problems {
		if p.Severity == diag.Error {
			return msg + ": " + p.Message + hint
		}
	}
	return msg + child.IndentTail(e.Output) + hint
}

func (r *Runtime) bootError(c *child.Process, logs []ipc.Envelope) error {
	var ps []diag.Diagnostic
	for _, m := range logs {
		if m.Level == "error" {
			ps = append(ps, logDiagnostics(r.opts.Root, m, "", diag.CodeLoad)...)
		}
	}
	texts := []string{c.LastOutput()}
	for _, m := range logs {
		texts = append(texts, m.Message)
		if m.Exception != nil {
			texts = append(texts, m.Exception.Code+" "+m.Exception.Message)
		}
	}
	be := &BootError{Err: c.Err, Problems: dedupe(ps), Output: c.LastOutput(), Hint: databaseHint(r.sup.Env(), texts...)}
	if r.workers > 0 {
		be.Process = c.Name
	}
	return be
}

// Activate points the proxy at the new child; its workers become the ones reloads go to.
func (r *Runtime) Activate(c *child.Process) {
	r.proxy.set(c.Addr)
	r.activateWorkers(c)
}

// StopAccepting asks Medusa to shut down gracefully (it stops accepting, finishes in-flight
// requests, runs the modules' shutdown hooks, exits); the proxy has already moved on, so it
// returns at once: a restart is done when the new Medusa serves, not when the old one has
// answered its last request.
func (r *Runtime) StopAccepting(c *child.Process) {
	r.proxy.clearIf(c.Addr)
	go func() {
		// Medusa's shutdown destroys connections it sees idle, even one a request was just
		// written on: it is told to stop only once the proxy has nothing in flight to it (at
		// most 10 s).
		r.proxy.drain(c.Addr, 10*time.Second)
		_ = child.Terminate(c.PID)
		r.dropWorkers(c) // its workers finish the events they have taken, then exit
	}()
}

// Call runs a helper command in Medusa.
func (r *Runtime) Call(ctx context.Context, c *child.Process, name ipc.Command, args any) (json.RawMessage, error) {
	if r.workers > 0 {
		switch name {
		case ipc.CmdEmitEvent:
			return r.emitInTopology(ctx, c, args)
		case ipc.CmdRunJob, ipc.CmdJobs:
			// a server does not load jobs (Medusa's loaders, workerMode "server"): a worker runs them
			w, err := r.readyWorker(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			c = w
		}
	}
	if !c.HasHelper() {
		return nil, fmt.Errorf("%s needs the medusa-ls helper in Node, which did not load (see the output)", name)
	}
	raw, err := c.Call(ctx, name, args)
	if err != nil || name != ipc.CmdJobs {
		return raw, err
	}
	// Medusa's scheduler does not say when it fires next; a cron expression does.
	var jobs []struct {
		Name     string  `json:"name"`
		Cron     string  `json:"cron"`
		Interval float64 `json:"interval"` // ms
	}
	if err := json.Unmarshal(raw, &jobs); err != nil {
		return nil, fmt.Errorf("the helper's job list: %w", err)
	}
	out := []ipc.JobInfo{}
	now := time.Now()
	for _, j := range jobs {
		info := ipc.JobInfo{Name: j.Name, Schedule: j.Cron}
		if j.Cron != "" {
			info.Next, _ = schedule.NextAfter(schedule.CronSpec(j.Cron), now)
		} else if j.Interval > 0 {
			info.Schedule = "every " + (time.Duration(j.Interval) * time.Millisecond).String()
		}
		out = append(out, info)
	}
	return json.Marshal(out)
}
