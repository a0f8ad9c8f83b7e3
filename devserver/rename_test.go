//go:build unix

package devserver_test

import (
	"os"
	"path/filepath"
	"testing"
)

// The embedded runtime after a route folder is renamed: the routes move with it, and files
// added to it, to a new subfolder of it, or removed from it later all reload.
func TestRenamedRouteFolderKeepsReloading(t *testing.T) {
	d := startDev(t, map[string]string{
		"src/api/custom/ren-a/[id]/route.ts": routeTS(`res.json({ item: req.params.id })`),
	}, nil)
	d.Expect("/custom/ren-a/7", 200, `{"item":"7"}`)
	n := len(d.Results("reload"))
	if err := os.Rename(filepath.Join(d.Root, "src/api/custom/ren-a"), filepath.Join(d.Root, "src/api/custom/ren-b")); err != nil {
		t.Fatal(err)
	}
	// one batch: the route under its new name, and under its old one removed
	res := d.WaitReloadOf(n, "src/api/custom/ren-b/[id]/route.ts")
	if !res.Success || len(res.Files) != 2 || len(res.Removed) != 1 || res.Removed[0].Name != "GET /custom/ren-a/:id" {
		t.Fatalf("want one reload of both names, GET /custom/ren-a/:id removed; got %+v", res)
	}
	d.Expect("/custom/ren-b/7", 200, `{"item":"7"}`)
	d.Expect("/custom/ren-a/7", 404, "")
	for _, rel := range []string{"src/api/custom/ren-b/special/route.ts", "src/api/custom/ren-b/route.ts"} {
		if res := d.Edit(rel, routeTS(`res.json({ at: "`+rel+`" })`)); !res.Success {
			t.Fatalf("%s: %+v", rel, res)
		}
	}
	d.Expect("/custom/ren-b/special", 200, `special/route.ts`)
	d.Expect("/custom/ren-b", 200, `ren-b/route.ts`)
	n = len(d.Results("reload"))
	if err := os.Remove(filepath.Join(d.Root, "src/api/custom/ren-b/route.ts")); err != nil {
		t.Fatal(err)
	}
	if res := d.WaitReloadOf(n, "src/api/custom/ren-b/route.ts"); !res.Success {
		t.Fatalf("%+v", res)
	}
	d.Expect("/custom/ren-b", 404, "")
}
