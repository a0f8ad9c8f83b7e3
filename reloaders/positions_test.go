package reloaders

import (
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
)

// The static checks report positions as the editor shows them, in UTF-16 units, for files with
// a byte-order mark, CRLF line endings and non-ASCII text: each variant must report what its
// plain ASCII twin reports ("ab" and "😀" are two UTF-16 units each, "é_" two as well).
func TestLintPositionsWithBOMCRLFAndNonASCII(t *testing.T) {
	variants := map[string]func(string) string{
		"bom":    func(s string) string { return "\uFEFF" + s },
		"crlf":   func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") },
		"emoji":  func(s string) string { return strings.ReplaceAll(s, "ab", "😀") },
		"accent": func(s string) string { return strings.ReplaceAll(s, "ab", "é_") },
		"all": func(s string) string {
			return "\uFEFF" + strings.ReplaceAll(strings.ReplaceAll(s, "ab", "😀"), "\n", "\r\n")
		},
	}
	sources := []struct {
		name string
		lint func([]byte) []diag.Diagnostic
		src  string
		want []string // "line:col-endcol" of the plain source
	}{
		{"valid route starting the file", func(b []byte) []diag.Diagnostic { return LintRoute("/p/r.ts", "src/api/x/route.ts", b) },
			"export async function GET(req, res) { res.json({ s: \"ab\" }) }\n", nil},
		{"near-miss on the first line", func(b []byte) []diag.Diagnostic { return LintRoute("/p/r.ts", "src/api/x/route.ts", b) },
			"export async function Get(req, res) { res.json({ s: \"ab\" }) }\nexport const POST = async () => {}\n", []string{"1:1-1"}},
		{"middleware matcher after non-ASCII", func(b []byte) []diag.Diagnostic { return LintMiddlewares("/p/m.ts", b, []string{"/store/x"}) },
			"export default defineMiddlewares({ routes: [{ matcher: \"/store/nope\", x: \"ab\" },\n  { /* ab */ matcher: \"/store/gone\" }] })\n", []string{"1:57-68", "2:24-35"}},
		{"cron after non-ASCII", func(b []byte) []diag.Diagnostic { return LintJob("/p/j.ts", b) },
			"export default async function j() {}\nexport const config = { name: \"ab\", schedule: \"61 * * * *\" }\n", []string{"2:48-58"}},
		{"cron on the first line", func(b []byte) []diag.Diagnostic { return LintJob("/p/j.ts", b) },
			"export const config = { name: \"ab\", schedule: \"61 * * * *\" }\nexport default async function j() {}\n", []string{"1:48-58"}},
		{"subscriber config key", lintSubscriberAt,
			"export const config = { evnt: \"ab\" }\nexport default async function h() {}\n", []string{"1:1-1"}},
	}
	pos := func(ds []diag.Diagnostic) []string {
		var out []string
		for _, d := range ds {
			out = append(out, itoa(d.Line)+":"+itoa(d.Column)+"-"+itoa(max(d.EndColumn, d.Column)))
		}
		return out
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			plain := pos(src.lint([]byte(src.src)))
			if strings.Join(plain, " ") != strings.Join(src.want, " ") {
				t.Fatalf("plain: %v, want %v", plain, src.want)
			}
			for name, v := range variants {
				if got := pos(src.lint([]byte(v(src.src)))); strings.Join(got, " ") != strings.Join(plain, " ") {
					t.Errorf("%s: %v, want %v", name, got, plain)
				}
			}
		})
	}
}

func lintSubscriberAt(b []byte) []diag.Diagnostic { return LintSubscriber("/p/s.ts", b) }
