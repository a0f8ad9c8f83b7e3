package schedule

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/oracle"
)

// cronCases are expressions of every kind cron-parser handles or refuses: fields and their
// counts, names, ranges, steps, lists, "?", "L", "#", predefined forms, and the forms of other
// cron dialects that Medusa refuses.
var cronCases = []string{
	// counts of fields
	"* * * * *", "*/10 * * * * *", "0 * * * *", "5 * * *", "0 0", "*", "", "   ", "* * * * * * *", "  0 0 * * *  ",
	// numbers, ranges, lists, steps
	"30 14 * * *", "0 9-17 * * *", "0 9-17/2 * * *", "0,15,30,45 * * * *", "5/15 * * * *", "*/15 * * * *",
	"0 0 1,15 * *", "0 0 * * 1-5", "0 0 * * 5-7", "0 0 * * 7", "0 0 * * 0", "1-10/3 * * * *", "0 0 */3 * *",
	"59 23 31 12 *", "0 0 29 2 *", "0 0 1 */2 *", "0 12 * * 1,3,5", "0 0 1-7 * 1",
	// names
	"0 9 * * MON-FRI", "0 9 * jan,jul mon", "0 0 1 JAN *", "0 0 * * sun", "0 0 * * Sat", "0 0 1 feb-apr *",
	// ? L #
	"0 0 ? * *", "0 0 * * ?", "0 0 L * *", "0 0 L 2 *", "0 9 * * 5L", "0 9 * * 1#2", "0 9 * * 5#5", "0 0 1,L * *",
	// predefined
	"@yearly", "@monthly", "@weekly", "@daily", "@hourly",
	// refused
	"@annually", "@midnight", "@every 5m", "@every 1h30m", "@reboot", "CRON_TZ=UTC 0 0 * * *", "TZ=UTC",
	"61 * * * *", "0 24 * * *", "0 0 32 * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "0 5-1 * * *",
	"*/0 * * * *", "0 0 * * 1#2,3", "0 0 * * 1#6", "0 0 * * 1#2/2", "0 0 30 2 *", "0 0 31 4 *",
	"0 0 31 2,4 *", "every day", "0 0 * * funday", "a b c d e", "1,,2 * * * *", "1/2/3 * * * *", "-5 * * * *",
	"0 0 * * L", "0 0 L * 1", "1-2-3 * * * *", "0 0 W * *", "0 0 15W * *", "0 0 * * 1-5/2",
}

// TestCronMatchesCronParser compares the port with cron-parser itself: which expressions are
// refused, with which message, and the next six dates after a fixed time.
func TestCronMatchesCronParser(t *testing.T) {
	exprs, _ := json.Marshal(cronCases)
	script, err := os.ReadFile(filepath.Join("testdata", "cron-oracle.js"))
	if err != nil {
		t.Fatal(err)
	}
	dir := oracle.Project(t, map[string]string{"exprs.json": string(exprs), "cron-oracle.js": string(script)})
	from := time.Date(2026, 1, 30, 23, 59, 58, 500e6, time.UTC) // end of a month, mid-second
	var medusa map[string]map[string]any
	out := oracle.Node(t, dir, "cron-oracle.js", filepath.Join(dir, "exprs.json"), from.Format(time.RFC3339Nano))
	if err := json.Unmarshal(out, &medusa); err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	var cases []oracle.Case
	for _, expr := range cronCases {
		cases = append(cases, oracle.Case{Name: "cron " + expr, Medusa: medusa[expr], Embedded: portOutcome(expr, from)})
	}
	oracle.Compare(t, cases, nil)
}

// portOutcome is what the port says about expr, in the shape of cron-oracle.js.
func portOutcome(expr string, from time.Time) map[string]any {
	e, err := parseCronExpression(expr)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	var next []any
	cur := from
	for i := 0; i < 6; i++ {
		n, err := e.next(cur)
		if err != nil {
			next = append(next, "error: "+err.Error())
			break
		}
		next = append(next, n.UTC().Format("2006-01-02T15:04:05.000Z"))
		cur = n
	}
	return map[string]any{"next": next}
}
