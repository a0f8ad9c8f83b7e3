package jsvm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// A transform is written to the disk cache in the background and is there once the runtime
// has closed, owner-only; the next runtime takes it from there instead of transforming again.
func TestDiskCacheIsWrittenInTheBackgroundAndReused(t *testing.T) {
	root := project(t, map[string]string{"src/a.ts": "export const v: number = 1\n"})
	cache := filepath.Join(t.TempDir(), "transforms")
	file := filepath.Join(root, "src/a.ts")
	src, _ := os.ReadFile(file)

	rt := newRuntime(t, root, func(o *Options) { o.CacheDir = cache })
	if problems := rt.Check(file, src); len(problems) > 0 {
		t.Fatal(problems)
	}
	rt.Close()
	key := rt.comp.tr.disk.key(rt.comp.tr.tsconfig, file, src)
	entry := rt.comp.tr.disk.file(key)
	b, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(b), "exports") {
		t.Fatalf("no cache entry after Close: %v %s", err, b)
	}
	for _, p := range []string{cache, filepath.Dir(entry), entry} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: readable by others", p, st.Mode().Perm())
		}
	}

	// The next runtime evaluates what the cache holds (an entry edited here to tell it apart).
	b = []byte(strings.Replace(string(b), "const v = 1;", "const v = 42;", 1))
	if !strings.Contains(string(b), "42") {
		t.Fatalf("unexpected transform: %s", b)
	}
	if err := os.WriteFile(entry, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rt2 := newRuntime(t, root, func(o *Options) { o.CacheDir = cache })
	_, m, err := load(t, rt2, nil, nil, file)
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	_ = rt2.Do(context.Background(), nil, "read", func(vm *goja.Runtime) error {
		got = m.Export(vm, "v").ToInteger()
		return nil
	})
	if got != 42 {
		t.Fatalf("v = %d: the cached transform was not used", got)
	}
}

// A reload reads each file once: what Precompile read is what the transaction evaluates, and
// the transaction's end forgets it, so the next one reads the file again.
func TestTransactionEvaluatesWhatPrecompileRead(t *testing.T) {
	root := project(t, map[string]string{"src/a.ts": "export const v = 1\n"})
	file := filepath.Join(root, "src/a.ts")
	rt := newRuntime(t, root)
	value := func(m *Module) (v int64) {
		_ = rt.Do(context.Background(), nil, "read", func(vm *goja.Runtime) error {
			v = m.Export(vm, "v").ToInteger()
			return nil
		})
		return v
	}
	rt.Precompile([]string{file})
	write(t, file, "export const v = 2\n") // after the read: this save's content is v = 1
	set, m, err := load(t, rt, nil, nil, file)
	if err != nil {
		t.Fatal(err)
	}
	if got := value(m); got != 1 || string(m.Source) != "export const v = 1\n" {
		t.Fatalf("v = %d, source %q: evaluated a second read of the file", got, m.Source)
	}
	_, m, err = load(t, rt, set, map[string]bool{file: true}, file)
	if err != nil {
		t.Fatal(err)
	}
	if got := value(m); got != 2 {
		t.Fatalf("v = %d: the next transaction used a read it had not made", got)
	}
}
