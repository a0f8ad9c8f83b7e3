//go:build unix

package devserver_test

import (
	"os"
	"path/filepath"
	"testing"
)

// A project opened through a symbolic link to its directory is watched like any other: saves,
// under the link or under the real path, reload.
func TestSymlinkedRootReloads(t *testing.T) {
	real := t.TempDir()
	writeFile(t, real, "medusa-config.ts", storeConfig)
	writeFile(t, real, "src/api/hello/route.ts", routeTS(`res.json({ v: 1 })`))
	link := filepath.Join(t.TempDir(), "project")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	d := startDevAt(t, link, nil)
	d.Expect("/hello", 200, `{"v":1}`)
	res := d.Edit("src/api/hello/route.ts", routeTS(`res.json({ v: 2 })`)) // through the link
	if !res.Success || len(res.Reloaded) != 1 {
		t.Fatalf("%+v", res)
	}
	d.Expect("/hello", 200, `{"v":2}`)
	n := len(d.Results("reload"))
	writeFile(t, real, "src/api/hello/route.ts", routeTS(`res.json({ v: 3 })`)) // under the real path
	if res := d.WaitResult("reload", n); !res.Success {
		t.Fatalf("%+v", res)
	}
	d.Expect("/hello", 200, `{"v":3}`)
}
