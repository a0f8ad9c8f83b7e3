package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	edlib "github.com/hbollon/go-edlib"

	"github.com/medusa-ls/medusa-ls/devserver/watch"
	"github.com/medusa-ls/medusa-ls/project"
)

func hasConfig(dir string) bool {
	_, err := project.FindConfig(dir)
	return err == nil
}

// durationFlag is a time.Duration whose error for a bare number says which unit to add.
type durationFlag time.Duration

func (d *durationFlag) String() string { return fmtDuration(time.Duration(*d)) }
func (d *durationFlag) Set(v string) error {
	p, err := parseDuration(v)
	if err != nil {
		return err
	}
	*d = durationFlag(p)
	return nil
}

// parseDuration is time.ParseDuration with an error that shows the fix: "5" says "use 5s".
func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil {
		if d < 0 {
			return 0, fmt.Errorf("a duration cannot be negative")
		}
		return d, nil
	}
	if n, nerr := strconv.ParseFloat(v, 64); nerr == nil {
		unit := "s"
		if n >= 100 {
			unit = "ms"
		}
		return 0, fmt.Errorf("a duration needs a unit: use %s%s", v, unit)
	}
	return 0, fmt.Errorf("not a duration: use a number and a unit, like 5s, 500ms or 2m")
}

// fmtDuration writes whole seconds as seconds (60s rather than 1m0s).
func fmtDuration(d time.Duration) string {
	if d > 0 && d%time.Second == 0 && d < time.Hour {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// boolFlag is an optional boolean: nil when not given.
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
		return fmt.Errorf("want true or false")
	}
	return nil
}

// pollFlag is --poll (on, at the default interval), --poll=D, or --poll=false.
type pollFlag struct {
	set      bool
	on       bool
	interval time.Duration
}

func (p *pollFlag) IsBoolFlag() bool { return true }
func (p *pollFlag) String() string   { return "" }
func (p *pollFlag) Set(v string) error {
	p.set = true
	switch strings.ToLower(v) {
	case "true", "on", "1", "":
		p.on, p.interval = true, watch.DefaultPollInterval
		return nil
	case "false", "off", "0":
		p.on = false
		return nil
	}
	d, err := parseDuration(v)
	if err != nil {
		return err
	}
	if d < watch.MinPollInterval {
		return fmt.Errorf("the interval must be at least %s", watch.MinPollInterval)
	}
	p.on, p.interval = true, d
	return nil
}

// apply hands the setting to the watcher the way chokidar takes it, through
// CHOKIDAR_USEPOLLING and CHOKIDAR_INTERVAL (the flag wins over the environment), and says
// what the watcher will do.
func (p *pollFlag) apply() string {
	if p.set {
		if !p.on {
			os.Setenv("CHOKIDAR_USEPOLLING", "false")
			return ""
		}
		os.Setenv("CHOKIDAR_USEPOLLING", "true")
		os.Setenv("CHOKIDAR_INTERVAL", strconv.FormatInt(p.interval.Milliseconds(), 10))
		return fmt.Sprintf("polling for file changes every %s (--poll)", fmtDuration(p.interval))
	}
	if d := watch.PollFromEnv(os.LookupEnv); d > 0 {
		return fmt.Sprintf("polling for file changes every %s (CHOKIDAR_USEPOLLING)", fmtDuration(d))
	}
	return ""
}

// printFlags writes a flag set as "  --name VALUE   usage (default X)", sorted by name.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var rows [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		name, use := flag.UnquoteUsage(f)
		use = strings.TrimPrefix(use, name+": ")
		left := "--" + f.Name
		switch {
		case strings.HasPrefix(name, "["):
			left += name
		case name != "" && !isBool(f):
			left += " " + name
		}
		if def := f.DefValue; def != "" && def != "0" && def != "false" && !strings.Contains(use, "(default") {
			if _, ok := f.Value.(*durationFlag); ok || !isBool(f) {
				use += " (default " + def + ")"
			}
		}
		rows = append(rows, [2]string{left, use})
	})
	if len(rows) == 0 {
		return
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	fmt.Fprintln(w, "\nFlags:")
	for _, r := range rows {
		lines := strings.Split(r[1], "\n")
		if len(r[0]) > 22 {
			fmt.Fprintf(w, "  %s\n  %-22s %s\n", r[0], "", lines[0])
		} else {
			fmt.Fprintf(w, "  %-22s %s\n", r[0], lines[0])
		}
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "  %-22s %s\n", "", l)
		}
	}
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

var (
	reUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reNeedsArg  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	reInvalid   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*): (.*)$`)
)

// flagError turns the flag package's errors into one line that says what to do.
func flagError(c *command, fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		return unknownFlag(c, fs, m[1])
	}
	if m := reNeedsArg.FindStringSubmatch(msg); m != nil {
		name, _ := flag.UnquoteUsage(fs.Lookup(m[1]))
		return fmt.Sprintf("%s: --%s needs a value: --%s %s. See medusa-ls %s --help.", c.name, m[1], m[1], name, c.name)
	}
	if m := reInvalid.FindStringSubmatch(msg); m != nil {
		why := m[3]
		f := fs.Lookup(m[2])
		if strings.HasSuffix(why, "parse error") || strings.HasSuffix(why, "invalid syntax") || strings.HasSuffix(why, "value out of range") {
			why = "want a number"
			if f != nil && isBool(f) {
				why = "want true or false"
			}
		}
		sep := " "
		if f != nil && isBool(f) {
			sep = "="
		}
		return fmt.Sprintf("%s: --%s%s%s: %s", c.name, m[2], sep, m[1], why)
	}
	return fmt.Sprintf("%s: %s. See medusa-ls %s --help.", c.name, msg, c.name)
}

func unknownFlag(c *command, fs *flag.FlagSet, name string) string {
	bare, _, _ := strings.Cut(name, "=")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	names = append(names, "help")
	if c.name == "serve" {
		names = append(names, "version")
	}
	msg := fmt.Sprintf("%s: unknown flag --%s", c.name, bare)
	if c.name == "serve" {
		msg = fmt.Sprintf("unknown flag --%s", bare)
	}
	if s := closest(bare, names); s != "" {
		return msg + fmt.Sprintf("; did you mean --%s?", s)
	}
	// A flag of another command: say which.
	var owners []string
	for _, o := range commands {
		ofs := flag.NewFlagSet(o.name, flag.ContinueOnError)
		o.setup(ofs, &stdio{io.Discard, io.Discard})
		if ofs.Lookup(bare) != nil {
			owners = append(owners, o.name)
		}
	}
	if len(owners) > 0 {
		return msg + fmt.Sprintf(" (--%s is a flag of %s)", bare, strings.Join(owners, " and "))
	}
	if c.name == "serve" {
		return msg + ". See medusa-ls --help."
	}
	return msg + fmt.Sprintf(". See medusa-ls %s --help.", c.name)
}

// closest returns the candidate nearest to s by edit distance (a swap of two neighbours counts
// as one edit), or "" when none is near enough to be what was meant.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := edlib.OSADamerauLevenshteinDistance(strings.ToLower(s), c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(s) <= 3 {
		limit = 1
	}
	if bestD <= limit && bestD < len(best) {
		return best
	}
	// A prefix is a match too: --req for --request-timeout.
	for _, c := range candidates {
		if len(s) >= 3 && strings.HasPrefix(c, strings.ToLower(s)) {
			return c
		}
	}
	return ""
}
