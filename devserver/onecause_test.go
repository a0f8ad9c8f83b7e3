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
	}{
		{"bad cron string", "src/jobs/bad.ts",
			"export default async function job(container) {}\n\nexport const config = {\n  name: \"bad\",\n  schedule: \"61 * * * *\",\n}\n",
			5, diag.Error, diag.CodeLoad, "invalid schedule"},
		{"subscriber without config", "src/subscribers/noconfig.ts",
			"export default async function handler({ event }) {}\n",
			1, diag.Error, diag.CodeLoad, "has no config"},
		{"subscriber config without event", "src/subscribers/noevent.ts",
			"export default async function handler({ event }) {}\nexport const config = {\n  context: {},\n}\n",
			2, diag.Error, diag.CodeLoad, "config.event is missing"},
		{"job without config", "src/jobs/noconfig.ts",
			"export default async function job(container) {}\n",
			1, diag.Error, diag.CodeLoad, "has no config"},
		{"lowercase method", "src/api/lower/route.ts",
			"export async function GET(req, res) { res.json({}) }\nexport async function post(req, res) {}\n",
			2, diag.Warning, diag.CodeConvention, `"post"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			put(t, root, "medusa-config.ts", "module.exports = {}\n")
			put(t, root, tc.rel, tc.src)
			rep, err := CheckWith(context.Background(), root, 10*time.Second, RuntimeEmbedded)
			if err != nil {
				t.Fatal(err)
			}
			var mine []CheckDiagnostic
			for _, d := range rep.Diagnostics {
				if d.File == tc.rel {
					mine = append(mine, d)
				}
			}
			if len(mine) != 1 {
				t.Fatalf("want one diagnostic for %s, got %+v", tc.rel, mine)
			}
			d := mine[0]
			if d.Line != tc.line || d.Severity != tc.severity || d.Code != tc.code || !strings.Contains(d.Message, tc.frag) {
				t.Fatalf("got %+v, want line %d %s [%s] %q", d, tc.line, tc.severity, tc.code, tc.frag)
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
