package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

func TestHeapProfile1000(t *testing.T) {
	out := os.Getenv("HEAP_PROFILE")
	if out == "" {
		t.Skip("set HEAP_PROFILE=file to write a heap profile of 1000 loaded routes")
	}
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "medusa-config.ts"), []byte(config), 0o644)
	for i := 0; i < 1000; i++ {
		p := filepath.Join(root, fmt.Sprintf("src/api/gen/r%04d/route.ts", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(route(fmt.Sprintf("res.json({ i: %d })", i))), 0o644)
	}
	app, _ := New(Options{Root: root, Env: map[string]string{}, TaskTimeout: 5 * time.Second, Output: discardWriter{}})
	defer app.Close()
	app.Load(context.Background())
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use %.1f MB, sys %.1f MB", float64(ms.HeapInuse)/1e6, float64(ms.Sys)/1e6)
	f, _ := os.Create(out)
	pprof.WriteHeapProfile(f)
	f.Close()
}

func TestHeapAfterManyReloads(t *testing.T) {
	if os.Getenv("HEAP_RELOADS") == "" {
		t.Skip("set HEAP_RELOADS=1 to print live heap across reloads")
	}
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "medusa-config.ts"), []byte(config), 0o644)
	p := filepath.Join(root, "src/api/x/route.ts")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte(route("res.json({ v: 0 })")), 0o644)
	app, _ := New(Options{Root: root, Env: map[string]string{}, TaskTimeout: 5 * time.Second, Output: discardWriter{}})
	defer app.Close()
	app.Load(context.Background())
	live := func() float64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / 1e6
	}
	for round := 0; round <= 4; round++ {
		t.Logf("after %4d reloads: live heap %.2f MB", round*1000, live())
		for i := 0; i < 1000; i++ {
			os.WriteFile(p, []byte(route(fmt.Sprintf("res.json({ v: %d })", round*1000+i))), 0o644)
			app.Reload(context.Background(), []Change{{Action: ActionChange, File: p}})
		}
	}
}
