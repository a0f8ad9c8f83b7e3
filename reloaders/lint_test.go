package reloaders

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
)

func TestLintRoute(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line: message fragment"
	}{
		{"handlers", "export async function GET(req, res) {}\nexport const POST = async (req, res) => {}\n", nil},
		{"no handler", "export const helper = 1\n", []string{"1: exports no handler"}},
		{"lowercase", "export function get(req, res) {}\nexport function POST() {}\n", []string{`1: "get" is not an HTTP method export, so it is not served; did you mean GET?`}},
		{"capitalized", "export async function Get(req, res) {}\n", []string{`1: "Get" is not an HTTP method export, so it is not served; did you mean GET?`}},
		{"doubled letter", "export async function GETT(req, res) {}\nexport function POST() {}\n", []string{`1: did you mean GET?`}},
		{"Post", "export const Post = async (req, res) => {}\nexport function GET() {}\n", []string{`1: "Post" is not an HTTP method export`}},
		{"dropped letter", "export function GET() {}\nexport async function DELET(req, res) {}\n", []string{`2: did you mean DELETE?`}},
		{"swapped letters", "export function GET() {}\nexport const PSOT = () => {}\n", []string{`2: did you mean POST?`}},
		{"two edits in a long name", "export function GET() {}\nexport function OPTINS() {}\nexport function PTCH() {}\n", []string{`2: did you mean OPTIONS?`, `3: did you mean PATCH?`}},
		{"helpers and flags are no misses", "export function GET() {}\nexport const AUTHENTICATE = false\nexport const CORS = false\nexport function getUser() {}\nexport const config = {}\n", nil},
		{"not a function", "export const GET = { a: 1 }\nexport const PUT = \"x\"\nexport function POST() {}\n", []string{"1: GET is exported but is not a function", "2: PUT is exported but is not a function"}},
		{"export list", "const handler = () => {}\nexport { handler as GET }\n", nil},
		{"export star", "export * from \"./impl\"\n", nil},
		{"typed const", "export const GET: RouteHandler = async (req, res) => {}\n", nil},
		// TypeScript erases a declaration: nothing is exported, so nothing is served.
		{"declared only", "export declare const GET: RouteHandler\n", []string{"1: exports no handler"}},
		// A handler in a comment or a string is not one.
		{"commented out", "/*\nexport async function GET(req, res) {}\n*/\nexport const helper = 1\n", []string{"1: exports no handler"}},
		{"in a template", "const doc = `\nexport const GET = () => {}\n`\n", []string{"1: exports no handler"}},
		{"generator", "export function *GET(req, res) {}\n", nil},
		{"after a statement", "const x = 1; export const GET = () => {}\n", nil},
		{"near-miss in a list", "const h = () => {}\nexport {\n  h as Get,\n}\n", []string{`3: "Get" is not an HTTP method export`}},
		{"default is no near-miss", "export default function handler() {}\nexport function GET() {}\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectAt(t, LintRoute("/p/src/api/x/route.ts", "src/api/x/route.ts", []byte(tc.src)), tc.want)
		})
	}
}

// expectAt checks diagnostics against wants written "line: message fragment", in order.
func expectAt(t *testing.T, got []diag.Diagnostic, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, w := range want {
		line, frag, _ := strings.Cut(w, ": ")
		if itoa(got[i].Line) != line || !strings.Contains(got[i].Message, frag) {
			t.Errorf("got %d %q, want %s %q", got[i].Line, got[i].Message, line, frag)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestLintMiddlewares(t *testing.T) {
	src := []byte(`export default defineMiddlewares({ routes: [
  { matcher: "/store/hello", middlewares: [] },
  { matcher: "/custom/thing*", middlewares: [] },
  { matcher: "/store/custm", middlewares: [] },
  { matcher: "/store/products/:id", middlewares: [] },
  { matcher: /regex/, middlewares: [] },
]})`)
	got := LintMiddlewares("/p/src/api/middlewares.ts", src, []string{"/store/hello", "/store/products/:id"})
	if len(got) != 2 || got[0].Line != 3 || got[0].Severity != "warning" || got[1].Line != 4 || got[1].Severity != "info" {
		t.Fatalf("%+v", got)
	}
	if got[0].Column != 15 || got[0].EndColumn != 15+len("/custom/thing*") {
		t.Fatalf("range %+v", got[0])
	}
}

func TestNearMiss(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for no miss
	}{
		{"GET", ""}, {"get", "GET"}, {"Get", "GET"}, {"GETT", "GET"}, {"GE", "GET"}, {"DELET", "DELETE"},
		{"DELTE", "DELETE"}, {"PSOT", "POST"}, {"OPTINS", "OPTIONS"}, {"head", "HEAD"}, {"HAED", "HEAD"},
		{"getUser", ""}, {"handler", ""}, {"x", ""}, {"GTX", ""}, {"config", ""},
	}
	for _, tc := range tests {
		got, ok := nearMethod(tc.name)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s: got %q %v, want %q", tc.name, got, ok, tc.want)
		}
	}
}

func TestLintSubscribersAndJobs(t *testing.T) {
	tests := []struct {
		name string
		lint func(string, []byte) []diag.Diagnostic
		src  string
		want []string // "line: message fragment"
	}{
		{"subscriber evnt", LintSubscriber,
			"export default async function h() {}\nexport const config = {\n  evnt: \"product.created\",\n}\n",
			[]string{`3: subscriber config key "evnt" is not read by Medusa; did you mean event?`}},
		{"subscriber contxt", LintSubscriber,
			"export default async function h() {}\nexport const config: SubscriberConfig = { event: \"a\", contxt: { subscriberId: \"x\" } }\n",
			[]string{`2: did you mean context?`}},
		{"subscriber valid", LintSubscriber,
			"export default async function h() {}\nexport const config = { event: [\"a\", \"b\"], context: { subscriberId: \"x\" } }\n", nil},
		{"job shedule", LintJob,
			"export default async function j() {}\nexport const config = {\n  name: \"j\",\n  shedule: \"* * * * *\",\n}\n",
			[]string{`4: the job's config has no schedule (config has "shedule"; did you mean schedule?)`}},
		{"job nmae", LintJob,
			"export default async function j() {}\nexport const config = {\n  nmae: \"j\", // the name\n  schedule: \"* * * * *\",\n}\n",
			[]string{`3: did you mean name?`}},
		{"job numberOfExecution", LintJob,
			"export default async function j() {}\nexport const config = {\n  name: \"j\",\n  schedule: \"* * * * *\",\n  numberOfExecution: 2,\n}\n",
			[]string{`5: did you mean numberOfExecutions?`}},
		{"job nested keys are not config keys", LintJob,
			"export default async function j() {}\nexport const config = {\n  name: \"j\",\n  schedule: { cron: \"* * * * *\", numberOfExecutions: 1 },\n}\n", nil},
		// The default export and the config count in every form Medusa reads them in
		// (fileExports.default, fileExports.config), and not in comments.
		{"subscriber from a list", LintSubscriber,
			"async function h() {}\nconst config = { event: \"a\" }\nexport { h as default, config }\n", nil},
		{"subscriber with a commented-out default", LintSubscriber,
			"// export default async function h() {}\nexport const config = { event: \"a\" }\n", []string{"1: a subscriber needs a default export"}},
		{"job from a list", LintJob,
			"async function j() {}\nconst config = { name: \"j\", schedule: \"* * * * *\" }\nexport { j as default, config }\n", nil},
		{"job after a BOM", LintJob,
			"\uFEFFexport default async function j() {}\nexport const config = { name: \"j\", schedule: \"* * * * *\" }\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectAt(t, tc.lint("/p/x.ts", []byte(tc.src)), tc.want)
		})
	}
}

// With Medusa installed (the node runtime serves its core routes), a matcher under its
// namespaces is not flagged; without it, it is a hint; a custom path matching nothing warns in
// both.
func TestLintMiddlewaresCoreRoutesWithMedusaInstalled(t *testing.T) {
	src := []byte(`export default defineMiddlewares({ routes: [
  { matcher: "/admin/products", middlewares: [] },
  { matcher: "/custom/nothing", middlewares: [] },
] })`)
	for _, tc := range []struct {
		name      string
		installed bool
		want      []string // matcher → severity, in order
	}{
		{"embedded project", false, []string{"/admin/products info", "/custom/nothing warning"}},
		{"Medusa installed", true, []string{"/custom/nothing warning"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.installed {
				dir := filepath.Join(root, "node_modules", "@medusajs", "medusa")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"version":"2.21.2"}`), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for _, d := range LintMiddlewares(filepath.Join(root, "src", "api", "middlewares.ts"), src, []string{"/store/hello"}) {
				m := d.Message[strings.Index(d.Message, `"`)+1:]
				got = append(got, m[:strings.Index(m, `"`)]+" "+string(d.Severity))
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The node runtime counts a project's modules as Medusa resolves them: folders of src/modules
// with an index file.
func TestStaticResourcesModules(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"src/modules/brand/index.ts":       "export default {}",
		"src/modules/brand/service.ts":     "export default class {}",
		"src/modules/greeter/index.js":     "module.exports = {}",
		"src/modules/drafts/service.ts":    "export default class {}", // no index: not a module
		"src/modules/.cache/index.ts":      "",
		"src/api/store/hello/route.ts":     "export const GET = () => {}",
		"src/subscribers/brand-created.ts": "export default async function h() {}\nexport const config = { event: \"x\" }",
	})
	var modules []string
	kinds := map[string]int{}
	for _, r := range StaticResources(root) {
		kinds[r.Kind]++
		if r.Kind == "module" {
			modules = append(modules, r.Name+":"+filepath.Base(r.File))
		}
	}
	slices.Sort(modules)
	if want := []string{"brand:index.ts", "greeter:index.js"}; !slices.Equal(modules, want) || kinds["route"] != 1 || kinds["subscriber"] != 1 {
		t.Fatalf("modules %v (want %v), kinds %v", modules, want, kinds)
	}
}

// A route file's routes, read without running it, are the handlers Medusa's RoutesLoader takes:
// exports named after a method in any form, except values that are certainly not functions.
func TestRouteResources(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line name"
	}{
		{"declarations", "export async function GET() {}\nexport const POST = async () => {}\n", []string{"1 GET /x", "2 POST /x"}},
		{"export list", "const h = () => {}\nexport { h as GET }\n", []string{"2 GET /x"}},
		{"re-export", "export { GET, POST as DELETE } from \"./impl\"\n", []string{"1 GET /x", "1 DELETE /x"}},
		{"generator", "export function*GET() {}\n", []string{"1 GET /x"}},
		{"class (a function to Medusa)", "export class GET {}\n", []string{"1 GET /x"}},
		{"literal values are not served", "export const GET = { a: 1 }\nexport const POST = \"x\"\n", nil},
		{"declared only", "export declare function GET(): void\n", nil},
		{"commented out", "// export const GET = () => {}\n/* export function POST() {} */\n", nil},
		{"BOM", "\uFEFFexport const GET = () => {}\n", []string{"1 GET /x"}},
		{"CRLF", "export const GET = () => {}\r\n\r\nexport function PUT() {}\r\n", []string{"1 GET /x", "3 PUT /x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range RouteResources("/p/src/api/x/route.ts", "src/api/x/route.ts", []byte(tc.src)) {
				got = append(got, itoa(r.Line)+" "+r.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The static resources are the files Medusa's loaders load (project/scan): index files of
// workflows, files in folders starting with "_", but not names starting with "_", index files of
// subscribers and jobs, hidden folders or other extensions; a module is listed once.
func TestStaticResourcesFollowMedusasLoaders(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"src/api/store/hello/route.ts":       "export const GET = () => {}\nexport const POST = 1",
		"src/api/.hidden/route.ts":           "export const GET = () => {}",
		"src/api/_lib/route.ts":              "export const GET = () => {}",
		"src/api/store/mts/route.mts":        "export const GET = () => {}",
		"src/subscribers/index.ts":           "export default async function h() {}",
		"src/subscribers/_lib/on-created.ts": "export default async function h() {}",
		"src/subscribers/_helper.ts":         "export default async function h() {}",
		"src/jobs/sync.ts":                   "\n\nexport default async function j() {}",
		"src/workflows/checkout/index.ts":    "export const w = 1",
		"src/workflows/steps/_util.ts":       "export const u = 1",
		"src/workflows/x.mts":                "export const w = 1",
		"src/modules/both/index.js":          "module.exports = {}",
		"src/modules/both/index.ts":          "export default {}",
	})
	var got []string
	for _, r := range StaticResources(root) {
		got = append(got, r.Kind+" "+r.Name+" "+diag.RelPath(root, r.File)+":"+itoa(r.Line))
	}
	want := []string{
		"route GET /store/hello src/api/store/hello/route.ts:1",
		"subscriber src/subscribers/_lib/on-created.ts src/subscribers/_lib/on-created.ts:1",
		"job src/jobs/sync.ts src/jobs/sync.ts:3",
		"workflow src/workflows/checkout/index.ts src/workflows/checkout/index.ts:1",
		"module both src/modules/both/index.js:1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q,\nwant %q", got, want)
	}
}

// writeFiles writes files (slash-separated paths relative to root → content) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
