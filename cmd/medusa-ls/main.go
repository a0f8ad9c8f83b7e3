// Command medusa-ls is a language server, dev server supervisor and dev server for Medusa v2
// backends. This package only parses the command line; the work is in the packages.
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
	"github.com/medusa-ls/medusa-ls/devserver/embedded"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/lsp"
	"github.com/medusa-ls/medusa-ls/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: its help, its flags, and what it does with them.
type command struct {
	name     string
	synopsis string // after "medusa-ls NAME"
	summary  string // one line for the command list
	details  string // paragraphs for NAME --help
	// setup registers the flags on fs and returns what runs once they are parsed, with the
	// positional arguments and what followed "--".
	setup func(fs *flag.FlagSet, io *stdio) func(pos, rest []string) int
}

// stdio is where a command writes.
type stdio struct{ out, err io.Writer }

var commands []*command

func init() {
	commands = []*command{
		{name: "serve", synopsis: "[--stdio]", summary: "language server on stdin/stdout (what editors start)",
			details: "The language server, LSP over stdin/stdout; medusa-ls with no command is the same.\nIt runs a dev server for every Medusa project in the workspace and reloads on didSave.",
			setup:   serveCmd},
		{name: "develop", synopsis: "[DIR] [flags] [-- NODE_OPTIONS...]", summary: "dev server that reloads on file change (like medusa develop)",
			details: "The dev server, reloading what a saved file affects in place.\n" + dirHelp + "\nOptions after -- go to node itself (node runtime), e.g. -- --inspect.",
			setup:   developCmd},
		{name: "start", synopsis: "[DIR] [flags]", summary: "the dev server alone, without reloads",
			details: "The dev server alone, without a watcher: the embedded runtime's server (what develop runs as\nits child), or with Medusa installed the project's own Medusa behind medusa-ls's proxy.\n" + dirHelp,
			setup:   startCmd},
		{name: "check", synopsis: "[DIR] [--json] [--types]", summary: "load every resource once and report problems (exit 1 on errors)",
			details: "Loads every route, middleware, subscriber, job, workflow and module once, without serving,\nand prints each problem as file:line:col: severity: message [code]. Exit 1 on any error.\n" + dirHelp,
			setup:   checkCmd},
		{name: "emit", synopsis: "EVENT [--data JSON] [--dir DIR]", summary: "emit an event in the running dev server of this project",
			details: "Emits EVENT in the dev server (medusa-ls develop, or the editor's) running for the project\naround the current directory, as eventBus.emit would, and prints who received it.",
			setup:   emitCmd},
		{name: "run-job", synopsis: "NAME [--dir DIR]", summary: "run a scheduled job now in the running dev server",
			details: "Runs the scheduled job NAME now in the dev server running for the project around the\ncurrent directory, and waits for it.",
			setup:   runJobCmd},
		{name: "version", synopsis: "", summary: "print the version", setup: versionCmd},
		{name: "help", synopsis: "[COMMAND]", summary: "this text, or a command's flags", setup: helpCmd},
	}
}

const dirHelp = "DIR is the project, or any folder inside it (the nearest folder above with\nmedusa-config.{ts,js,mjs,cjs} is the project); the default is the current directory."

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "medusa-ls %s: save-to-reload and editor diagnostics for Medusa v2 backends\n\nUsage:\n", version.Version)
	for _, c := range commands {
		line := strings.TrimSpace("medusa-ls " + c.name + " " + c.synopsis)
		if len(line) > 38 {
			fmt.Fprintf(w, "  %s\n  %-38s %s\n", line, "", c.summary)
		} else {
			fmt.Fprintf(w, "  %-38s %s\n", line, c.summary)
		}
	}
	fmt.Fprint(w, `
medusa-ls COMMAND --help shows a command's flags and their defaults.
develop, start and check take the project folder, or any folder inside it (default: the current
directory). emit and run-job talk to the dev server running for the project around the current
directory (--dir DIR for another).
`)
}

// commandHelp prints a command's synopsis, description and flags with their defaults.
func commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: %s\n", strings.TrimSpace("medusa-ls "+c.name+" "+c.synopsis))
	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", c.details)
	} else {
		fmt.Fprintf(w, "\n%s.\n", strings.ToUpper(c.summary[:1])+c.summary[1:])
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.setup(fs, &stdio{io.Discard, io.Discard})
	printFlags(w, fs)
}

func run(args []string, stdout, stderr io.Writer) int {
	std := &stdio{stdout, stderr}
	name := "serve"
	if len(args) > 0 {
		switch a := args[0]; {
		case isHelpFlag(a):
			usage(stdout)
			return 0
		case a == "--version" || a == "-version" || a == "-v" || a == "-V":
			return run([]string{"version"}, stdout, stderr)
		case !strings.HasPrefix(a, "-"):
			name, args = a, args[1:]
		}
	}
	c := lookup(name)
	if c == nil {
		return unknownCommand(stderr, name)
	}
	return runCommand(c, args, std)
}

func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "-?" }

func unknownCommand(stderr io.Writer, name string) int {
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, c.name)
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if s := closest(name, names); s != "" {
		return failf(stderr, "%s; did you mean %s?", msg, s)
	} else if st, err := os.Stat(name); err == nil && st.IsDir() {
		msg += fmt.Sprintf("; to serve that folder: medusa-ls develop %s", name)
	} else {
		msg += " (commands: " + strings.Join(names, ", ") + ")"
	}
	return failf(stderr, "%s. See medusa-ls --help.", msg)
}

// runCommand parses a command's flags (before and after its positional arguments; what follows
// "--" is kept apart) and runs it.
func runCommand(c *command, args []string, std *stdio) int {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	runFn := c.setup(fs, std)
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				commandHelp(std.out, c)
				return 0
			}
			return failf(std.err, "%s", flagError(c, fs, err))
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return runFn(pos, rest)
}

// failf prints a one-line error and returns the usage-error status.
func failf(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "medusa-ls: "+format+"\n", args...)
	return 2
}

// failure prints an error from the work itself and returns 1.
func failure(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "medusa-ls: %v\n", err)
	return 1
}

// oneDir returns the single positional DIR (default ".").
func oneDir(cmd string, pos []string) (string, error) {
	switch len(pos) {
	case 0:
		return ".", nil
	case 1:
		return pos[0], nil
	}
	return "", fmt.Errorf("%s: expected one directory, got %s", cmd, strings.Join(pos, " "))
}

// signalContext ends on Ctrl-C, SIGTERM and SIGHUP (a closed terminal).
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

type serverFlags struct {
	port           int
	host           string
	timeout        durationFlag
	requestTimeout durationFlag
}

func (f *serverFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.port, "port", 0, "`N`: the port (default: projectConfig.http.port, then PORT, then 9000)")
	fs.StringVar(&f.host, "host", "127.0.0.1", "`ADDR`: the address to bind")
	f.timeout = durationFlag(embedded.DefaultTaskTimeout)
	f.requestTimeout = durationFlag(embedded.DefaultRequestTimeout)
	fs.Var(&f.timeout, "timeout", "`D`: interrupt project code that runs longer than D without yielding")
	fs.Var(&f.requestTimeout, "request-timeout", "`D`: answer 500 when a handler sends nothing within D")
}

func developCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	var sf serverFlags
	sf.register(fs)
	var ignore listFlag
	var hmr boolFlag
	var poll pollFlag
	fs.Var(&hmr, "hmr", "`true|false`: override the backend_hmr feature flag (default: the project's, else on)")
	fs.Var(&ignore, "ignore", "`PATTERN`: do not watch files matching PATTERN, a name or a glob (repeatable)")
	fs.Var(&poll, "poll", "`[=D]`: scan for changes every D (default 100ms) instead of waiting for file\nevents, for Docker and WSL mounts (also: CHOKIDAR_USEPOLLING=true, CHOKIDAR_INTERVAL=ms)")
	runtime := fs.String("runtime", devserver.RuntimeAuto, "`R`: auto, embedded or node. auto runs the project's own Medusa in Node when\n@medusajs/medusa is installed (here or in a folder above), else the embedded runtime")
	node := fs.String("node", "", "`PATH`: the node binary for the node runtime (default: node on PATH)")
	workers := fs.Int("workers", 0, "`N`: node runtime: run Medusa's production topology, a server and N workers\n(MEDUSA_WORKER_MODE), over the Redis modules medusa-config configures")
	return func(pos, nodeArgs []string) int {
		if poll.set {
			// "--poll 1s": a bool-like flag does not take the next word, so say how to write it.
			for _, p := range pos {
				if _, derr := time.ParseDuration(p); derr == nil {
					if st, serr := os.Stat(p); serr != nil || !st.IsDir() {
						return failf(std.err, "develop: --poll takes its interval after =: --poll=%s", p)
					}
				}
			}
		}
		dir, err := oneDir("develop", pos)
		if err != nil {
			return failf(std.err, "%v", err)
		}
		root, err := findProject(dir, std.err)
		if err != nil {
			return failf(std.err, "%v", err)
		}
		if msg := poll.apply(); msg != "" {
			fmt.Fprintf(os.Stdout, "medusa-ls: %s\n", msg)
		}
		devserver.ExitWithParent()
		ctx, stop := signalContext()
		defer stop()
		sup, err := devserver.New(devserver.Options{
			Root: root, Host: sf.host, Port: sf.port, HMR: hmr.v, Watch: true, Ignore: ignore,
			TaskTimeout: time.Duration(sf.timeout), RequestTimeout: time.Duration(sf.requestTimeout), Output: os.Stdout,
			Runtime: *runtime, Node: *node, NodeArgs: nodeArgs, Workers: *workers,
		})
		if err != nil {
			return failf(std.err, "%v", err)
		}
		if err := sup.Run(ctx); err != nil {
			return failure(std.err, explainListenError(err, root))
		}
		return 0
	}
}

func startCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	var sf serverFlags
	sf.register(fs)
	runtime := fs.String("runtime", devserver.RuntimeAuto, "`R`: auto, embedded or node. auto runs the project's own Medusa in Node when\n@medusajs/medusa is installed (here or in a folder above), else the embedded runtime")
	node := fs.String("node", "", "`PATH`: the node binary for the node runtime (default: node on PATH)")
	return func(pos, rest []string) int {
		dir, err := oneDir("start", append(pos, rest...))
		if err != nil {
			return failf(std.err, "%v", err)
		}
		root, err := findProject(dir, std.err)
		if err != nil {
			return failf(std.err, "%v", err)
		}
		switch *runtime {
		case devserver.RuntimeAuto, devserver.RuntimeEmbedded, devserver.RuntimeNode:
		default:
			return failf(std.err, "--runtime %q: use auto, embedded or node", *runtime)
		}
		if *runtime == devserver.RuntimeNode || (*runtime == devserver.RuntimeAuto && devserver.UseNodeRuntime(root)) {
			// The project's own Medusa, behind the same proxy as develop, without a watcher:
			// what `medusa start` serves, with medusa-ls's restarts and diagnostics.
			devserver.ExitWithParent()
			ctx, stop := signalContext()
			defer stop()
			sup, err := devserver.New(devserver.Options{
				Root: root, Host: sf.host, Port: sf.port, Runtime: devserver.RuntimeNode, Node: *node, NoReload: true,
				TaskTimeout: time.Duration(sf.timeout), RequestTimeout: time.Duration(sf.requestTimeout), Output: std.out,
			})
			if err != nil {
				return failf(std.err, "%v", err)
			}
			if err := sup.Run(ctx); err != nil {
				return failure(std.err, explainListenError(err, root))
			}
			return 0
		}
		err = embedded.RunChild(context.Background(), embedded.ChildOptions{
			Root: root, Host: sf.host, Port: sf.port, TaskTimeout: time.Duration(sf.timeout),
			RequestTimeout: time.Duration(sf.requestTimeout), Output: std.out,
		})
		if err != nil {
			return failure(std.err, explainListenError(err, root))
		}
		return 0
	}
}

func checkCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	asJSON := fs.Bool("json", false, "print the resources and diagnostics as JSON (paths relative to the project)")
	runtime := fs.String("runtime", devserver.RuntimeAuto, "`R`: auto, embedded or node. auto loads the files in Node with the project's own Medusa when\n@medusajs/medusa is installed (here or in a folder above; no database needed), else in the embedded runtime")
	types := fs.Bool("types", false, "also type-check the project with its own TypeScript (tsc --noEmit with its tsconfig.json);\nits errors have codes tsNNNN")
	node := fs.String("node", "", "`PATH`: the node binary for the node runtime and --types (default: node on PATH)")
	timeout := durationFlag(embedded.DefaultTaskTimeout)
	fs.Var(&timeout, "timeout", "`D`: interrupt project code that runs longer than D without yielding")
	return func(pos, rest []string) int {
		dir, err := oneDir("check", append(pos, rest...))
		if err != nil {
			return failf(std.err, "%v", err)
		}
		root, err := findProject(dir, std.err)
		if err != nil {
			return failf(std.err, "%v", err)
		}
		switch *runtime {
		case devserver.RuntimeAuto, devserver.RuntimeEmbedded, devserver.RuntimeNode:
		default:
			return failf(std.err, "--runtime %q: use auto, embedded or node", *runtime)
		}
		report, err := devserver.CheckProject(context.Background(), root, devserver.CheckOptions{
			Runtime: *runtime, Timeout: time.Duration(timeout), Types: *types, Node: *node,
		})
		if err != nil {
			// Nothing was checked (no TypeScript for --types, no node): 2, not the 1 of
			// "problems found", so that CI tells a setup mistake from a broken project.
			fmt.Fprintf(std.err, "medusa-ls: %v\n", err)
			return 2
		}
		if *asJSON {
			enc := json.NewEncoder(std.out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(report); err != nil {
				return failure(std.err, err)
			}
		} else {
			// Paths as seen from the current directory, so that a terminal can open them.
			wd, _ := os.Getwd()
			for _, d := range report.Diagnostics {
				file := d.File
				if wd != "" && wd != root {
					if rel, err := filepath.Rel(wd, filepath.Join(root, filepath.FromSlash(d.File))); err == nil {
						file = filepath.ToSlash(rel)
					}
				}
				fmt.Fprintf(std.out, "%s:%d:%d: %s: %s [%s]\n", file, max(d.Line, 1), max(d.Column, 1), d.Severity, d.Message, d.Code)
			}
			fmt.Fprintln(std.out, report.Summary())
		}
		if report.Errors() > 0 {
			return 1
		}
		return 0
	}
}

func serveCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	fs.Bool("stdio", true, "use stdin/stdout, the only transport (accepted because LSP clients add it)")
	fs.Int("clientProcessId", 0, "`PID`: the editor's process, which some LSP clients pass (ignored: medusa-ls\nexits when its parent does and when stdin closes)")
	return func(pos, rest []string) int {
		if len(pos)+len(rest) > 0 {
			return failf(std.err, "serve takes no arguments, got %s. See medusa-ls --help.", strings.Join(append(pos, rest...), " "))
		}
		devserver.ExitWithParent()
		ctx, stop := signalContext()
		defer stop()
		logger := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelInfo}))
		return lsp.Serve(ctx, os.Stdin, os.Stdout, os.Stdin, lsp.Options{Logger: logger, Output: std.err})
	}
}

func emitCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	data := fs.String("data", "{}", "`JSON`: the event's data")
	dir := fs.String("dir", ".", "`DIR`: the project, or a folder inside it")
	return func(pos, rest []string) int {
		pos = append(pos, rest...)
		if len(pos) == 0 {
			return failf(std.err, "emit: which event? medusa-ls emit EVENT [--data JSON]")
		}
		if len(pos) > 1 {
			return failf(std.err, "emit: one event at a time, got %s (quote --data's JSON)", strings.Join(pos, " "))
		}
		event := pos[0]
		if !json.Valid([]byte(*data)) {
			return failf(std.err, "emit: --data is not valid JSON: %s", *data)
		}
		root, err := findProject(*dir, io.Discard)
		if err != nil {
			return failf(std.err, "%v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := devserver.Control(ctx, root, string(ipc.CmdEmitEvent), ipc.EmitArgs{Name: event, Data: json.RawMessage(*data)})
		if err != nil {
			return failure(std.err, err)
		}
		var res ipc.EmitResult
		_ = json.Unmarshal(out, &res)
		return reportEmit(std, res)
	}
}

func runJobCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	dir := fs.String("dir", ".", "`DIR`: the project, or a folder inside it")
	return func(pos, rest []string) int {
		pos = append(pos, rest...)
		if len(pos) != 1 {
			return failf(std.err, "run-job: which job? medusa-ls run-job NAME")
		}
		root, err := findProject(*dir, io.Discard)
		if err != nil {
			return failf(std.err, "%v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		out, err := devserver.Control(ctx, root, string(ipc.CmdRunJob), ipc.RunJobArgs{Name: pos[0]})
		if err != nil {
			return failure(std.err, err)
		}
		var res ipc.RunJobResult
		_ = json.Unmarshal(out, &res)
		fmt.Fprintf(std.out, "ran job %s in %.1f ms\n", res.Name, res.DurationMs)
		return 0
	}
}

func versionCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	return func(pos, rest []string) int {
		if len(pos)+len(rest) > 0 {
			return failf(std.err, "version takes no arguments")
		}
		fmt.Fprintf(std.out, "medusa-ls %s\n", version.Version)
		return 0
	}
}

func helpCmd(fs *flag.FlagSet, std *stdio) func(pos, rest []string) int {
	return func(pos, rest []string) int {
		switch len(pos) {
		case 0:
			usage(std.out)
			return 0
		case 1:
			if c := lookup(pos[0]); c != nil {
				commandHelp(std.out, c)
				return 0
			}
			return unknownCommand(std.err, pos[0])
		}
		return failf(std.err, "help: one command at a time")
	}
}

// findProject walks up from dir to the first folder with a medusa-config file. When that is
// not dir itself, it says which project it found on note.
func findProject(dir string, note io.Writer) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if hasConfig(d) {
			if d != abs {
				fmt.Fprintf(note, "medusa-ls: project %s\n", d)
			}
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not a Medusa project, nor inside one (no medusa-config.ts, .js, .mjs or .cjs there or above)", dir)
		}
	}
}

// reportEmit prints who received an event and, when the runtime tells, how each subscriber
// did; a failed subscriber makes the exit status 1.
func reportEmit(std *stdio, res ipc.EmitResult) int {
	switch {
	case len(res.Subscribers) == 0:
		fmt.Fprintf(std.out, "emitted %s; no subscriber listens to it\n", res.Name)
		return 0
	case len(res.Outcomes) == 0:
		fmt.Fprintf(std.out, "emitted %s to %s\n", res.Name, strings.Join(res.Subscribers, ", "))
		return 0
	}
	fmt.Fprintf(std.out, "emitted %s to %s\n", res.Name, strings.Join(res.Subscribers, ", "))
	for _, o := range res.Outcomes {
		at := ""
		if o.Source != "" {
			at = " (" + o.Source + ")"
		}
		if o.Process != "" {
			at += " in " + o.Process
		}
		if o.Error != "" {
			fmt.Fprintf(std.out, "  failed  %s%s: %s\n", o.ID, at, o.Error)
		} else {
			fmt.Fprintf(std.out, "  ok      %s%s\n", o.ID, at)
		}
	}
	if n := res.Failed(); n > 0 {
		fmt.Fprintf(std.err, "emit: %d of %d subscribers of %s failed\n", n, len(res.Outcomes), res.Name)
		return 1
	}
	return 0
}
