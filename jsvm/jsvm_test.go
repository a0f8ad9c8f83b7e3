package jsvm

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
)

// project writes files (relative path → content) into a temp dir and returns its path.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		write(t, filepath.Join(dir, rel), content)
	}
	return dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newRuntime(t *testing.T, root string, opts ...func(*Options)) *Runtime {
	t.Helper()
	o := Options{Root: root, TaskTimeout: 2 * time.Second, Env: map[string]string{"GREETING": "hi"}}
	for _, f := range opts {
		f(&o)
	}
	rt, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt
}

// load evaluates path in a new transaction over base and commits it.
func load(t *testing.T, rt *Runtime, base *ModuleSet, invalid map[string]bool, path string) (*ModuleSet, *Module, error) {
	t.Helper()
	var (
		set *ModuleSet
		mod *Module
		err error
	)
	doErr := rt.Do(context.Background(), nil, "test", func(vm *goja.Runtime) error {
		tx := rt.Begin(base, invalid)
		mod, err = tx.Require(path)
		if err != nil {
			tx.Rollback()
			return nil
		}
		set = tx.Commit()
		return nil
	})
	if doErr != nil {
		t.Fatal(doErr)
	}
	return set, mod, err
}

// call runs export name of m with args and waits for its (promise) result, as JSON.
func call(t *testing.T, rt *Runtime, m *Module, name string, args ...any) (string, error) {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	err := rt.Do(context.Background(), nil, "call "+name, func(vm *goja.Runtime) error {
		fn, ok := goja.AssertFunction(m.Export(vm, name))
		if !ok {
			return errors.New(name + " is not a function")
		}
		vals := make([]goja.Value, len(args))
		for i, a := range args {
			vals[i] = vm.ToValue(a)
		}
		rt.CallAsync(fn, goja.Undefined(), vals, func(v goja.Value, err error) {
			if err != nil {
				ch <- result{err: err}
				return
			}
			s, jerr := jsonStringify(vm, v)
			ch <- result{s: s, err: jerr}
		})
		return nil
	})
	if err != nil {
		return "", err
	}
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(30 * time.Second):
		t.Fatal("call did not settle")
		return "", nil
	}
}

func TestLoadTypeScriptAndCall(t *testing.T) {
	root := project(t, map[string]string{
		"src/lib/math.ts": `export enum Op { Add = "add" }
export interface Pair { a: number; b: number }
export function add({ a, b }: Pair): number { return a + b }
`,
		"src/main.ts": `import { add, Op } from "./lib/math"
import type { Pair } from "./lib/math"
import path from "node:path"
import { createHash, randomUUID } from "crypto"
export async function run(p: Pair) {
  await new Promise((r) => setTimeout(r, 5))
  return {
    op: Op.Add, sum: add(p), env: process.env.GREETING,
    joined: path.join("/a/b", "../c", "d.ts"), ext: path.extname("x/y.test.ts"),
    sha: createHash("sha256").update("medusa").digest("hex").slice(0, 12),
    uuid: /^[0-9a-f-]{36}$/.test(randomUUID()),
  }
}
`,
	})
	rt := newRuntime(t, root)
	_, m, err := load(t, rt, nil, nil, filepath.Join(root, "src/main.ts"))
	if err != nil {
		t.Fatalf("load: %v", rt.Diagnostics(err, diag.CodeLoad))
	}
	got, err := call(t, rt, m, "run", map[string]any{"a": 2, "b": 3})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"op":"add","sum":5,"env":"hi","joined":"/a/c/d.ts","ext":".ts","sha":"823e291431cf","uuid":true}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestErrorsPointAtTypeScriptLines(t *testing.T) {
	root := project(t, map[string]string{})
	// A directory name that a URL would have to escape.
	root = filepath.Join(root, "my shop ü #1")
	for rel, content := range map[string]string{
		"src/thrower.ts": `interface A {
  x: number
}
type B = A & { y: string }

export function boom(): never {
  throw new Error("kaboom")
}

export async function boomLater() {
  await Promise.resolve()
  const o: any = undefined
  return o.missing
}
`,
	} {
		write(t, filepath.Join(root, rel), content)
	}
	rt := newRuntime(t, root)
	_, m, err := load(t, rt, nil, nil, filepath.Join(root, "src/thrower.ts"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		export string
		line   int
		msg    string
	}{
		{"boom", 7, "Error: kaboom"},
		{"boomLater", 13, "TypeError: Cannot read property 'missing' of undefined"},
	}
	for _, tc := range tests {
		t.Run(tc.export, func(t *testing.T) {
			_, err := call(t, rt, m, tc.export)
			if err == nil {
				t.Fatal("expected an error")
			}
			ds := rt.Diagnostics(err, diag.CodeRuntime)
			if len(ds) == 0 {
				t.Fatal("no diagnostics")
			}
			d := ds[0]
			if d.File != filepath.Join(root, "src/thrower.ts") || d.Line != tc.line || !strings.Contains(d.Message, tc.msg) || d.Code != diag.CodeRuntime {
				t.Fatalf("got %+v, want line %d %q", d, tc.line, tc.msg)
			}
		})
	}
}

func TestSyntaxErrorInImportedFile(t *testing.T) {
	root := project(t, map[string]string{
		"src/utils/fmt.ts": "export const fmt = (s: string) => {\n  return s +;\n}\n",
		"src/api/route.ts": "// a route\nimport { fmt } from \"../utils/fmt\"\nexport const GET = () => fmt(\"x\")\n",
	})
	rt := newRuntime(t, root)
	_, _, err := load(t, rt, nil, nil, filepath.Join(root, "src/api/route.ts"))
	if err == nil {
		t.Fatal("expected a load error")
	}
	ds := rt.Diagnostics(err, diag.CodeLoad)
	// One diagnostic per cause: the import site is its related place.
	if len(ds) != 1 || len(ds[0].Related) != 1 {
		t.Fatalf("want the syntax error with the import site as related, got %+v", ds)
	}
	if d := ds[0]; d.File != filepath.Join(root, "src/utils/fmt.ts") || d.Line != 2 || d.Column != 13 || d.Code != diag.CodeSyntax {
		t.Fatalf("syntax error at %+v", d)
	}
	if r := ds[0].Related[0]; r.File != filepath.Join(root, "src/api/route.ts") || r.Line != 2 {
		t.Fatalf("import site at %+v", r)
	}
}

func TestRunawayTopLevelIsInterrupted(t *testing.T) {
	root := project(t, map[string]string{
		"src/loop.ts": "let n = 0\nwhile (true) { n++ }\nexport const x = n\n",
		"src/ok.ts":   "export const ok = 42\n",
	})
	rt := newRuntime(t, root, func(o *Options) { o.TaskTimeout = 150 * time.Millisecond })
	_, _, err := load(t, rt, nil, nil, filepath.Join(root, "src/loop.ts"))
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("want an interrupt, got %v", err)
	}
	ds := rt.Diagnostics(err, diag.CodeLoad)
	if len(ds) == 0 || ds[0].Code != diag.CodeLoad || !strings.Contains(ds[0].Message, "interrupted") || ds[0].Line != 2 {
		t.Fatalf("diagnostics %+v", ds)
	}
	// The runtime keeps working.
	_, m, err := load(t, rt, nil, nil, filepath.Join(root, "src/ok.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Do(context.Background(), nil, "check", func(vm *goja.Runtime) error {
		if got := m.Export(vm, "ok").ToInteger(); got != 42 {
			t.Errorf("ok = %d", got)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestTransactionReevaluatesImportersOnly(t *testing.T) {
	root := project(t, map[string]string{
		"src/a.ts":    "export const v = 1\n",
		"src/b.ts":    "import { v } from './a'\nexport const get = () => v\n",
		"src/c.ts":    "let hits = 0\nexport const hit = () => ++hits\n",
		"src/main.ts": "import { get } from './b'\nimport { hit } from './c'\nexport const value = () => ({ v: get(), hits: hit() })\n",
	})
	rt := newRuntime(t, root)
	main := filepath.Join(root, "src/main.ts")
	set, m, err := load(t, rt, nil, nil, main)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := call(t, rt, m, "value"); got != `{"v":1,"hits":1}` {
		t.Fatalf("first: %s", got)
	}
	cBefore := set.Get(filepath.Join(root, "src/c.ts"))

	write(t, filepath.Join(root, "src/a.ts"), "export const v = 2\n")
	invalid := set.Importers([]string{filepath.Join(root, "src/a.ts")})
	for _, p := range []string{"src/a.ts", "src/b.ts", "src/main.ts"} {
		if !invalid[filepath.Join(root, p)] {
			t.Errorf("%s should be invalidated", p)
		}
	}
	if invalid[filepath.Join(root, "src/c.ts")] {
		t.Error("c.ts does not import a.ts")
	}
	set2, m2, err := load(t, rt, set, invalid, main)
	if err != nil {
		t.Fatal(err)
	}
	// c.ts kept its instance, and so its state.
	if got, _ := call(t, rt, m2, "value"); got != `{"v":2,"hits":2}` {
		t.Fatalf("after reload: %s", got)
	}
	if set2.Get(filepath.Join(root, "src/c.ts")) != cBefore {
		t.Fatal("unchanged module was re-evaluated")
	}
	// The old generation still runs the old code (in-flight requests finish on it).
	if got, _ := call(t, rt, m, "value"); got != `{"v":1,"hits":3}` {
		t.Fatalf("old generation: %s", got)
	}
}

func TestRollbackKeepsPreviousGeneration(t *testing.T) {
	root := project(t, map[string]string{"src/a.ts": "export const v = () => 'good'\n"})
	rt := newRuntime(t, root)
	a := filepath.Join(root, "src/a.ts")
	set, m, err := load(t, rt, nil, nil, a)
	if err != nil {
		t.Fatal(err)
	}
	write(t, a, "export const v = () => 'bad' +\n")
	if _, _, err := load(t, rt, set, map[string]bool{a: true}, a); err == nil {
		t.Fatal("broken file loaded")
	}
	if set.Get(a) != m {
		t.Fatal("the previous generation changed")
	}
	if got, _ := call(t, rt, m, "v"); got != `"good"` {
		t.Fatalf("got %s", got)
	}
}

func TestRetiredModuleTimersStop(t *testing.T) {
	root := project(t, map[string]string{
		"src/tick.ts": "export let ticks = 0\nsetInterval(() => { ticks++ }, 1)\n",
	})
	rt := newRuntime(t, root)
	p := filepath.Join(root, "src/tick.ts")
	set, m, err := load(t, rt, nil, nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Owner.PendingTimers() != 1 {
		t.Fatalf("pending timers = %d", m.Owner.PendingTimers())
	}
	if _, _, err := load(t, rt, set, map[string]bool{p: true}, p); err != nil {
		t.Fatal(err)
	}
	if m.Owner.PendingTimers() != 0 {
		t.Fatal("the retired module's interval is still scheduled")
	}
}

func TestNodeModulesPackages(t *testing.T) {
	root := project(t, map[string]string{
		"node_modules/esm-pkg/package.json":     `{"name":"esm-pkg","type":"module","exports":{".":{"import":"./dist/index.js"},"./sub":"./dist/sub.js"}}`,
		"node_modules/esm-pkg/dist/index.js":    "export default function greet(n) { return 'hello ' + n }\nexport const named = 1\n",
		"node_modules/esm-pkg/dist/sub.js":      "export const sub = 'sub'\n",
		"node_modules/cjs-pkg/package.json":     `{"name":"cjs-pkg","main":"lib/main.js"}`,
		"node_modules/cjs-pkg/lib/main.js":      "module.exports = function twice(x) { return x * 2 }\n",
		"node_modules/@scope/json/package.json": `{"name":"@scope/json","main":"data.json"}`,
		"node_modules/@scope/json/data.json":    `{"k":"v"}`,
		"src/main.ts": `import greet, { named } from "esm-pkg"
import { sub } from "esm-pkg/sub"
import twice from "cjs-pkg"
import data from "@scope/json"
export const run = () => [greet("x"), named, sub, twice(4), data.k]
`,
	})
	rt := newRuntime(t, root)
	_, m, err := load(t, rt, nil, nil, filepath.Join(root, "src/main.ts"))
	if err != nil {
		t.Fatal(rt.Diagnostics(err, diag.CodeLoad))
	}
	if got, _ := call(t, rt, m, "run"); got != `["hello x",1,"sub",8,"v"]` {
		t.Fatalf("got %s", got)
	}
}

func TestUnsupportedIsAClearError(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"module", "import { exec } from 'child_process'\nexport const x = exec\n", `the Node module "child_process" is not supported`},
		{"member", "import crypto from 'crypto'\nexport const x = crypto.createCipheriv('aes', 'k', 'iv')\n", `crypto.createCipheriv() is not provided by the embedded runtime`},
		{"missing package", "import x from 'left-pad'\nexport const y = x\n", "Cannot find module 'left-pad'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := project(t, map[string]string{"src/x.ts": tc.src})
			rt := newRuntime(t, root)
			_, _, err := load(t, rt, nil, nil, filepath.Join(root, "src/x.ts"))
			if err == nil {
				t.Fatal("loaded")
			}
			ds := rt.Diagnostics(err, diag.CodeLoad)
			if len(ds) == 0 || !strings.Contains(ds[0].Message, tc.want) || ds[0].Line == 0 {
				t.Fatalf("got %+v, want %q with a line", ds, tc.want)
			}
		})
	}
}

func TestConsoleNamesTheFile(t *testing.T) {
	root := project(t, map[string]string{"src/log.ts": "\nconsole.log('n=%d', 5, { a: [1, 'x'] })\n"})
	var mu sync.Mutex
	var lines []string
	rt := newRuntime(t, root, func(o *Options) {
		o.Console = func(level slog.Level, file string, line int, text string) {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, diag.RelPath(root, file)+":"+itoa(line)+" "+text)
		}
	})
	if _, _, err := load(t, rt, nil, nil, filepath.Join(root, "src/log.ts")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 1 || lines[0] != "src/log.ts:2 n=5 { a: [ 1, 'x' ] }" {
		t.Fatalf("got %q", lines)
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
