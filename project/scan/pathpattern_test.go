package scan

import (
	"encoding/json"
	"testing"

	"github.com/medusa-ls/medusa-ls/internal/oracle"
)

// CheckRoutePattern gives path-to-regexp 8.4's error, or none, as Medusa 2.21's RoutesFinder
// compiles a route's path (after its "/*" and "x*" rewrites), for paths that route folders
// produce and some they cannot.
func TestCheckRoutePatternMatchesPathToRegexp(t *testing.T) {
	oracle.Require(t)
	paths := []string{
		"/store/products/:id", "/p/slug/[...rest]", "/p/[id]x", "/a/(group)", "/a/b?", "/a+", "/a!", "/a/{b}", "/a/{b",
		"/a/b}", "/a/:", "/a/:1", "/a/:$x", "/a/:é", "/a/*", "/a*", "/a-*", "/a/*name", "/a/\\", "/a/\\:x", `/a/:"q"`,
		`/a/:"q`, `/a/:""`, "/a/{:b}/c", "/a/{{b}}", "/a/[id]/b/[id2]", "/a.b/c-d/e_f", "/a/ü/:ß", "/x/:a:b", "/(", "/)", "/a{/:b}/:c", "/:a{:b}", "/a/*/b/*", "/a{/b{/c{/d{/e{/f{/g{/h{/i}}}}}}}}", "/:a{-:b}", `/a/:"x\\"y"`,
	}
	dir := oracle.Project(t, nil)
	want := map[string]string{}
	script := `const { pathToRegexp } = require("path-to-regexp")
const out = {}
for (const p of JSON.parse(process.argv[1])) {
  let n = p.replace(/\/\*/g, "{*splat}").replace(/(\w)\*/g, "$1{*splat}")
  try { pathToRegexp(n); out[p] = "" } catch (e) { out[p] = e.message.replace(/; visit .*$/, "") }
}
process.stdout.write(JSON.stringify(out))`
	in, _ := json.Marshal(paths)
	if err := json.Unmarshal(oracle.Node(t, dir, "-e", script, string(in)), &want); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		got := ""
		if err := CheckRoutePattern(p); err != nil {
			got = err.Error()
		}
		if got != want[p] {
			t.Errorf("%q: got %q, path-to-regexp says %q", p, got, want[p])
		}
	}
}
