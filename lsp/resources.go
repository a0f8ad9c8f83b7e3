package lsp

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// Static views of resource files for lenses and symbols: they read the source, so they work
// whether or not the dev server runs.

var (
	defaultExportRe  = regexp.MustCompile(`(?m)^[ \t]*export[ \t]+default\b`)
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
	v := subscriberView{line: lineOfRe(src, defaultExportRe)}
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
	v := jobView{line: lineOfRe(src, defaultExportRe)}
	if m := jobNameRe.FindSubmatch(src); m != nil {
		v.name = string(m[1])
	}
	if m := jobScheduleRe.FindSubmatch(src); m != nil {
		v.schedule = string(m[1])
	}
	return v
}

func lineOfRe(src []byte, re *regexp.Regexp) int {
	if loc := re.FindIndex(src); loc != nil {
		return 1 + strings.Count(string(src[:loc[0]]), "\n")
	}
	return 1
}

// kindOf says which resource kind a project file is, by Medusa's conventions.
func kindOf(root, path string) string {
	rel := diag.RelPath(root, path)
	switch {
	case (&reloaders.Routes{}).Owns(rel) && !reloaders.IsMiddlewaresFile(rel):
		return "route"
	case (&reloaders.Subscribers{}).Owns(rel):
		return "subscriber"
	case (&reloaders.Jobs{}).Owns(rel):
		return "job"
	case (&reloaders.Workflows{}).Owns(rel):
		return "workflow"
	}
	return ""
}

// walkResources calls fn for every resource file of the project.
func walkResources(root string, fn func(path, kind string, src []byte)) {
	for _, dir := range []string{reloaders.APIDir, reloaders.SubscribersDir, reloaders.JobsDir, reloaders.WorkflowsDir} {
		_ = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			kind := kindOf(root, p)
			if kind == "" && dir == reloaders.WorkflowsDir && workflowSource(diag.RelPath(root, p)) {
				kind = "workflow" // an index file that defines workflows or steps
			}
			if kind == "" {
				return nil
			}
			if src, err := os.ReadFile(p); err == nil {
				fn(p, kind, src)
			}
			return nil
		})
	}
}

// workflowSource tells whether a file under src/workflows may define workflows, index files
// included (Medusa's loader imports them too): scripts, not tests or declarations.
func workflowSource(rel string) bool {
	segs := strings.Split(rel, "/")
	for _, s := range segs[:len(segs)-1] {
		if s == "__tests__" || s == "node_modules" || strings.HasPrefix(s, ".") {
			return false
		}
	}
	name := segs[len(segs)-1]
	if strings.HasSuffix(name, ".d.ts") || strings.Contains(name, ".spec.") || strings.Contains(name, ".test.") {
		return false
	}
	for _, ext := range []string{".ts", ".js", ".mts", ".mjs", ".cts", ".cjs", ".tsx", ".jsx"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
