package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkReloadOneRoute measures one route edit in a project of many routes.
func BenchmarkReloadOneRoute(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			root := b.TempDir()
			os.WriteFile(filepath.Join(root, "medusa-config.ts"), []byte(config), 0o644)
			for i := 0; i < n; i++ {
				p := filepath.Join(root, fmt.Sprintf("src/api/gen/r%04d/route.ts", i))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte(route(fmt.Sprintf("res.json({ i: %d })", i))), 0o644)
			}
			app, err := New(Options{Root: root, Env: map[string]string{}, TaskTimeout: 5 * time.Second, Output: discardWriter{}})
			if err != nil {
				b.Fatal(err)
			}
			defer app.Close()
			if res := app.Load(context.Background()); !res.Success {
				b.Fatal(res.Errors)
			}
			target := filepath.Join(root, "src/api/gen/r0000/route.ts")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				os.WriteFile(target, []byte(route(fmt.Sprintf("res.json({ v: %d })", i))), 0o644)
				if res := app.Reload(context.Background(), []Change{{Action: ActionChange, File: target}}); !res.Success {
					b.Fatal(res.Errors)
				}
			}
		})
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
