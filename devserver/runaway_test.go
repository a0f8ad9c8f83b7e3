//go:build unix

package devserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// One JavaScript thread serves every request, event and job, as in Node: code that never
// yields holds all of them until --timeout interrupts it. Whoever held the thread is named, with
// how long it held it and how many waited, in the log and in the runtime error at its line, for
// each kind of code that runs there.
func TestRunawayCodeSaysWhoHeldTheThreadAndForHowLong(t *testing.T) {
	root := t.TempDir()
	marker := filepath.Join(root, "spinning")
	spin := fmt.Sprintf("require(\"fs\").writeFileSync(%q, \"1\")\n  let n = 0\n  while (n >= 0) { n++ }", marker)
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/api/loop/route.ts", routeTS(spin))
	writeFile(t, root, "src/api/ok/route.ts", routeTS(`res.json({ ok: 1 })`))
	writeFile(t, root, "src/subscribers/spin.ts", "export default async function spin() {\n  let n = 0\n  while (n >= 0) { n++ }\n}\nexport const config = { event: \"spin\" }\n")
	writeFile(t, root, "src/jobs/spin.ts", "export default async function () {\n  let n = 0\n  while (n >= 0) { n++ }\n}\nexport const config = { name: \"spin\", schedule: \"0 3 * * *\" }\n")
	d := startDevAt(t, root, nil) // --timeout 500ms

	held := "held the JavaScript thread for "
	t.Run("handler, with a request waiting behind it", func(t *testing.T) {
		loop := make(chan string, 1)
		go func() {
			resp, err := http.Get(d.URL + "/loop")
			if err != nil {
				loop <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			loop <- fmt.Sprintf("%d %s", resp.StatusCode, b)
		}()
		testutil.Eventually(t, waitFor, func() string {
			if _, err := os.Stat(marker); err != nil {
				return "the handler did not start: " + err.Error()
			}
			return ""
		})
		d.Expect("/ok", 200, `{"ok":1}`) // queued behind the loop, answered after it
		got := <-loop
		if !strings.HasPrefix(got, "500 ") || !strings.Contains(got, "GET /loop "+held) || !strings.Contains(got, "1 other request(s), event(s) or job(s) waited for it") {
			t.Fatalf("GET /loop: %s", got)
		}
		testutil.Eventually(t, waitFor, func() string {
			for _, e := range d.RuntimeErrors() {
				if len(e.Problems) > 0 {
					p := e.Problems[0]
					if diag.RelPath(root, p.File) == "src/api/loop/route.ts" && p.Line == 5 && strings.Contains(p.Message, "GET /loop "+held) {
						return ""
					}
				}
			}
			return "no runtime error at the loop's line naming GET /loop and how long it held the thread"
		})
		if out := d.Out.String(); !strings.Contains(out, "src/api/loop/route.ts:5:") || !strings.Contains(out, "GET /loop "+held) {
			t.Fatalf("the log does not say which handler held the thread:\n%s", out)
		}
	})
	for _, tc := range []struct {
		name    string
		command ipc.Command
		args    any
		want    string
	}{
		{"subscriber", ipc.CmdEmitEvent, ipc.EmitArgs{Name: "spin", Data: json.RawMessage(`{}`)}, "src/subscribers/spin.ts:3"},
		{"job", ipc.CmdRunJob, ipc.RunJobArgs{Name: "spin"}, "src/jobs/spin.ts:3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			out, err := devserver.Control(ctx, root, string(tc.command), tc.args)
			if got := fmt.Sprintf("%s %v", out, err); !strings.Contains(got, held) {
				t.Fatalf("%s: %s", tc.command, got)
			}
			testutil.Eventually(t, waitFor, func() string {
				for _, line := range strings.Split(d.Out.String(), "\n") {
					if strings.Contains(line, tc.want) && strings.Contains(line, held) {
						return ""
					}
				}
				return "no log line names " + tc.want + " and how long it held the thread"
			})
		})
	}
}
