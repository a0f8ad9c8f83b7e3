package jsvm

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/url"
)

//go:embed js/prelude.js
var preludeSource string

var preludeProgram = goja.MustCompile("medusa-ls:prelude.js", preludeSource, true)

func numCPU() int { return goruntime.NumCPU() }

// NodeVersion is what process.version reports: the Node API level the runtime imitates.
const NodeVersion = "v20.19.0"

func (rt *Runtime) installGlobals() error {
	vm := rt.vm
	buffer.Enable(vm)
	url.Enable(vm)

	host := vm.NewObject()
	_ = host.Set("addTimer", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(vm.NewTypeError("callback must be a function"))
		}
		ms := call.Argument(1).ToFloat()
		repeat := call.Argument(2).ToBoolean()
		var args []goja.Value
		if a, ok := call.Argument(3).(*goja.Object); ok {
			_ = vm.ExportTo(a, &args)
		}
		t, ok := rt.loop.addTimer(fn, time.Duration(ms*float64(time.Millisecond)), repeat, args)
		if !ok {
			// The owner (a retired module, a finished request) is gone: the timer would run
			// stale code, so it is dropped.
			return vm.ToValue(-1)
		}
		return vm.ToValue(t.id)
	})
	_ = host.Set("clearTimer", func(id int64) { rt.loop.clearTimer(id) })
	_ = host.Set("inspect", func(v goja.Value, depth int) string { return Inspect(vm, v, depth) })
	_ = host.Set("unsupported", func(what string) *goja.Object {
		return rt.NewUnsupported(what + " is not supported by the embedded runtime yet; run with --runtime node")
	})

	v, err := vm.RunProgram(preludeProgram)
	if err != nil {
		return fmt.Errorf("jsvm: prelude: %w", err)
	}
	fn, _ := goja.AssertFunction(v)
	res, err := fn(goja.Undefined(), host)
	if err != nil {
		return fmt.Errorf("jsvm: prelude: %w", err)
	}
	h := res.ToObject(vm)
	guard, _ := goja.AssertFunction(h.Get("guarded"))
	rt.helpersObj = h
	rt.guard = guard

	rt.installConsole()
	if err := rt.installProcess(); err != nil {
		return err
	}
	rt.installEncoding()
	_ = vm.Set("performance", map[string]any{
		"now":        func() float64 { return float64(time.Since(rt.started).Nanoseconds()) / 1e6 },
		"timeOrigin": float64(rt.started.UnixNano()) / 1e6,
	})
	unsupported := func(name string) func(goja.FunctionCall) goja.Value {
		return func(goja.FunctionCall) goja.Value {
			panic(rt.NewUnsupported(name + " is not supported by the embedded runtime yet; run with --runtime node"))
		}
	}
	_ = vm.Set("fetch", unsupported("fetch()"))
	// globalThis.crypto, Node 20's Web Crypto (randomUUID, getRandomValues), without requiring
	// "crypto" first: built on first use.
	_ = vm.GlobalObject().DefineAccessorProperty("crypto", vm.ToValue(func(goja.FunctionCall) goja.Value {
		mod, err := rt.RequireBuiltin("crypto")
		if err != nil {
			panic(vm.NewGoError(err))
		}
		web := mod.ToObject(vm).Get("webcrypto")
		_ = vm.GlobalObject().DefineDataProperty("crypto", web, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return web
	}), vm.ToValue(func(c goja.FunctionCall) goja.Value {
		_ = vm.GlobalObject().DefineDataProperty("crypto", c.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return goja.Undefined()
	}), goja.FLAG_TRUE, goja.FLAG_TRUE)
	return rt.installNode20()
}

// Guard wraps a builtin's exports so that reading an unknown member throws an
// UnsupportedError naming it. hint is appended to the message.
func (rt *Runtime) Guard(moduleName string, exports goja.Value, hint string) goja.Value {
	v, err := rt.guard(goja.Undefined(), rt.vm.ToValue(moduleName), exports, rt.vm.ToValue(hint))
	if err != nil {
		return exports
	}
	return v
}

// Helper returns a value the prelude exported (EventEmitter, promisify, …).
func (rt *Runtime) Helper(name string) goja.Value { return rt.helpersObj.Get(name) }

func (rt *Runtime) installConsole() {
	vm := rt.vm
	console := vm.NewObject()
	counts := map[string]int{}
	timers := map[string]time.Time{}
	logAt := func(level slog.Level) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			rt.console(level, Format(vm, call.Arguments))
			return goja.Undefined()
		}
	}
	_ = console.Set("log", logAt(slog.LevelInfo))
	_ = console.Set("info", logAt(slog.LevelInfo))
	_ = console.Set("debug", logAt(slog.LevelDebug))
	_ = console.Set("trace", logAt(slog.LevelDebug))
	_ = console.Set("warn", logAt(slog.LevelWarn))
	_ = console.Set("error", logAt(slog.LevelError))
	_ = console.Set("dir", func(v goja.Value) { rt.console(slog.LevelInfo, Inspect(vm, v, 2)) })
	_ = console.Set("table", logAt(slog.LevelInfo))
	_ = console.Set("assert", func(call goja.FunctionCall) goja.Value {
		if !call.Argument(0).ToBoolean() {
			msg := "Assertion failed"
			if len(call.Arguments) > 1 {
				msg += ": " + Format(vm, call.Arguments[1:])
			}
			rt.console(slog.LevelError, msg)
		}
		return goja.Undefined()
	})
	_ = console.Set("count", func(label string) {
		if label == "" || label == "undefined" {
			label = "default"
		}
		counts[label]++
		rt.console(slog.LevelInfo, fmt.Sprintf("%s: %d", label, counts[label]))
	})
	_ = console.Set("time", func(label string) { timers[label] = time.Now() })
	_ = console.Set("timeEnd", func(label string) {
		if t, ok := timers[label]; ok {
			rt.console(slog.LevelInfo, fmt.Sprintf("%s: %.3fms", label, float64(time.Since(t).Microseconds())/1000))
			delete(timers, label)
		}
	})
	_ = console.Set("timeLog", func(label string) {
		if t, ok := timers[label]; ok {
			rt.console(slog.LevelInfo, fmt.Sprintf("%s: %.3fms", label, float64(time.Since(t).Microseconds())/1000))
		}
	})
	_ = console.Set("group", logAt(slog.LevelInfo))
	_ = console.Set("groupEnd", func() {})
	_ = vm.Set("console", console)
}

// console sends a line to the sink with the file and line of the JavaScript that logged it.
func (rt *Runtime) console(level slog.Level, text string) {
	file, line := "", 0
	for _, f := range rt.vm.CaptureCallStack(8, nil) {
		if name := f.SrcName(); filepath.IsAbs(name) {
			file, line = name, f.Position().Line
			break
		}
	}
	if rt.opts.Console != nil {
		rt.opts.Console(level, file, line, text)
		return
	}
	prefix := ""
	if file != "" {
		prefix = fmt.Sprintf("[%s:%d] ", relOrBase(rt.opts.Root, file), line)
	}
	fmt.Fprintf(rt.opts.Stdout, "%s%s\n", prefix, text)
}

func relOrBase(root, file string) string {
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(file)
}

func (rt *Runtime) installProcess() error {
	vm := rt.vm
	ee, _ := goja.AssertConstructor(rt.Helper("EventEmitter"))
	proc, err := ee(nil)
	if err != nil {
		return fmt.Errorf("jsvm: process: %w", err)
	}
	env := vm.NewObject()
	for k, v := range rt.opts.Env {
		_ = env.Set(k, v)
	}
	platform := goruntime.GOOS
	if platform == "windows" {
		platform = "win32"
	}
	arch := map[string]string{"amd64": "x64", "386": "ia32"}[goruntime.GOARCH]
	if arch == "" {
		arch = goruntime.GOARCH
	}
	cwd := rt.opts.Root
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	set := func(k string, v any) { _ = proc.Set(k, v) }
	set("env", env)
	set("argv", []string{"node", filepath.Join(cwd, "medusa-ls")})
	set("execArgv", []string{})
	set("platform", platform)
	set("arch", arch)
	set("pid", os.Getpid())
	set("ppid", os.Getppid())
	set("title", "medusa-ls")
	set("version", NodeVersion)
	set("versions", map[string]string{"node": strings.TrimPrefix(NodeVersion, "v"), "goja": "embedded"})
	set("release", map[string]string{"name": "node"})
	set("exitCode", goja.Undefined())
	set("cwd", func() string { return cwd })
	set("chdir", func(string) { panic(rt.NewUnsupported("process.chdir() is not supported by the embedded runtime")) })
	set("exit", func(goja.FunctionCall) goja.Value {
		panic(rt.NewUnsupported("process.exit() would stop the dev server; it is not allowed in the embedded runtime"))
	})
	set("abort", func(goja.FunctionCall) goja.Value {
		panic(rt.NewUnsupported("process.abort() is not allowed in the embedded runtime"))
	})
	set("nextTick", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(vm.NewTypeError("callback must be a function"))
		}
		args := append([]goja.Value(nil), call.Arguments[1:]...)
		p, resolve, _ := vm.NewPromise()
		then, _ := goja.AssertFunction(vm.ToValue(p).ToObject(vm).Get("then"))
		_, _ = then(vm.ToValue(p), vm.ToValue(func(goja.FunctionCall) goja.Value {
			if _, err := fn(goja.Undefined(), args...); err != nil {
				rt.Throw(err)
			}
			return goja.Undefined()
		}))
		_ = resolve(goja.Undefined())
		return goja.Undefined()
	})
	hrtime := func(call goja.FunctionCall) goja.Value {
		ns := time.Since(rt.started).Nanoseconds()
		if prev, ok := call.Argument(0).Export().([]any); ok && len(prev) == 2 {
			ns -= toInt64(prev[0])*1e9 + toInt64(prev[1])
		}
		return vm.ToValue([]int64{ns / 1e9, ns % 1e9})
	}
	hr := vm.ToValue(hrtime).ToObject(vm)
	_ = hr.Set("bigint", func() goja.Value {
		bi, _ := vm.RunString(fmt.Sprintf("%dn", time.Since(rt.started).Nanoseconds()))
		return bi
	})
	set("hrtime", hr)
	set("uptime", func() float64 { return time.Since(rt.started).Seconds() })
	set("memoryUsage", func() map[string]uint64 {
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		return map[string]uint64{"rss": ms.Sys, "heapTotal": ms.HeapSys, "heapUsed": ms.HeapAlloc, "external": 0, "arrayBuffers": 0}
	})
	set("emitWarning", func(call goja.FunctionCall) goja.Value {
		rt.console(slog.LevelWarn, "Warning: "+call.Argument(0).String())
		return goja.Undefined()
	})
	stream := func(level slog.Level) map[string]any {
		return map[string]any{"write": func(s string) bool {
			rt.console(level, strings.TrimSuffix(s, "\n"))
			return true
		}, "isTTY": false}
	}
	set("stdout", stream(slog.LevelInfo))
	set("stderr", stream(slog.LevelError))
	_ = vm.Set("process", proc)
	return nil
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

func (rt *Runtime) installEncoding() {
	vm := rt.vm
	_ = vm.Set("btoa", func(s string) string {
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				panic(vm.NewTypeError("Invalid character"))
			}
			b = append(b, byte(r))
		}
		return base64.StdEncoding.EncodeToString(b)
	})
	_ = vm.Set("atob", func(s string) string {
		b, err := base64.StdEncoding.DecodeString(strings.TrimRight(s, "=") + strings.Repeat("=", (4-len(strings.TrimRight(s, "="))%4)%4))
		if err != nil {
			panic(vm.NewTypeError("The string to be decoded is not correctly encoded."))
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	})
	u8 := func(b []byte) goja.Value {
		ctor, _ := goja.AssertConstructor(vm.Get("Uint8Array"))
		obj, _ := ctor(nil, vm.ToValue(vm.NewArrayBuffer(b)))
		return obj
	}
	_, _ = vm.RunString(`globalThis.TextEncoder = class TextEncoder { get encoding() { return "utf-8"; } }`)
	_ = vm.Get("TextEncoder").ToObject(vm).Get("prototype").ToObject(vm).Set("encode", func(s goja.Value) goja.Value {
		if s == nil || goja.IsUndefined(s) {
			return u8(nil)
		}
		return u8([]byte(s.String()))
	})
	_, _ = vm.RunString(`globalThis.TextDecoder = class TextDecoder { constructor(enc = "utf-8") { this.encoding = String(enc).toLowerCase(); } }`)
	_ = vm.Get("TextDecoder").ToObject(vm).Get("prototype").ToObject(vm).Set("decode", func(v goja.Value) string {
		if v == nil || goja.IsUndefined(v) {
			return ""
		}
		var b []byte
		switch x := v.Export().(type) {
		case goja.ArrayBuffer:
			b = x.Bytes()
		case []byte:
			b = x
		default:
			b = buffer.Bytes(vm, v)
		}
		if !utf8.Valid(b) {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return string(b)
	})
}
