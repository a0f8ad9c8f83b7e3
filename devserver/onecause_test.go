package devserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/diag"
)

// One cause, one diagnostic: the loader's error and the static check of the same problem are
// reported once, at the loader's position.
func TestCheckOneDiagnosticPerCause(t *testing.T) {
	tests := []struct {
		name, rel, src string
		line           int
		severity       diag.Severity
		code, frag     string
		more           map[string]string // other files of the project
		related        int               // places of the same cause (the importers)
	}{
		{"bad cron string", "src/jobs/bad.ts",
			"export default async function job(container) {}\n\nexport const config = {\n  name: \"bad\",\n  schedule: \"61 * * * *\",\n}\n",
			5, diag.Error, diag.CodeLoad, "invalid schedule", nil, 0},
		{"subscriber without config", "src/subscribers/noconfig.ts",
			"export default async function handler({ event }) {}\n",
			1, diag.Error, diag.CodeLoad, "has no config", nil, 0},
		{"subscriber config without event", "src/subscribers/noevent.ts",
			"export default async function handler({ event }) {}\nexport const config = {\n  context: {},\n}\n",
			2, diag.Error, diag.CodeLoad, "config.event is missing", nil, 0},
		{"job without config", "src/jobs/noconfig.ts",
			"export default async function job(container) {}\n",
			1, diag.Error, diag.CodeLoad, "has no config", nil, 0},
		{"lowercase method", "src/api/lower/route.ts",
			"export async function GET(req, res) { res.json({}) }\nexport async function post(req, res) {}\n",
			2, diag.Warning, diag.CodeConvention, `"post"`, nil, 0},
		{"misspelled event", "src/subscribers/evnt.ts",
			"export default async function handler({ event }) {}\nexport const config = {\n  evnt: \"product.created\",\n}\n",
			3, diag.Error, diag.CodeLoad, `config has "evnt"; did you mean event?`, nil, 0},
		{"misspelled schedule", "src/jobs/shedule.ts",
			"export default async function job() {}\nexport const config = {\n  name: \"j\",\n  shedule: \"* * * * *\",\n}\n",
			4, diag.Error, diag.CodeLoad, `did you mean schedule?`, nil, 0},
		{"misspelled numberOfExecutions", "src/jobs/noe.ts",
			"export default async function job() {}\nexport const config = {\n  name: \"j\",\n  schedule: \"* * * * *\",\n  numberOfExecution: 1,\n}\n",
			5, diag.Warning, diag.CodeConvention, `did you mean numberOfExecutions?`, nil, 0},
		{"near-miss method", "src/api/gett/route.ts",
			"export async function POST(req, res) { res.json({}) }\nexport async function GETT(req, res) { res.json({}) }\n",
			2, diag.Warning, diag.CodeConvention, `"GETT" is not an HTTP method export`, nil, 0},
		{"load error through two importers", "src/utils/boom.ts",
			"export const x = 1\nthrow new Error(\"boom at load\")\n",
			2, diag.Error, diag.CodeLoad, "boom at load", map[string]string{
				"src/utils/mid.ts":       "import { x } from \"./boom\"\nexport const y = x\n",
				"src/api/chain/route.ts": "import { y } from \"../../utils/mid\"\nexport async function GET(req, res) { res.json({ y }) }\n",
			}, 2},
		{"syntax error in an imported file", "src/utils/broken.ts",
			"export const x = (1\n",
			2, diag.Error, diag.CodeSyntax, "", map[string]string{
				"src/api/syn/route.ts": "import { x } from \"../../utils/broken\"\nexport async function GET(req, res) { res.json({ x }) }\n",
			}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			put(t, root, "medusa-config.ts", "module.exports = {}\n")
			put(t, root, tc.rel, tc.src)
			for rel, src := range tc.more {
				put(t, root, rel, src)
			}
			rep, err := CheckWith(context.Background(), root, 10*time.Second, RuntimeEmbedded)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Diagnostics) != 1 {
				t.Fatalf("want one diagnostic, at %s, got %+v", tc.rel, rep.Diagnostics)
			}
			d := rep.Diagnostics[0]
			if d.File != tc.rel || d.Line != tc.line || d.Severity != tc.severity || d.Code != tc.code || !strings.Contains(d.Message, tc.frag) {
				t.Fatalf("got %+v, want %s:%d %s [%s] %q", d, tc.rel, tc.line, tc.severity, tc.code, tc.frag)
			}
			if len(d.Related) != tc.related {
				t.Fatalf("related %+v, want %d places", d.Related, tc.related)
			}
			for _, r := range d.Related {
				if _, ok := tc.more[r.File]; !ok || r.Line != 1 || !strings.Contains(r.Message, "failed to load") {
					t.Errorf("related %+v", r)
				}
			}
		})
	}
}

func put(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
