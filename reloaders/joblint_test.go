package reloaders

import (
	"fmt"
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

// Medusa's JobLoader (validateConfig) throws, and Medusa does not start, for a job file
// without a config, or with a config that lacks schedule or name: errors where the source
// shows it for certain. A job without a default export starts (each run fails): a warning.
func TestLintJobWhatMedusaRefusesToStart(t *testing.T) {
	const def = "export default async function j() {}\n"
	tests := []struct {
		name, src string
		want      []string // "line severity: message fragment"
	}{
		{"no config", def,
			[]string{"1 error: Config is required for scheduled jobs."}},
		{"no config, nor a default export", "const x = 1\n",
			[]string{"1 warning: a job needs a default export", "1 error: Config is required for scheduled jobs."}},
		{"config without schedule", def + "export const config = {\n  name: \"j\",\n}\n",
			[]string{"2 error: Cron schedule definition is required for scheduled jobs."}},
		{"config without name", def + "export const config: ScheduledJobConfig = { schedule: \"* * * * *\" }\n",
			[]string{"2 error: Job name is required for scheduled jobs."}},
		{"empty config", def + "export const config = {}\n",
			[]string{"2 error: Cron schedule definition is required", "2 error: Job name is required"}},
		{"misspelled schedule, reported once on it", def + "export const config = {\n  name: \"j\",\n  schedul: \"* * * * *\",\n}\n",
			[]string{`4 error: the job's config has no schedule (config has "schedul"; did you mean schedule?): Medusa does not start`}},
		{"misspelled keys on one line", def + "export const config = { nmae: \"j\", schedule: \"* * * * *\", numberOfExecution: 1 }\n",
			[]string{`2 error: (config has "nmae"; did you mean name?)`, "2 warning: did you mean numberOfExecutions?"}},
		{"misspelled name", def + "export const config = {\n  Name: \"j\",\n  schedule: \"* * * * *\",\n}\n",
			[]string{`3 error: (config has "Name"; did you mean name?)`}},
		{"no default export: Medusa starts", "export const config = { name: \"j\", schedule: \"* * * * *\" }\n",
			[]string{"1 warning: a job needs a default export"}},
		{"valid", def + "export const config = { name: \"j\", schedule: { cron: \"* * * * *\" }, numberOfExecutions: 1 }\n", nil},
		// What the source cannot show for certain is the loader's to judge.
		{"config from export *", def + "export * from \"./shared\"\n",
			[]string{"1 warning: a job needs export const config"}},
		{"CommonJS", "module.exports = { default: async () => {}, config: { name: \"j\", schedule: \"* * * * *\" } }\n",
			[]string{"1 warning: a job needs a default export", "1 warning: a job needs export const config"}},
		{"spread", def + "export const config = { ...base, schedule: \"* * * * *\" }\n", nil},
		{"shorthand", def + "const name = \"j\", schedule = \"* * * * *\"\nexport const config = { name, schedule }\n", nil},
		{"quoted keys", def + "export const config = { \"name\": \"j\", 'schedule': \"* * * * *\" }\n", nil},
		{"computed key", def + "export const config = { [\"name\"]: \"j\", schedule: \"* * * * *\" }\n", nil},
		{"built by a call", def + "export const config = make({ schedule: \"* * * * *\" })\n", nil},
		{"a key assigned later", def + "export const config: any = { schedule: \"* * * * *\" }\nconfig.name = \"j\"\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := LintJob("/p/src/jobs/j.ts", []byte(tc.src))
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				at, frag, _ := strings.Cut(w, ": ")
				if want := fmt.Sprintf("%d %s", got[i].Line, got[i].Severity); want != at || !strings.Contains(got[i].Message, frag) || got[i].Code != diag.CodeConvention {
					t.Errorf("got %s %s %q, want %s %q", want, got[i].Code, got[i].Message, at, frag)
				}
			}
		})
	}
}
