package reloaders

import (
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
)

// A schedule whose runs are more than 24.8 days apart is a warning: Medusa's in-memory workflow
// engine would run the job over and over (setTimeout's limit).
func TestLintJobScheduleLongerThanATimer(t *testing.T) {
	for _, tt := range []struct {
		schedule string
		warn     bool
	}{
		{"* * * * *", false},
		{"0 0 * * 0", false},    // weekly
		{"0 0 */7 * *", false},  // the 1st, 8th, … 29th: at most 3 days to the next 1st
		{"0 0 1,15 * *", false}, // twice a month: at most 17 days
		{"0 0 1 * *", true},     // monthly: 28 to 31 days
		{"0 0 1 1 *", true},     // yearly
		{"@yearly", true},
		{"0 0 1 */2 *", true},
	} {
		src := "export default async function j() {}\nexport const config = {\n  name: \"j\",\n  schedule: \"" + tt.schedule + "\",\n}\n"
		var got []diag.Diagnostic
		for _, d := range LintJob("/p/src/jobs/j.ts", []byte(src)) {
			if strings.Contains(d.Message, "24.8 days") {
				got = append(got, d)
			}
		}
		if tt.warn != (len(got) == 1) {
			t.Errorf("%q: timer warnings %+v, want one: %v", tt.schedule, got, tt.warn)
			continue
		}
		if tt.warn && (got[0].Line != 4 || got[0].Severity != diag.Warning || got[0].Column != 14) {
			t.Errorf("%q: %+v, want a warning at 4:14, on the expression", tt.schedule, got[0])
		}
	}
}
