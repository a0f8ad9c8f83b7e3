//go:build unix

package devserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// One rule for symbolic links (project/links.go), here through the watcher and the loader, on a
// project opened through a linked root: links to files are loaded and reload when their target
// changes, inside the project or outside it; links to directories are not entered, with a
// warning.
func TestSymbolicLinksOneRule(t *testing.T) {
	real, outside := t.TempDir(), t.TempDir()
	root := filepath.Join(t.TempDir(), "store")
	if err := os.Symlink(real, root); err != nil {
		t.Fatal(err)
	}
	writeFile(t, real, "medusa-config.ts", storeConfig)
	writeFile(t, real, "src/lib/inner-route.ts", routeTS(`res.json({ inner: 1 })`))
	writeFile(t, outside, "outer-route.ts", "import { n } from \"./helper\"\n"+routeTS(`res.json({ outer: n })`))
	writeFile(t, outside, "helper.ts", "export const n = 1\n")
	writeFile(t, outside, "sub.ts", "export default async function sub() {}\nexport const config = { event: \"linked.event\" }\n")
	writeFile(t, outside, "dir/x/route.ts", routeTS(`res.json({ x: 1 })`))
	writeFile(t, real, "src/shared/y/route.ts", routeTS(`res.json({ y: 1 })`))
	for target, link := range map[string]string{
		filepath.Join(real, "src/lib/inner-route.ts"): "src/api/inner/route.ts",
		filepath.Join(outside, "outer-route.ts"):      "src/api/outer/route.ts",
		filepath.Join(outside, "sub.ts"):              "src/subscribers/sub.ts",
		filepath.Join(outside, "dir"):                 "src/api/linked-out",
		filepath.Join(real, "src/shared"):             "src/api/linked-in",
	} {
		p := filepath.Join(real, filepath.FromSlash(link))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	report, err := devserver.CheckWith(context.Background(), root, 5*time.Second, devserver.RuntimeEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	warned := 0
	for _, cd := range report.Diagnostics {
		if strings.HasPrefix(cd.File, "src/api/linked-") && cd.Code == "convention" && strings.Contains(cd.Message, "is a symbolic link to the directory") {
			warned++
		}
	}
	if warned != 2 {
		t.Fatalf("check: %d warnings about linked directories, want 2: %+v", warned, report.Diagnostics)
	}
	d := startDevAt(t, root, nil)
	d.Expect("/inner", 200, `{"inner":1}`)
	d.Expect("/outer", 200, `{"outer":1}`)
	d.Expect("/linked-out/x", 404, "")
	d.Expect("/linked-in/y", 404, "")
	for _, dir := range []string{"src/api/linked-out", "src/api/linked-in"} {
		if out := d.Out.String(); !strings.Contains(out, "warn: "+dir+" is a symbolic link to the directory") {
			t.Fatalf("no warning about %s:\n%s", dir, out)
		}
	}

	emit := func() string {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		out, err := devserver.Control(ctx, root, string(ipc.CmdEmitEvent), ipc.EmitArgs{Name: "linked.event", Data: json.RawMessage(`{}`)})
		return fmt.Sprintf("%s %v", out, err)
	}
	if got := emit(); !strings.Contains(got, `"subscribers":["sub"]`) || strings.Contains(got, `"error"`) {
		t.Fatalf("emit: %s", got)
	}
	for _, tc := range []struct{ name, dir, rel, content, path, want string }{
		{"target inside the project", real, "src/lib/inner-route.ts", routeTS(`res.json({ inner: 2 })`), "/inner", `{"inner":2}`},
		{"target outside the project", outside, "outer-route.ts", routeTS(`res.json({ outer: 2 })`), "/outer", `{"outer":2}`},
	} {
		writeFile(t, tc.dir, tc.rel, tc.content)
		testutil.Eventually(t, waitFor, func() string {
			if code, body := get(t, d.URL+tc.path); code != 200 || body != tc.want {
				return fmt.Sprintf("%s: %s answers %d %s", tc.name, tc.path, code, body)
			}
			return ""
		})
	}
	writeFile(t, outside, "sub.ts", "export default async function sub() { throw new Error(\"v2\") }\nexport const config = { event: \"linked.event\" }\n")
	testutil.Eventually(t, waitFor, func() string {
		if got := emit(); !strings.Contains(got, "v2") {
			return "the subscriber's target was saved; emit still runs the old code: " + got
		}
		return ""
	})
}
