package lsp

import (
	"regexp"
	"strings"

	"github.com/medusa-ls/medusa-ls/project/scan"
)

// Static views of resource files for lenses and symbols: they read the source, so they work
// whether or not the dev server runs.

var (
	eventStringRe    = regexp.MustCompile("\\bevent[ \\t]*:[ \\t]*[\"'`]([^\"'`]+)[\"'`]")
	eventListRe      = regexp.MustCompile(`\bevent[ \t]*:[ \t]*\[([^\]]*)\]`)
	quotedRe         = regexp.MustCompile("[\"'`]([^\"'`]+)[\"'`]")
	jobNameRe        = regexp.MustCompile("\\bname[ \\t]*:[ \\t]*[\"'`]([^\"'`]+)[\"'`]")
	jobScheduleRe    = regexp.MustCompile("\\b(?:schedule|cron)[ \\t]*:[ \\t]*[\"'`]([^\"'`]+)[\"'`]")
	createWorkflowRe = regexp.MustCompile("createWorkflow\\(\\s*(?:\\{[^}]*?name\\s*:\\s*)?[\"'`]([^\"'`]+)[\"'`]")
	createStepRe     = regexp.MustCompile("createStep\\(\\s*(?:\\{[^}]*?name\\s*:\\s*)?[\"'`]([^\"'`]+)[\"'`]")
)

// named finds the names re captures in src, with their lines.
func named(src []byte, re *regexp.Regexp) []struct {
	name string
	line int
} {
	var out []struct {
		name string
		line int
	}
	for _, m := range re.FindAllSubmatchIndex(src, -1) {
		out = append(out, struct {
			name string
			line int
		}{string(src[m[2]:m[3]]), 1 + strings.Count(string(src[:m[0]]), "\n")})
	}
	return out
}

type subscriberView struct {
	events []string
	line   int
}

type jobView struct {
	name, schedule string
	line           int
}

func subscriberOf(src []byte) subscriberView {
	v := subscriberView{line: defaultExportLine(src)}
	if m := eventListRe.FindSubmatch(src); m != nil {
		for _, q := range quotedRe.FindAllSubmatch(m[1], -1) {
			v.events = append(v.events, string(q[1]))
		}
	} else if m := eventStringRe.FindSubmatch(src); m != nil {
		v.events = []string{string(m[1])}
	}
	return v
}

func jobOf(src []byte) jobView {
	v := jobView{line: defaultExportLine(src)}
	if m := jobNameRe.FindSubmatch(src); m != nil {
		v.name = string(m[1])
	}
	if m := jobScheduleRe.FindSubmatch(src); m != nil {
		v.schedule = string(m[1])
	}
	return v
}

// defaultExportLine is the line of src's default export, or 1 when it has none.
func defaultExportLine(src []byte) int { return max(scan.ExportsOf(src).Line("default"), 1) }

// walkResources calls fn for every route, subscriber, job and workflow file of the project.
func walkResources(root string, fn func(f scan.File, src []byte)) {
	for _, f := range scan.Project(root) {
		switch f.Kind {
		case scan.Route, scan.Subscriber, scan.Job, scan.Workflow:
			if src, err := f.Read(); err == nil {
				fn(f, src)
			}
		}
	}
}
