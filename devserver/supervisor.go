package devserver

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/embedded"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/devserver/watch"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/nodemodules"
	"github.com/medusa-ls/medusa-ls/project"
)

// State of the dev server, as the editor's status bar shows it.
type State string

const (
	StateStarting   State = "starting"
	StateReady      State = "ready"
	StateReloading  State = "reloading"
	StateError      State = "error"
	StateRestarting State = "restarting"
	StateStopped    State = "stopped"
)

// Status is a snapshot for status bars.
type Status struct {
	State      State       `json:"state"`
	URL        string      `json:"url"`
	Runtime    string      `json:"runtime"`
	HMR        bool        `json:"hmr"`
	LastReload *LastReload `json:"lastReload,omitempty"`
	Errors     int         `json:"errors"`
	Message    string      `json:"message,omitempty"`
	// Credentials are what the embedded runtime's default checks accept (a publishable key for
	// /store, bearer tokens for /admin and customers); nil with the node runtime, where
	// Medusa's own keys and logins count.
	Credentials *framework.DevCredentials `json:"credentials,omitempty"`
	// While no child runs after a failure: failed attempts in a row, and when the next starts.
	Attempts int       `json:"attempts,omitempty"`
	RetryAt  time.Time `json:"retryAt,omitzero"`
	// The node runtime's processes: the server (or the one shared process) and its workers.
	Processes []node.Process `json:"processes,omitempty"`
}

// LastReload summarises the latest reload.
type LastReload struct {
	File string  `json:"file"`
	Ms   float64 `json:"ms"`
	OK   bool    `json:"ok"`
}

// Event is what the supervisor tells its user (the terminal, the language server).
type Event struct {
	Status  *Status           `json:"status,omitempty"` // the state changed (with a Result: the state it left)
	Result  *ipc.Result       `json:"result,omitempty"` // a load, reload or restart finished
	Kind    ResultKind        `json:"kind,omitempty"`   // what finished, for Result
	Runtime *ipc.RuntimeError `json:"runtime,omitempty"`
	Log     string            `json:"log,omitempty"` // a log line ("[HMR] reloaded …", or the child's own output)
}

// ResultKind says what finished when an Event carries a Result.
type ResultKind string

const (
	ResultReady   ResultKind = "ready"   // the first load (or one after a stop)
	ResultReload  ResultKind = "reload"  // a batch reloaded in place, or refused
	ResultRestart ResultKind = "restart" // a new child took over, or was refused
)

// Options configure a Supervisor.
type Options struct {
	Root           string
	Host           string            // default 127.0.0.1
	Port           int               // 0: projectConfig.http.port, PORT, 9000
	HMR            *bool             // nil: the project's backend_hmr flag
	Env            map[string]string // extra variables for the child
	Exe            string            // the medusa-ls binary to run as the child; default: this one
	Watch          bool              // watch files with fsnotify
	NoReload       bool              // medusa-ls start: no watcher, and the banner says so
	PortFallback   bool              // when the port is taken, use the next free one (editors)
	Ignore         []string          // extra watcher ignore patterns
	TaskTimeout    time.Duration
	RequestTimeout time.Duration
	ReloadTimeout  time.Duration // longest wait for a child's answer before it is killed
	ReadyTimeout   time.Duration // longest wait for a new child to load
	Runtime        string        // RuntimeAuto (default), RuntimeEmbedded or RuntimeNode
	Node           string        // node runtime: the node binary (default: node on PATH)
	NodeArgs       []string      // node runtime: options for node itself, e.g. --inspect
	// Workers > 0 runs the node runtime as Medusa's production topology: one server
	// (MEDUSA_WORKER_MODE=server) behind the port and this many workers, over the project's Redis.
	Workers int
	Output  io.Writer // terminal: supervisor lines and the child's output
	OnEvent func(Event)
}

// Supervisor owns the port and runs the child.
type Supervisor struct {
	opts   Options
	root   string // the project's real path (project/links.go)
	given  string // the root as the caller named it
	prefix string

	// owed is why a restart is still due after one was refused or failed while the previous
	// dev server kept serving (".env changed"), and owedOn the files whose errors stopped it;
	// the loop's own. The next reload of one of them that leaves no error tries it again.
	owed   string
	owedOn map[string]bool

	listener net.Listener
	url      atomic.Pointer[string] // where it serves, once the port is open

	mu       sync.Mutex
	status   Status
	pending  map[string]bool // files touched since the last batch
	hashes   map[string][32]byte
	known    map[string]bool      // files that existed at the last look
	missing  map[string]time.Time // known files seen missing, since when
	emptied  map[string]time.Time // known files seen empty, since when
	writing  map[string]time.Time // files seen open for writing, since when
	kick     chan struct{}
	cmds     chan command
	child    *child.Process
	rt       runtime
	current  atomic.Pointer[child.Process] // the serving child, for callers outside the loop
	problems []diag.Diagnostic
	nextID   int64
	hmr      bool
	flagSrc  string
	env      map[string]string
	nodeEnv  atomic.Pointer[string] // rt.NodeEnv(env), for the watcher's and the editor's goroutines
	cfg      *project.Config
	watcher  *watch.Watcher
	ctx      context.Context // Run's, once it started
	done     chan struct{}

	// While no child runs after a failure (owned by the loop): the 503 server of the embedded
	// runtime, failed attempts in a row, and when the child that serves came up.
	failures int
	retry    *time.Timer
	upSince  time.Time
	changed  chan struct{} // closed (and replaced) when the state or the child changes

	announce  sync.Mutex
	reloading *Status // the reload's state, until announceReloading tells the listeners; guarded by announce

	subs subscribers // processes attached through the control socket

	// pendingSince is when the first of the pending files was reported, and batchSince that
	// time for the batch takeBatch returned last (MEDUSA_LS_TRACE). Guarded by mu.
	pendingSince, batchSince time.Time
}

type command struct {
	name  string // "restart", "reload-all", "stop", "start"
	reply chan error
}

// New validates the project and resolves the port and the feature flag.
func New(opts Options) (*Supervisor, error) {
	given, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	// Everything below the supervisor (the watcher, the child, Medusa in Node, which knows its
	// directory by its real path) names files under the real root; Enqueue takes either.
	root := project.RealRoot(given)
	if _, err := project.FindConfig(root); err != nil {
		return nil, err
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Output == nil {
		opts.Output = os.Stderr
	}
	embedded.WithDefaultTimeouts(&opts.TaskTimeout, &opts.RequestTimeout)
	if opts.ReloadTimeout == 0 {
		opts.ReloadTimeout = max(30*time.Second, 3*opts.TaskTimeout)
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 2 * time.Minute
	}
	if opts.Exe == "" {
		if opts.Exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("finding the medusa-ls binary: %w", err)
		}
	}
	s := &Supervisor{
		opts: opts, root: root, given: given,
		pending: map[string]bool{}, hashes: map[string][32]byte{}, known: map[string]bool{}, missing: map[string]time.Time{}, emptied: map[string]time.Time{}, writing: map[string]time.Time{},
		kick: make(chan struct{}, 1), cmds: make(chan command), done: make(chan struct{}), changed: make(chan struct{}),
	}
	name := opts.Runtime
	switch name {
	case "", RuntimeAuto:
		name = RuntimeEmbedded
		if UseNodeRuntime(root) && goruntime.GOOS != "windows" {
			name = RuntimeNode
		}
	case RuntimeNode:
		if goruntime.GOOS == "windows" {
			return nil, errors.New("the node runtime is not supported on Windows yet; use --runtime embedded")
		}
	case RuntimeEmbedded:
	default:
		return nil, fmt.Errorf("unknown runtime %q (want auto, embedded or node)", opts.Runtime)
	}
	if opts.Workers > 0 && name != RuntimeNode {
		return nil, fmt.Errorf("--workers runs the project's own Medusa as a server and workers: it needs the node runtime (the project's node_modules/@medusajs/medusa, and --runtime node or auto), not the %s runtime", name)
	}
	if name == RuntimeNode {
		rt, err := node.New(node.Options{
			Root: root, Node: opts.Node, NodeArgs: opts.NodeArgs, Workers: opts.Workers,
			ReloadTimeout: opts.ReloadTimeout, ReadyTimeout: opts.ReadyTimeout,
		}, runtimeHost{s})
		if err != nil {
			return nil, err
		}
		s.rt = rt
	} else {
		s.rt = embedded.NewRuntime(embedded.RuntimeOptions{
			Root: root, Exe: opts.Exe, Host: opts.Host, TaskTimeout: opts.TaskTimeout,
			RequestTimeout: opts.RequestTimeout, ReadyTimeout: opts.ReadyTimeout,
		}, runtimeHost{s})
	}
	s.status = Status{State: StateStarting, Runtime: name}
	return s, nil
}

// Root is the project directory, its real path: the files the supervisor reports are under it.
func (s *Supervisor) Root() string { return s.root }

// Status returns the current status.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Problems returns the current load problems of the project.
func (s *Supervisor) Problems() []diag.Diagnostic {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]diag.Diagnostic(nil), s.problems...)
}

// URL is where the project is served.
func (s *Supervisor) URL() string {
	if u := s.url.Load(); u != nil {
		return *u
	}
	return ""
}

// Run opens the port, starts the child and the watcher, and serves until ctx ends. It returns
// once the child has stopped.
func (s *Supervisor) Run(ctx context.Context) error {
	defer close(s.done)
	if err := s.configure(); err != nil {
		return err
	}
	port := s.opts.Port
	if port == 0 {
		port = project.Port(s.env, s.cfg)
	}
	ln, err := s.listen(port)
	if err != nil {
		return err
	}
	s.listener = ln
	url := "http://" + ln.Addr().String()
	s.url.Store(&url)
	defer ln.Close()
	// Commands, and editors that attach, reach this dev server as soon as it holds the port,
	// and no longer once Run returns.
	s.warnLinkedDirs()
	controlCtx, stopControl := context.WithCancel(ctx)
	defer stopControl()
	s.serveControl(controlCtx)
	stopServing, err := s.rt.Serve(ln)
	if err != nil {
		return err
	}
	defer stopServing()
	s.scanHashes()
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	if s.opts.Watch {
		_ = s.Watch()
	}
	defer func() {
		s.mu.Lock()
		w := s.watcher
		s.watcher = nil
		s.mu.Unlock()
		if w != nil {
			w.Close()
		}
	}()
	return s.loop(ctx)
}

// listen opens the port; with PortFallback a taken port moves on to the next ones.
func (s *Supervisor) listen(port int) (net.Listener, error) {
	addr := net.JoinHostPort(s.opts.Host, fmt.Sprint(port))
	ln, err := net.Listen("tcp", addr)
	if err == nil || !s.opts.PortFallback {
		if err != nil {
			return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
		}
		return ln, nil
	}
	for p := port + 1; p < port+50 && p < 65536; p++ {
		if ln, err2 := net.Listen("tcp", net.JoinHostPort(s.opts.Host, fmt.Sprint(p))); err2 == nil {
			s.logf("%s port %d is in use (%v); serving on %d", s.prefix, port, err, p)
			return ln, nil
		}
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
}

// Watch starts watching the project with fsnotify, if it is not already. It is for callers that
// learn late that nobody else reports file changes (a language client that refused to).
func (s *Supervisor) Watch() error {
	s.mu.Lock()
	if s.watcher != nil || s.ctx == nil {
		s.mu.Unlock()
		return nil
	}
	ctx := s.ctx
	s.mu.Unlock()
	w, err := watch.New(watch.Options{Root: s.root, Ignore: s.opts.Ignore, Relevant: func(rel string) bool {
		return project.IsCode(rel) || s.needsRestart(rel)
	}})
	if err != nil {
		s.logf("%s cannot watch files: %v (saves from an editor still reload)", s.prefix, err)
		return err
	}
	s.mu.Lock()
	s.watcher = w
	s.mu.Unlock()
	go s.forward(ctx, w)
	s.logf("%s Watching filesystem to reload dev server on file change", s.prefix)
	return nil
}

// baseEnv is the environment a child starts from: medusa-ls's own (as dotenv reads a process
// environment) with Options.Env over it. The child and medusa-config add .env to it.
func (s *Supervisor) baseEnv() map[string]string {
	env := dotenv.Environ(os.Environ())
	for k, v := range s.opts.Env {
		env[k] = v
	}
	return env
}

// setNodeEnv records the NODE_ENV the project's Medusa runs with in env.
func (s *Supervisor) setNodeEnv(env map[string]string) {
	v := s.rt.NodeEnv(env)
	s.nodeEnv.Store(&v)
}

// needsRestart is project.NeedsRestart for the NODE_ENV the project's Medusa runs with: a .env
// file it does not read restarts nothing.
func (s *Supervisor) needsRestart(rel string) bool {
	env := ""
	if v := s.nodeEnv.Load(); v != nil {
		env = *v
	}
	return project.NeedsRestart(rel, env)
}

// configure reads the environment and medusa-config to resolve the flag and the port.
func (s *Supervisor) configure() error {
	env, err := project.Environment(s.root, s.baseEnv())
	if err != nil {
		s.logf("warn: %v", err)
	}
	// A config that fails here fails in the dev server too, which reports it once, with its
	// code frame, when it starts; here it only means the port and flags take their defaults.
	cfg, _ := project.LoadConfig(s.root, env, s.opts.TaskTimeout)
	s.env, s.cfg = env, cfg
	s.setNodeEnv(env)
	if s.opts.HMR != nil {
		s.hmr, s.flagSrc = *s.opts.HMR, "the hmr setting"
	} else {
		s.hmr, s.flagSrc = project.HMREnabled(env, cfg)
	}
	s.prefix = report.PrefixWatcher
	if s.opts.NoReload {
		s.prefix = report.PrefixHMR
		s.logf("%s Serving without reloads (medusa-ls start; medusa-ls develop reloads on file change)", s.prefix)
	} else if s.hmr {
		s.prefix = report.PrefixHMR
		s.logf("%s Using backend HMR dev server (reload on file change; backend_hmr from %s)", s.prefix, s.flagSrc)
	} else {
		s.logf("%s Using standard dev server (restart on file change; backend_hmr off by %s)", s.prefix, s.flagSrc)
		if v, ok := env[project.HMRFlagEnv]; ok && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			s.logf("%s note: %s=%q is not \"true\"; Medusa reads only \"true\" as on", s.prefix, project.HMRFlagEnv, v)
		}
	}
	s.logf("%s runtime: %s", s.prefix, s.rt.Describe())
	s.mu.Lock()
	s.status.HMR = s.hmr
	s.mu.Unlock()
	return nil
}

// Enqueue asks for the given files to be reloaded (an editor's didSave, a watcher batch).
// Files whose content did not change are dropped; the rest join the next batch.
func (s *Supervisor) Enqueue(files ...string) {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.pendingSince = time.Now()
	}
	added := false
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(s.root, f)
		} else if s.given != s.root && project.Within(s.given, f) {
			f = filepath.Join(s.root, strings.TrimPrefix(f, s.given))
		}
		rel := diag.RelPath(s.root, f)
		if strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
			continue // outside the project
		}
		if watch.Ignored(rel, s.opts.Ignore) || !(project.IsCode(f) || s.needsRestart(rel) || s.knownUnder(f)) {
			continue
		}
		s.pending[f] = true
		added = true
	}
	s.mu.Unlock()
	if added {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *Supervisor) forward(ctx context.Context, w *watch.Watcher) {
	for {
		select {
		case <-ctx.Done():
			return
		case b, ok := <-w.Batches():
			if !ok {
				return
			}
			s.Enqueue(b...)
		}
	}
}

// scanHashes records the content of the project's code files, so that a save that changes
// nothing, or a change seen twice (editor and watcher), reloads nothing.
func (s *Supervisor) scanHashes() {
	// A root reached through a symbolic link is walked at its real path (WalkDir does not follow
	// links), and files are recorded under the root as given, as the watcher reports them.
	base := s.root
	if real, err := filepath.EvalSymlinks(s.root); err == nil {
		base = real
	}
	_ = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := diag.RelPath(base, p)
		p = filepath.Join(s.root, filepath.FromSlash(rel))
		if p != s.root && watch.Ignored(rel, s.opts.Ignore) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !(project.IsCode(p) || s.needsRestart(rel)) {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			s.mu.Lock()
			s.hashes[p] = sha256.Sum256(b)
			s.known[p] = true
			s.mu.Unlock()
		}
		return nil
	})
}

// knownUnder reports whether dir is gone and a file of the project was known under it (a
// folder moved away, which the watcher names instead of its files). s.mu is held.
func (s *Supervisor) knownUnder(dir string) bool {
	if _, err := os.Lstat(dir); err == nil {
		return false // there: a file that is not code, or a folder its files speak for
	}
	prefix := dir + string(filepath.Separator)
	for k := range s.known {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// deleteGrace is how long a file must stay missing before it counts as deleted: editors that
// save by renaming the old file away and writing a new one leave it missing for a moment.
const deleteGrace = 50 * time.Millisecond

// emptyGrace is how long a file that had content must stay empty before the change counts: a
// save in place (an editor writing over the file, Python's open(p, "w")) truncates it first and
// writes after, and the empty file must not replace working code meanwhile.
const emptyGrace = 150 * time.Millisecond

// maxWriteWait is the longest a change waits for the process writing the file to close it.
const maxWriteWait = 2 * time.Second

// errWriting is a file that a process has open for writing.
var errWriting = errors.New("the file is being written")

// emptySum is the hash of an empty file.
var emptySum = sha256.Sum256(nil)

// deleted forgets file and is its deletion. s.mu is held.
func (s *Supervisor) deleted(file string) ipc.Change {
	delete(s.missing, file)
	delete(s.known, file)
	delete(s.hashes, file)
	return ipc.Change{Action: ipc.ActionUnlink, File: file}
}

// takeBatch turns the touched files into changes: what was added, changed or deleted since the
// last look, by content.
func (s *Supervisor) takeBatch() []ipc.Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	files := slices.Sorted(maps.Keys(s.pending))
	s.pending = map[string]bool{}
	s.batchSince = s.pendingSince
	var out []ipc.Change
	recheck := false
	for _, f := range files {
		b, err := readSettled(f)
		if errors.Is(err, errWriting) {
			// Its writer has not closed it yet: look again shortly (the watcher also reports it
			// again once it is closed), unless it has kept it open for maxWriteWait.
			since, seen := s.writing[f]
			if !seen {
				s.writing[f] = time.Now()
			}
			if !seen || time.Since(since) < maxWriteWait {
				s.pending[f] = true
				recheck = true
				continue
			}
			b, err = os.ReadFile(f)
		}
		delete(s.writing, f)
		if err != nil {
			if !s.known[f] {
				// A folder removed or renamed away (the watcher names the folder, not its files):
				// the files known under it go with it, in this batch (a folder renamed within the
				// project is then one batch: its files under the new name, and under the old one
				// deleted). A file that is somehow there again is looked at as any other.
				prefix := f + string(filepath.Separator)
				for _, k := range slices.Sorted(maps.Keys(s.known)) {
					if !strings.HasPrefix(k, prefix) {
						continue
					}
					if _, err := os.Lstat(k); !errors.Is(err, fs.ErrNotExist) {
						s.pending[k] = true
						recheck = true
						continue
					}
					out = append(out, s.deleted(k))
				}
				continue
			}
			since, seen := s.missing[f]
			if !seen {
				s.missing[f] = time.Now()
			}
			if !seen || time.Since(since) < deleteGrace {
				s.pending[f] = true
				recheck = true
				continue
			}
			out = append(out, s.deleted(f))
			continue
		}
		delete(s.missing, f)
		if len(b) == 0 && s.known[f] && s.hashes[f] != emptySum {
			// Not read again before emptyGrace: what is written next arrives as a new change
			// once its writer has closed the file, and reading it sooner may catch it half
			// written. If nothing comes, the file is looked at again after emptyGrace.
			since, seen := s.emptied[f]
			if !seen {
				now := time.Now()
				s.emptied[f] = now
				time.AfterFunc(emptyGrace, func() {
					s.mu.Lock()
					still := s.emptied[f] == now // no content has been read since
					s.mu.Unlock()
					if still {
						s.Enqueue(f)
					}
				})
				continue
			}
			if time.Since(since) < emptyGrace {
				continue
			}
		}
		delete(s.emptied, f)
		sum := sha256.Sum256(b)
		if s.known[f] && s.hashes[f] == sum {
			continue
		}
		action := ipc.ActionChange
		if !s.known[f] {
			action = ipc.ActionAdd
		}
		s.known[f] = true
		s.hashes[f] = sum
		out = append(out, ipc.Change{Action: action, File: f})
	}
	if recheck {
		time.AfterFunc(deleteGrace, func() {
			select {
			case s.kick <- struct{}{}:
			default:
			}
		})
	}
	return out
}

// Restart restarts the child. ReloadAll reloads every file in place. Stop stops the child (the
// port stays open) and Start starts it again.
func (s *Supervisor) Restart(ctx context.Context) error   { return s.command(ctx, "restart") }
func (s *Supervisor) ReloadAll(ctx context.Context) error { return s.command(ctx, "reload-all") }
func (s *Supervisor) Stop(ctx context.Context) error      { return s.command(ctx, "stop") }
func (s *Supervisor) Start(ctx context.Context) error     { return s.command(ctx, "start") }

func (s *Supervisor) command(ctx context.Context, name string) error {
	c := command{name: name, reply: make(chan error, 1)}
	select {
	case s.cmds <- c:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errors.New("the dev server supervisor has stopped")
	}
	select {
	case err := <-c.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Supervisor) logf(format string, args ...any) {
	s.logLines([]string{fmt.Sprintf(format, args...)})
}

// logLines writes a report's lines to the terminal in one write, then reports each.
func (s *Supervisor) logLines(lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(s.opts.Output, strings.Join(lines, "\n"))
	for _, line := range lines {
		s.emit(Event{Log: line})
	}
}

func (s *Supervisor) emit(e Event) {
	if s.opts.OnEvent != nil {
		s.opts.OnEvent(e)
	}
	s.subs.send(e)
}

func (s *Supervisor) setState(st State, msg string) {
	snap := s.enterState(st, msg)
	s.emit(Event{Status: &snap})
}

// enterState records the state and returns the status it makes, for the caller to send.
func (s *Supervisor) enterState(st State, msg string) Status {
	s.mu.Lock()
	s.notifyLocked()
	s.status.State = st
	s.status.Message = msg
	if st == StateStopped {
		s.status.URL = ""
	} else if s.listener != nil {
		s.status.URL = s.URL()
	}
	snap := s.status
	s.mu.Unlock()
	return snap
}

// notifyLocked wakes whoever waits for the state or the child to change. Called with s.mu held.
func (s *Supervisor) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// setCredentials records the credentials of the child that now serves, and says whether they
// changed (a new jwtSecret).
func (s *Supervisor) setCredentials(c *framework.DevCredentials) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.status.Credentials
	s.status.Credentials = c
	return c != nil && (prev == nil || *prev != *c)
}

func (s *Supervisor) setProblems(ps []diag.Diagnostic) {
	s.mu.Lock()
	s.problems = ps
	n := 0
	for _, p := range ps {
		if p.Severity == diag.Error {
			n++
		}
	}
	s.status.Errors = n
	s.mu.Unlock()
}

// Call runs a command in the child (ipc.CmdEmitEvent, ipc.CmdRunJob, …) and returns its JSON
// result. It does not go through the supervisor's loop, so a long job run does not hold up
// reloads.
//
// While the dev server is starting or restarting, it waits for it (until ctx ends): the port
// may answer before the supervisor has taken the new child in. It returns an error at once
// when none runs (stopped, or down after a failure).
func (s *Supervisor) Call(ctx context.Context, name ipc.Command, args any) (json.RawMessage, error) {
	for {
		c := s.current.Load()
		if c.Alive() {
			return s.rt.Call(ctx, c, name, args)
		}
		s.mu.Lock()
		st, msg, changed := s.status.State, s.status.Message, s.changed
		s.mu.Unlock()
		if st == StateError || st == StateStopped {
			if msg != "" {
				return nil, fmt.Errorf("the dev server is not running: %s", msg)
			}
			return nil, errors.New("the dev server is not running")
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("the dev server did not start in time: %w", ctx.Err())
		}
	}
}

// runtime is how a kind of child is started, reloaded and stopped.
type runtime interface {
	Name() string
	// Describe says what runs the project, for the log.
	Describe() string
	// Serve makes the user's port reach the children; the returned func undoes it.
	Serve(ln net.Listener) (stop func(), err error)
	// Launch starts a child and waits until it serves.
	Launch(ctx context.Context) (*child.Process, ipc.Result, error)
	// Reload applies a batch (or everything); an error means the child is gone or did not
	// answer, and the supervisor restarts it.
	Reload(ctx context.Context, c *child.Process, id int64, batch []ipc.Change, all bool) (ipc.Result, error)
	// Activate makes c the child that serves.
	Activate(c *child.Process)
	// StopAccepting makes c stop taking new requests, and returns once it has.
	StopAccepting(c *child.Process)
	// Call runs a command (emit an event, run a job) in c.
	Call(ctx context.Context, c *child.Process, name ipc.Command, args any) (json.RawMessage, error)
	// ShowDown makes every request get a 503 with reason at once while no child runs after a
	// failure; "" ends it.
	ShowDown(reason string, retryAt time.Time)
	// NodeEnv is the NODE_ENV the project's Medusa runs with, given the project's environment
	// (.env applied): which .env files it reads (project.IsEnvFile).
	NodeEnv(env map[string]string) string
}

// Runtime names.
const (
	RuntimeAuto     = "auto"     // node when the project has @medusajs/medusa installed, else embedded
	RuntimeEmbedded = "embedded" // medusa-ls start: esbuild + goja, no database
	RuntimeNode     = "node"     // the project's own Medusa in Node, driven over Medusa's IPC
)

// UseNodeRuntime reports whether the auto runtime picks node for root: the project has
// installed Medusa itself.
func UseNodeRuntime(root string) bool {
	_, ok := nodemodules.Find(root, "@medusajs/medusa")
	return ok
}
