package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// ChildOptions configure the child dev server.
type ChildOptions struct {
	Root           string
	Host           string // used when no listener is inherited
	Port           int    // used when no listener is inherited; 0 = from the project
	TaskTimeout    time.Duration
	RequestTimeout time.Duration
	Output         io.Writer // console and log output
	CacheDir       string    // transform cache; "" = the user cache directory
	NoCache        bool      // do not cache transforms on disk
}

// Defaults for timeouts.
const (
	DefaultTaskTimeout    = 5 * time.Second
	DefaultRequestTimeout = 60 * time.Second
)

// WithDefaultTimeouts fills the timeouts the supervisor and the child share.
func WithDefaultTimeouts(task, request *time.Duration) {
	if *task == 0 {
		*task = DefaultTaskTimeout
	}
	if *request == 0 {
		*request = DefaultRequestTimeout
	}
}

// RunChild loads the project and serves it until ctx ends, the parent asks it to stop, or the
// parent goes away.
func RunChild(ctx context.Context, opts ChildOptions) error {
	if opts.Output == nil {
		opts.Output = os.Stdout
	}
	WithDefaultTimeouts(&opts.TaskTimeout, &opts.RequestTimeout)
	// A reload allocates in bursts (esbuild's output, goja's compile, the next generation), and
	// at Go's default GOGC=100 the collector often runs in the middle of one. GOGC=200 for every
	// process took the 1,000-route save → new body from 4.1 to 3.4 ms p50 and from 12.7 to
	// 9.2 ms p99 (medians of 6 bench runs in turns) and its cold start from 1.7–2.3 to
	// 1.5–1.9 s, for 5–8 MB more (README). The user's GOGC wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	nc, err := child.InheritedIPC()
	if err != nil {
		return fmt.Errorf("ipc channel: %w", err)
	}
	var conn *ipc.Conn
	if nc != nil {
		conn = ipc.NewConn(nc)
	}
	supervised := conn != nil

	env, err := project.Environment(opts.Root, dotenv.Environ(os.Environ()))
	if err != nil {
		fmt.Fprintf(opts.Output, "warn:    %v\n", err)
	}
	logger := NewLogger(opts.Output)
	cacheDir := opts.CacheDir
	if cacheDir == "" && !opts.NoCache {
		cacheDir = jsvm.DefaultCacheDir()
	}
	app, err := New(Options{
		Root: opts.Root, Env: env, TaskTimeout: opts.TaskTimeout, RequestTimeout: opts.RequestTimeout,
		Logger: logger, Output: opts.Output, CacheDir: cacheDir, Trace: os.Getenv("MEDUSA_LS_TRACE") == "1",
		OnRuntimeError: func(e reloaders.RuntimeError) {
			if conn != nil {
				_ = conn.Send(ipc.RuntimeErrorMessage(e))
			}
		},
	})
	if err != nil {
		return err
	}
	defer app.Close()

	loaded := app.Load(ctx)
	scavenge := newScavenger(2 * time.Second)
	defer scavenge.stop()
	scavenge.poke()
	ln, err := child.InheritedListener()
	if err != nil {
		return fmt.Errorf("inherited listener: %w", err)
	}
	if ln == nil {
		port := opts.Port
		if port == 0 {
			port = project.Port(env, app.Config())
		}
		hostName := opts.Host
		if hostName == "" {
			hostName = "127.0.0.1"
		}
		ln, err = net.Listen("tcp", net.JoinHostPort(hostName, fmt.Sprint(port)))
		if err != nil {
			return fmt.Errorf("listening on %s:%d: %w", hostName, port, err)
		}
	}
	url := "http://" + ln.Addr().String()
	srv := newDrainingServer(&http.Server{Handler: app.Handler(), ReadHeaderTimeout: 30 * time.Second, ErrorLog: report.SlogToLog(logger)})
	served := srv.serve(ln)

	if !supervised {
		for _, line := range report.Load(opts.Root, loaded, url, 0) {
			fmt.Fprintln(opts.Output, line)
		}
		select {
		case <-ctx.Done():
		case <-served:
			return srv.err
		}
		shutdown(srv)
		return nil
	}
	if err := conn.Send(ipc.ReadyMessage(os.Getpid(), url, loaded)); err != nil {
		return fmt.Errorf("sending ready: %w", err)
	}
	msgs := make(chan ipc.Envelope)
	gone := make(chan error, 1)
	go func() {
		for {
			m, err := conn.Receive()
			var de *ipc.DecodeError
			if errors.As(err, &de) {
				fmt.Fprintf(opts.Output, "warn:    %v\n", err)
				continue
			}
			if err != nil {
				gone <- err
				return
			}
			msgs <- m
		}
	}()
	var work sync.WaitGroup
	defer work.Wait()
	for {
		select {
		case <-ctx.Done():
			shutdown(srv)
			return nil
		case <-served:
			return srv.err
		case <-gone:
			// The supervisor went away: nothing may outlive it.
			shutdown(srv)
			return nil
		case m := <-msgs:
			switch m.Type {
			case ipc.TypeReload:
				res := app.Reload(ctx, m.ReloadChanges())
				_ = conn.Send(ipc.ResultMessage(m.ID, res))
				scavenge.poke()
			case ipc.TypeReloadAll:
				res := app.ReloadAll(ctx)
				_ = conn.Send(ipc.ResultMessage(m.ID, res))
				scavenge.poke()
			case ipc.TypeShutdown:
				// Stop taking requests first and say so, so that the supervisor knows every new
				// request goes to the child that replaces this one; then finish what is in flight.
				srv.stopAccepting(4 * time.Second)
				_ = conn.Send(ipc.Envelope{Type: ipc.TypeDraining})
				shutdown(srv)
				return nil
			case ipc.TypeCommand:
				// Commands may wait on JavaScript (a job run); they must not hold up reloads.
				work.Add(1)
				go func(m ipc.Envelope) {
					defer work.Done()
					reply := ipc.Envelope{Type: ipc.TypeCommandDone, ID: m.ID}
					data, err := app.Command(ctx, m.Name, m.Args)
					if err != nil {
						reply.Error = err.Error()
					} else {
						reply.Data = data
					}
					_ = conn.Send(reply)
				}(m)
			}
		}
	}
}

// scavenger returns freed memory to the operating system once the server has been quiet for a
// while after a load or a burst of reloads: a dev server lives for hours, and its resident size
// should follow its live heap, not the peak of its last reload.
type scavenger struct {
	idle  time.Duration
	mu    sync.Mutex
	timer *time.Timer
}

func newScavenger(idle time.Duration) *scavenger { return &scavenger{idle: idle} }

func (s *scavenger) poke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer == nil {
		s.timer = time.AfterFunc(s.idle, debug.FreeOSMemory)
		return
	}
	s.timer.Reset(s.idle)
}

func (s *scavenger) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
}

// shutdown stops accepting and finishes every request the server accepted (answered with
// "Connection: close"); keep-alive connections are closed between requests. Whatever is left
// after 9 s is closed, before the supervisor's 10 s patience runs out.
func shutdown(srv *drainingServer) {
	srv.drain(9 * time.Second)
}
