// Command medusa-ls is a language server, dev server supervisor and dev server for Medusa v2
// backends. This file only parses the command line; the work is in the packages.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/host"
	"github.com/medusa-ls/medusa-ls/lsp"
	"github.com/medusa-ls/medusa-ls/project"
	"github.com/medusa-ls/medusa-ls/version"
)

const usage = `medusa-ls: save-to-reload and editor diagnostics for Medusa v2 backends

Usage:
  medusa-ls [serve] [--stdio]          language server on stdin/stdout (what editors start)
  medusa-ls develop [DIR] [flags] [-- NODE_OPTIONS...]
                                       dev server that reloads on file change (like medusa develop)
  medusa-ls start [DIR] [flags]        the dev server alone, without reloads
  medusa-ls check [DIR] [--json]       load every resource once and report problems (exit 1 on errors)
  medusa-ls emit EVENT [--data JSON]   emit an event in the running dev server of this project
  medusa-ls run-job NAME               run a scheduled job now in the running dev server
  medusa-ls version                    print the version
  medusa-ls help                       this text

Flags for develop and start:
  --port N              port (default: projectConfig.http.port, then PORT, then 9000)
  --host H              address to bind (default 127.0.0.1)
  --timeout D           interrupt code that runs longer than D without yielding (default 5s)
  --request-timeout D   answer 500 when a handler sends nothing within D (default 60s)
Flags for develop:
  --hmr true|false      override the backend_hmr feature flag (default: the project's, else on)
  --ignore PATTERN      do not watch files matching PATTERN (repeatable)
  --runtime R           auto (default), embedded or node. auto runs the project's own Medusa in
                        Node when node_modules/@medusajs/medusa exists, else the embedded runtime
  --node PATH           the node binary for the node runtime (default: node on PATH)
  Options after -- go to node itself (node runtime), e.g. -- --inspect

DIR defaults to the current directory and must contain medusa-config.{ts,js,mjs,cjs}. emit and
run-job find the project from the current directory (or --dir DIR) and talk to the medusa-ls
develop, or the editor's dev server, running for it.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "medusa-ls %s\n", version.Version)
		return 0
	case "serve":
		return serve(args, stderr)
	case "develop":
		return develop(args, stderr)
	case "start":
		return start(args, stdout, stderr)
	case "check":
		return check(args, stdout, stderr)
	case "emit":
		return emit(args, stdout, stderr)
	case "run-job":
		return runJob(args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "medusa-ls: unknown command %q (see medusa-ls help)\n", cmd)
		return 2
	}
}

// failf prints a one-line error and returns the usage-error status.
func failf(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "medusa-ls: "+format+"\n", args...)
	return 2
}

// parse parses flags that may come before or after the one positional DIR.
func parse(fs *flag.FlagSet, args []string) (dir string, err error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) > 1 {
		return "", fmt.Errorf("expected one directory, got %s", strings.Join(positional, " "))
	}
	dir = "."
	if len(positional) == 1 {
		dir = positional[0]
	}
	return dir, nil
}

// projectDir checks that dir is a Medusa project and returns its absolute path.
func projectDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	if _, err := project.FindConfig(abs); err != nil {
		return "", fmt.Errorf("%s is not a Medusa project (no medusa-config.ts, .js, .mjs or .cjs)", dir)
	}
	return abs, nil
}

type serverFlags struct {
	port           int
	host           string
	timeout        time.Duration
	requestTimeout time.Duration
}

func (f *serverFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.port, "port", 0, "")
	fs.StringVar(&f.host, "host", "127.0.0.1", "")
	fs.DurationVar(&f.timeout, "timeout", devserver.DefaultTaskTimeout, "")
	fs.DurationVar(&f.requestTimeout, "request-timeout", devserver.DefaultRequestTimeout, "")
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type boolFlag struct{ v *bool }

func (b *boolFlag) String() string { return "" }
func (b *boolFlag) Set(v string) error {
	switch strings.ToLower(v) {
	case "true", "on", "1":
		t := true
		b.v = &t
	case "false", "off", "0":
		f := false
		b.v = &f
	default:
		return fmt.Errorf("want true or false, got %q", v)
	}
	return nil
}

func develop(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("develop", flag.ContinueOnError)
	var sf serverFlags
	sf.register(fs)
	var ignore listFlag
	var hmr boolFlag
	fs.Var(&ignore, "ignore", "")
	fs.Var(&hmr, "hmr", "")
	runtime := fs.String("runtime", devserver.RuntimeAuto, "")
	node := fs.String("node", "", "")
	var nodeArgs []string
	for i, a := range args {
		if a == "--" {
			args, nodeArgs = args[:i], args[i+1:]
			break
		}
	}
	dir, err := parse(fs, args)
	if err != nil {
		return failf(stderr, "develop: %v", err)
	}
	root, err := projectDir(dir)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	devserver.ExitWithParent()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	sup, err := devserver.New(devserver.Options{
		Root: root, Host: sf.host, Port: sf.port, HMR: hmr.v, Watch: true, Ignore: ignore,
		TaskTimeout: sf.timeout, RequestTimeout: sf.requestTimeout, Output: os.Stdout,
		Runtime: *runtime, Node: *node, NodeArgs: nodeArgs,
	})
	if err != nil {
		return failf(stderr, "%v", err)
	}
	if err := sup.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
		return 1
	}
	return 0
}

func start(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	var sf serverFlags
	sf.register(fs)
	dir, err := parse(fs, args)
	if err != nil {
		return failf(stderr, "start: %v", err)
	}
	root, err := projectDir(dir)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	err = devserver.RunChild(context.Background(), devserver.ChildOptions{
		Root: root, Host: sf.host, Port: sf.port, TaskTimeout: sf.timeout, RequestTimeout: sf.requestTimeout, Output: stdout,
	})
	if err != nil {
		fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
		return 1
	}
	return 0
}

func check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	timeout := fs.Duration("timeout", devserver.DefaultTaskTimeout, "")
	dir, err := parse(fs, args)
	if err != nil {
		return failf(stderr, "check: %v", err)
	}
	root, err := projectDir(dir)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	report, err := devserver.Check(context.Background(), root, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
			return 1
		}
	} else {
		for _, d := range report.Diagnostics {
			fmt.Fprintf(stdout, "%s:%d:%d: %s: %s [%s]\n", d.File, max(d.Line, 1), max(d.Column, 1), d.Severity, d.Message, d.Code)
		}
		fmt.Fprintf(stdout, "%d resources, %d errors, %d warnings\n", len(report.Resources), report.Errors(), len(report.Diagnostics)-report.Errors())
	}
	if report.Errors() > 0 {
		return 1
	}
	return 0
}

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Bool("stdio", true, "") // what vscode-languageclient appends; stdio is the only transport
	if _, err := parse(fs, args); err != nil {
		return failf(stderr, "serve: %v", err)
	}
	devserver.ExitWithParent()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return lsp.Serve(ctx, os.Stdin, os.Stdout, os.Stdin, lsp.Options{Logger: logger, Output: stderr})
}

// findProject walks up from dir to the first folder with a medusa-config file.
func findProject(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := project.FindConfig(d); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a Medusa project (no medusa-config.ts, .js, .mjs or .cjs)", dir)
		}
	}
}

func emit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emit", flag.ContinueOnError)
	data := fs.String("data", "{}", "")
	dir := fs.String("dir", ".", "")
	event, err := parse(fs, args)
	if err != nil {
		return failf(stderr, "emit: %v", err)
	}
	if event == "." || event == "" {
		return failf(stderr, "emit: which event? medusa-ls emit EVENT [--data JSON]")
	}
	if !json.Valid([]byte(*data)) {
		return failf(stderr, "emit: --data is not valid JSON: %s", *data)
	}
	root, err := findProject(*dir)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := devserver.Control(ctx, root, host.CmdEmitEvent, host.EmitArgs{Name: event, Data: json.RawMessage(*data)})
	if err != nil {
		fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
		return 1
	}
	var res host.EmitResult
	_ = json.Unmarshal(out, &res)
	if len(res.Subscribers) == 0 {
		fmt.Fprintf(stdout, "emitted %s; no subscriber listens to it\n", res.Name)
	} else {
		fmt.Fprintf(stdout, "emitted %s to %s\n", res.Name, strings.Join(res.Subscribers, ", "))
	}
	return 0
}

func runJob(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run-job", flag.ContinueOnError)
	dir := fs.String("dir", ".", "")
	name, err := parse(fs, args)
	if err != nil {
		return failf(stderr, "run-job: %v", err)
	}
	if name == "." || name == "" {
		return failf(stderr, "run-job: which job? medusa-ls run-job NAME")
	}
	root, err := findProject(*dir)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := devserver.Control(ctx, root, host.CmdRunJob, host.RunJobArgs{Name: name})
	if err != nil {
		fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
		return 1
	}
	var res host.RunJobResult
	_ = json.Unmarshal(out, &res)
	fmt.Fprintf(stdout, "ran job %s in %.1f ms\n", res.Name, res.DurationMs)
	return 0
}
