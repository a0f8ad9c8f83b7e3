package reloaders

import (
	"strings"
	"testing"
)

func TestLintRoute(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line: message fragment"
	}{
		{"handlers", "export async function GET(req, res) {}\nexport const POST = async (req, res) => {}\n", nil},
		{"no handler", "export const helper = 1\n", []string{"1: exports no handler"}},
		{"lowercase", "export function get(req, res) {}\nexport function POST() {}\n", []string{`1: "get" is not an HTTP method export; did you mean GET?`}},
		{"not a function", "export const GET = { a: 1 }\nexport const PUT = \"x\"\nexport function POST() {}\n", []string{"1: GET is exported but is not a function", "2: PUT is exported but is not a function"}},
		{"export list", "const handler = () => {}\nexport { handler as GET }\n", nil},
		{"export star", "export * from \"./impl\"\n", nil},
		{"typed const", "export const GET: RouteHandler = async (req, res) => {}\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := LintRoute("/p/src/api/x/route.ts", "src/api/x/route.ts", []byte(tc.src))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				line, frag, _ := strings.Cut(w, ": ")
				if itoa(got[i].Line) != line || !strings.Contains(got[i].Message, frag) {
					t.Errorf("got %d %q, want %s %q", got[i].Line, got[i].Message, line, frag)
				}
			}
		})
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
