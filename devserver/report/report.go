// Package report formats what the terminal shows of loads, reloads and their problems, for
// the supervisor (medusa-ls develop), the child started alone (medusa-ls start) and the node
// runtime.
package report

import (
	"fmt"
	"log"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// The terminal log speaks like Medusa's develop command: a source prefix, [HMR] when reloading
// in place and [Watcher] when every change restarts.
const (
	PrefixHMR     = "[HMR]"
	PrefixWatcher = "[Watcher]"
)

// FormatLoad renders the first load of a child.
func Load(root string, r ipc.Result, url string, totalMs float64) []string {
	counts := map[string]int{}
	for _, res := range r.Resources {
		counts[res.Kind]++
	}
	ms := r.DurationMs
	if totalMs > 0 {
		ms = totalMs
	}
	summary := fmt.Sprintf("%d %s", counts["route"], Plural("route", counts["route"]))
	for _, k := range []string{"subscriber", "job", "workflow", "module"} {
		if n := counts[k]; n > 0 {
			summary += fmt.Sprintf(", %d %s", n, Plural(k, n))
		}
	}
	if n := CountErrors(r.Problems); n > 0 {
		summary += fmt.Sprintf("; %d %s", n, Plural("error", n))
	}
	lines := []string{fmt.Sprintf("%s ready on %s in %s (%s)", PrefixHMR, url, FormatMs(ms), summary)}
	lines = append(lines, Credentials(r.Credentials)...)
	return append(lines, Problems(root, r.Problems, true)...)
}

// FormatCredentials renders the development credentials as curl options; none for nil.
func Credentials(c *framework.DevCredentials) []string {
	if c == nil {
		return nil
	}
	return []string{
		PrefixHMR + " development credentials (as Medusa, /store routes need a publishable key and /admin routes a login):",
		PrefixHMR + "   /store:        -H 'x-publishable-api-key: " + c.PublishableKey + "'",
		PrefixHMR + "   /admin:        -H 'authorization: Bearer " + c.AdminToken + "'",
		PrefixHMR + "   as a customer: -H 'authorization: Bearer " + c.CustomerToken + "'",
	}
}

// FormatReload renders a reload result, e.g.
// "[HMR] reloaded src/api/store/hello/route.ts (route GET /store/hello) in 1.8 ms".
func Reload(prefix, root string, r ipc.Result) []string {
	files := relList(root, r.Files)
	switch {
	case !r.Success:
		// The node runtime applies what loads of a batch: say which files failed, and what the
		// others reloaded.
		var failed, done []string
		for _, f := range r.Files {
			if slices.ContainsFunc(r.Errors, func(d diag.Diagnostic) bool { return d.File == f }) {
				failed = append(failed, f)
			} else {
				done = append(done, f)
			}
		}
		if len(failed) == 0 || len(done) == 0 || len(r.Reloaded)+len(r.Removed) == 0 {
			lines := []string{fmt.Sprintf("%s reload of %s failed in %s; still serving the previous code", prefix, files, FormatMs(r.DurationMs))}
			return append(lines, Problems(root, r.Errors, true)...)
		}
		its := "its"
		if len(failed) > 1 {
			its = "their"
		}
		lines := []string{fmt.Sprintf("%s reload of %s failed in %s; still serving %s previous code", prefix, relList(root, failed), FormatMs(r.DurationMs), its)}
		lines = append(lines, Problems(root, r.Errors, true)...)
		line := fmt.Sprintf("%s reloaded %s", prefix, relList(root, done))
		if what := reloadedAndRemoved(r); what != "" {
			line += " (" + what + ")"
		}
		return append(lines, line)
	case r.Restart:
		return nil // the restart says why, and whether it worked; nothing was "reloaded"
	case !r.Applied:
		if r.Note != "" {
			return []string{fmt.Sprintf("%s %s", prefix, r.Note)}
		}
		return []string{fmt.Sprintf("%s %s changed; nothing to reload", prefix, files)}
	}
	what := reloadedAndRemoved(r)
	line := fmt.Sprintf("%s reloaded %s", prefix, files)
	if what != "" {
		line += " (" + what + ")"
	}
	line += " in " + FormatMs(r.DurationMs)
	lines := []string{line}
	// Warnings of the files just loaded.
	var warns []diag.Diagnostic
	for _, p := range r.Problems {
		if p.Severity == diag.Warning && slices.Contains(r.Files, p.File) {
			warns = append(warns, p)
		}
	}
	return append(lines, Problems(root, warns, false)...)
}

// reloadedAndRemoved names what a reload replaced and took away.
func reloadedAndRemoved(r ipc.Result) string {
	what := describeResources(r.Reloaded)
	if len(r.Removed) > 0 {
		if what != "" {
			what += "; "
		}
		what += "removed " + describeResources(r.Removed)
	}
	return what
}

func describeResources(rs []reloaders.Resource) string {
	if len(rs) == 0 {
		return ""
	}
	byKind := map[string][]string{}
	var kinds []string
	for _, r := range rs {
		if _, ok := byKind[r.Kind]; !ok {
			kinds = append(kinds, r.Kind)
		}
		byKind[r.Kind] = append(byKind[r.Kind], r.Name)
	}
	var parts []string
	for _, k := range kinds {
		names := byKind[k]
		sort.Strings(names)
		label := k
		if len(names) > 1 {
			label += "s"
		}
		if len(names) > 4 {
			parts = append(parts, fmt.Sprintf("%d %s", len(names), label))
			continue
		}
		parts = append(parts, label+" "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

// Problems formats ds one per line (with code frames when frames is set), file paths
// relative to root.
func Problems(root string, ds []diag.Diagnostic, frames bool) []string {
	var lines []string
	for _, d := range ds {
		lines = append(lines, "  "+d.Format(root))
		if frames && d.Severity == diag.Error {
			if f := diag.CodeFrame(d, nil); f != "" {
				for _, l := range strings.Split(strings.TrimRight(f, "\n"), "\n") {
					lines = append(lines, "    "+l)
				}
			}
		}
	}
	return lines
}

func relList(root string, files []string) string {
	rels := make([]string, 0, len(files))
	for _, f := range files {
		rels = append(rels, diag.RelPath(root, f))
	}
	if len(rels) > 3 {
		return fmt.Sprintf("%s and %d more files", strings.Join(rels[:2], ", "), len(rels)-2)
	}
	return strings.Join(rels, ", ")
}

// FormatMs shows a duration given in milliseconds: "4.2 ms", "125 ms", "12.5 s".
func FormatMs(ms float64) string {
	switch {
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 10000:
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// SlogToLog adapts l for APIs that take a *log.Logger (http.Server.ErrorLog), at warn level.
func SlogToLog(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}

// CountErrors counts the errors among ds.
func CountErrors(ds []diag.Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == diag.Error {
			n++
		}
	}
	return n
}

// Plural is word for n of them ("route", "routes").
func Plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
