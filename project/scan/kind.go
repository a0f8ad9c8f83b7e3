// Package scan reads a Medusa project's source the way Medusa's loaders do, without running
// anything: what a file under src/ is to Medusa (KindOf), the URL path of a route file
// (RoutePath), every resource file of a project (Project) and what a source file exports
// (ExportsOf). The language server, the static checks, the embedded runtime and the node
// runtime all ask it, so that they agree on which files are whose.
//
// The oracle is Medusa 2.21.2's own code in @medusajs/framework/dist: http/routes-loader.js and
// http/middleware-file-loader.js (routes), utils/resource-loader.js (subscribers, jobs and
// workflows), links/link-loader.js, and @medusajs/medusa/dist/commands/utils/dev-server
// (which of its reloaders a change goes to).
package scan

import (
	"path"
	"strings"
)

// The folders Medusa loads resources from, relative to the project root.
const (
	APIDir         = "src/api"
	SubscribersDir = "src/subscribers"
	JobsDir        = "src/jobs"
	WorkflowsDir   = "src/workflows"
	ModulesDir     = "src/modules"
	LinksDir       = "src/links"
)

// Kind is what a file is to Medusa's loaders.
type Kind string

// The kinds of resource files. Files of no kind (Other) are loaded only when something imports
// them.
const (
	Other       Kind = ""
	Route       Kind = "route"       // src/api/**/route.{ts,js}
	Middlewares Kind = "middlewares" // src/api/middlewares.{ts,js}
	Subscriber  Kind = "subscriber"  // src/subscribers/**
	Job         Kind = "job"         // src/jobs/**
	Workflow    Kind = "workflow"    // src/workflows/**, index files included
	Module      Kind = "module"      // src/modules/<name>/index.{ts,js}
	Link        Kind = "link"        // src/links/**
)

// KindOf says what rel (slash-separated, relative to the project root) is to Medusa's loaders.
// Folders that are hidden (".cache") or node_modules are never the project's resources: Medusa's
// loaders would read them, but its watcher never reloads them, and neither does medusa-ls's.
func KindOf(rel string) Kind {
	dir, name := splitRel(rel)
	if hidden(dir) {
		return Other
	}
	switch {
	case dir == APIDir && (name == "middlewares.ts" || name == "middlewares.js"):
		return Middlewares
	case under(dir, APIDir):
		if _, ok, _ := RoutePath(rel); ok {
			return Route
		}
	case under(dir, SubscribersDir) && isResource(dir, name, false):
		return Subscriber
	case under(dir, JobsDir) && isResource(dir, name, false):
		return Job
	case under(dir, WorkflowsDir) && isResource(dir, name, true):
		return Workflow
	case path.Dir(dir) == ModulesDir && (name == "index.ts" || name == "index.js"):
		return Module
	case under(dir, LinksDir) && isLink(name):
		return Link
	}
	return Other
}

// splitRel splits rel into its folder (no trailing slash) and its name.
func splitRel(rel string) (dir, name string) {
	dir, name = path.Split(rel)
	return strings.TrimSuffix(dir, "/"), name
}

// hidden says whether a folder is, or is under, a hidden folder or node_modules.
func hidden(dir string) bool {
	for _, seg := range strings.Split(dir, "/") {
		if seg == "node_modules" || strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// under says whether dir is base or below it.
func under(dir, base string) bool { return dir == base || strings.HasPrefix(dir, base+"/") }

// isResource is ResourceLoader.discoverResources' filter (utils/resource-loader.js): .ts or .js,
// not a declaration, not index (unless allowed: the workflow loader imports index files too),
// not in a __tests__ folder, not a test, not a name starting with "_". Folders starting with
// "_" are read like any other.
func isResource(dir, name string, allowIndex bool) bool {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	switch {
	case ext != ".ts" && ext != ".js",
		strings.HasSuffix(name, ".d.ts"),
		base == "index" && !allowIndex,
		strings.Contains(dir, "__tests__"),
		strings.HasPrefix(name, "_"),
		strings.HasSuffix(base, ".spec"), strings.HasSuffix(base, ".test"):
		return false
	}
	return true
}

// isLink is LinkLoader's filter (links/link-loader.js): every file but index files, source maps,
// declarations, Markdown and names starting with "_"; of those, the code files.
func isLink(name string) bool {
	for _, excluded := range []string{"index.js", "index.ts", ".ts.map", ".js.map", ".d.ts", ".md"} {
		if strings.Contains(name, excluded) {
			return false
		}
	}
	if strings.HasPrefix(name, "_") {
		return false
	}
	switch path.Ext(name) {
	case ".ts", ".js", ".mts", ".mjs", ".cts", ".cjs":
		return true
	}
	return false
}

// ReloaderOf names the reloader of Medusa's dev server that a change to rel goes to, in the
// order it runs them: "modules", "workflows", "routes", "subscribers" or "jobs"; "" for a file
// none of them handles (Medusa ignores it; medusa-ls reloads its importers). Medusa's reloaders
// match folder names anywhere in a path (dev-server/types.js RESOURCE_PATH_PATTERNS), so any
// file of a folder counts, resource or not, and a workflows folder counts wherever it is.
func ReloaderOf(rel string) string {
	switch {
	case !strings.HasPrefix(rel, "src/"):
		return ""
	case strings.HasPrefix(rel, ModulesDir+"/"):
		return "modules"
	case strings.Contains(rel, "/workflows/"):
		return "workflows"
	case strings.HasPrefix(rel, APIDir+"/"):
		return "routes"
	case strings.HasPrefix(rel, SubscribersDir+"/"):
		return "subscribers"
	case strings.HasPrefix(rel, JobsDir+"/"):
		return "jobs"
	}
	return ""
}
