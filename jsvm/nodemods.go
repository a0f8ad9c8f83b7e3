package jsvm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math/big"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	gojarequire "github.com/dop251/goja_nodejs/require"
)

// unsupportedNodeModules are Node built-ins the embedded runtime does not provide; requiring
// one throws an UnsupportedError with this hint.
var unsupportedNodeModules = map[string]string{
	"child_process": "; run with --runtime node", "cluster": "", "dgram": "; run with --runtime node",
	"dns": "; run with --runtime node", "http": "; run with --runtime node", "https": "; run with --runtime node",
	"http2": "; run with --runtime node", "net": "; run with --runtime node", "tls": "; run with --runtime node",
	"vm": "", "worker_threads": "", "zlib": "; run with --runtime node", "readline": "", "stream": "; run with --runtime node",
	"stream/promises": "; run with --runtime node", "inspector": "", "v8": "", "async_hooks": "; run with --runtime node",
	"string_decoder": "", "diagnostics_channel": "", "module": "", "repl": "", "tty": "", "punycode": "",
	"sqlite": "", "test": "",
}

func nodeBuiltins() []Builtin {
	return []Builtin{
		{Name: "path", Load: loadPath},
		{Name: "path/posix", Load: loadPath},
		{Name: "events", Load: func(rt *Runtime, m *goja.Object) error { return m.Set("exports", rt.Helper("EventEmitter")) }},
		{Name: "util", Load: loadUtil},
		{Name: "util/types", Load: func(rt *Runtime, m *goja.Object) error {
			u, err := rt.requireBuiltin("util")
			if err != nil {
				return err
			}
			return m.Set("exports", u.ToObject(rt.vm).Get("types"))
		}},
		{Name: "buffer", Load: func(rt *Runtime, m *goja.Object) error {
			return m.Set("exports", gojarequire.Require(rt.vm, "buffer"))
		}},
		{Name: "url", Load: loadURL},
		{Name: "crypto", Load: loadCrypto},
		{Name: "os", Load: loadOS},
		{Name: "fs", Load: loadFS},
		{Name: "assert", Load: func(rt *Runtime, m *goja.Object) error { return m.Set("exports", rt.Helper("assert")) }},
		{Name: "assert/strict", Load: func(rt *Runtime, m *goja.Object) error { return m.Set("exports", rt.Helper("assert")) }},
		{Name: "querystring", Load: func(rt *Runtime, m *goja.Object) error { return m.Set("exports", rt.Helper("querystring")) }},
		{Name: "fs/promises", Load: func(rt *Runtime, m *goja.Object) error {
			fs, err := rt.requireBuiltin("fs")
			if err != nil {
				return err
			}
			return m.Set("exports", fs.ToObject(rt.vm).Get("promises"))
		}},
		{Name: "timers", Load: loadTimers},
		{Name: "timers/promises", Load: loadTimersPromises},
		{Name: "perf_hooks", Load: func(rt *Runtime, m *goja.Object) error {
			return m.Set("exports", map[string]any{"performance": rt.vm.Get("performance")})
		}},
		{Name: "process", Load: func(rt *Runtime, m *goja.Object) error { return m.Set("exports", rt.vm.Get("process")) }},
		{Name: "console", Load: func(rt *Runtime, m *goja.Object) error { return m.Set("exports", rt.vm.Get("console")) }},
	}
}

func setAll(obj *goja.Object, kv map[string]any) error {
	for k, v := range kv {
		if err := obj.Set(k, v); err != nil {
			return err
		}
	}
	return nil
}

func loadPath(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	cwd := rt.opts.Root
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	strs := func(call goja.FunctionCall) []string {
		out := make([]string, 0, len(call.Arguments))
		for _, a := range call.Arguments {
			if !goja.IsString(a) {
				panic(vm.NewTypeError(fmt.Sprintf("The \"path\" argument must be of type string. Received %s", a.String())))
			}
			out = append(out, a.String())
		}
		return out
	}
	p := vm.NewObject()
	err := setAll(p, map[string]any{
		"sep": "/", "delimiter": ":",
		"join": func(call goja.FunctionCall) goja.Value {
			parts := strs(call)
			joined := strings.Join(nonEmpty(parts), "/")
			if joined == "" {
				return vm.ToValue(".")
			}
			return vm.ToValue(normalizePath(joined))
		},
		"resolve": func(call goja.FunctionCall) goja.Value {
			res := ""
			parts := strs(call)
			for i := len(parts) - 1; i >= 0; i-- {
				if parts[i] == "" {
					continue
				}
				if res == "" {
					res = parts[i]
				} else {
					res = parts[i] + "/" + res
				}
				if strings.HasPrefix(parts[i], "/") {
					break
				}
			}
			if !strings.HasPrefix(res, "/") {
				res = filepath.ToSlash(cwd) + "/" + res
			}
			out := normalizePath(res)
			if len(out) > 1 {
				out = strings.TrimSuffix(out, "/")
			}
			return vm.ToValue(out)
		},
		"normalize": func(s string) string {
			if s == "" {
				return "."
			}
			return normalizePath(s)
		},
		"isAbsolute": func(s string) bool { return strings.HasPrefix(s, "/") },
		"dirname": func(s string) string {
			if s == "" {
				return "."
			}
			s2 := strings.TrimRight(s, "/")
			if s2 == "" {
				return "/"
			}
			i := strings.LastIndexByte(s2, '/')
			switch {
			case i < 0:
				return "."
			case i == 0:
				return "/"
			}
			return strings.TrimRight(s2[:i], "/")
		},
		"basename": func(s string, ext goja.Value) string {
			s = strings.TrimRight(s, "/")
			if i := strings.LastIndexByte(s, '/'); i >= 0 {
				s = s[i+1:]
			}
			if ext != nil && !goja.IsUndefined(ext) {
				if e := ext.String(); e != "" && e != s {
					s = strings.TrimSuffix(s, e)
				}
			}
			return s
		},
		"extname": extname,
		"relative": func(from, to string) string {
			if !strings.HasPrefix(from, "/") {
				from = cwd + "/" + from
			}
			if !strings.HasPrefix(to, "/") {
				to = cwd + "/" + to
			}
			rel, err := filepath.Rel(normalizePath(from), normalizePath(to))
			if err != nil || rel == "." {
				return ""
			}
			return filepath.ToSlash(rel)
		},
		"parse": func(s string) map[string]string {
			root := ""
			if strings.HasPrefix(s, "/") {
				root = "/"
			}
			dir, base := "", s
			if i := strings.LastIndexByte(strings.TrimRight(s, "/"), '/'); i >= 0 {
				dir, base = s[:max(i, 1)], strings.TrimRight(s[i+1:], "/")
			}
			ext := extname(base)
			return map[string]string{"root": root, "dir": dir, "base": base, "ext": ext, "name": strings.TrimSuffix(base, ext)}
		},
		"format": func(o map[string]any) string {
			get := func(k string) string { s, _ := o[k].(string); return s }
			dir := get("dir")
			if dir == "" {
				dir = get("root")
			}
			base := get("base")
			if base == "" {
				base = get("name") + get("ext")
			}
			if dir == "" {
				return base
			}
			if dir == get("root") {
				return dir + base
			}
			return dir + "/" + base
		},
		"toNamespacedPath": func(s string) string { return s },
	})
	if err != nil {
		return err
	}
	_ = p.Set("posix", p)
	_ = p.Set("win32", rt.Guard("path.win32", vm.NewObject(), "; only POSIX paths are supported"))
	return m.Set("exports", p)
}

func nonEmpty(parts []string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// normalizePath is Node's path.posix.normalize: it keeps a trailing slash, unlike path.Clean.
func normalizePath(s string) string {
	trailing := strings.HasSuffix(s, "/")
	abs := strings.HasPrefix(s, "/")
	var out []string
	for _, seg := range strings.Split(s, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 && out[len(out)-1] != ".." {
				out = out[:len(out)-1]
			} else if !abs {
				out = append(out, "..")
			}
		default:
			out = append(out, seg)
		}
	}
	res := strings.Join(out, "/")
	if abs {
		res = "/" + res
	}
	if res == "" {
		return "."
	}
	if trailing && !strings.HasSuffix(res, "/") {
		res += "/"
	}
	return res
}

func extname(s string) string {
	base := strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	i := strings.LastIndexByte(base, '.')
	if i <= 0 || base == ".." {
		return ""
	}
	return base[i:]
}

func loadUtil(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	isClass := func(cls string) func(goja.Value) bool {
		return func(v goja.Value) bool {
			o, ok := v.(*goja.Object)
			return ok && o.ClassName() == cls
		}
	}
	types := vm.NewObject()
	_ = setAll(types, map[string]any{
		"isDate": isClass("Date"), "isRegExp": isClass("RegExp"), "isPromise": isClass("Promise"),
		"isMap": isClass("Map"), "isSet": isClass("Set"), "isNativeError": isClass("Error"),
		"isAsyncFunction": func(v goja.Value) bool {
			o, ok := v.(*goja.Object)
			return ok && strings.HasPrefix(o.String(), "async ")
		},
	})
	u := vm.NewObject()
	err := setAll(u, map[string]any{
		"format":            func(call goja.FunctionCall) goja.Value { return vm.ToValue(Format(vm, call.Arguments)) },
		"inspect":           rt.Helper("inspect"),
		"promisify":         rt.Helper("promisify"),
		"callbackify":       rt.Helper("callbackify"),
		"inherits":          rt.Helper("inherits"),
		"isDeepStrictEqual": rt.Helper("isDeepStrictEqual"),
		"types":             types,
		"TextEncoder":       vm.Get("TextEncoder"),
		"TextDecoder":       vm.Get("TextDecoder"),
		"isArray":           func(v goja.Value) bool { o, ok := v.(*goja.Object); return ok && o.ClassName() == "Array" },
		"deprecate":         func(fn goja.Value, _ string) goja.Value { return fn },
		"debuglog": func(string) func(goja.FunctionCall) goja.Value {
			return func(goja.FunctionCall) goja.Value { return goja.Undefined() }
		},
	})
	if err != nil {
		return err
	}
	return m.Set("exports", rt.Guard("util", u, ""))
}

func loadURL(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	base := gojarequire.Require(vm, "url").ToObject(vm)
	u := vm.NewObject()
	for _, k := range base.Keys() {
		_ = u.Set(k, base.Get(k))
	}
	err := setAll(u, map[string]any{
		"fileURLToPath": func(v goja.Value) string {
			s := v.String()
			if o, ok := v.(*goja.Object); ok {
				if h := o.Get("href"); h != nil {
					s = h.String()
				}
			}
			if !strings.HasPrefix(s, "file://") {
				panic(vm.NewTypeError("The URL must be of scheme file"))
			}
			return strings.TrimPrefix(s, "file://")
		},
		"pathToFileURL": func(p string) goja.Value {
			ctor, _ := goja.AssertConstructor(base.Get("URL"))
			obj, err := ctor(nil, vm.ToValue("file://"+filepath.ToSlash(p)))
			if err != nil {
				panic(err)
			}
			return obj
		},
	})
	if err != nil {
		return err
	}
	return m.Set("exports", rt.Guard("url", u, ""))
}

func loadCrypto(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	bufferOf := func(v goja.Value, enc goja.Value) []byte {
		if goja.IsString(v) {
			if enc == nil || goja.IsUndefined(enc) {
				return []byte(v.String())
			}
			return buffer.DecodeBytes(vm, v, enc)
		}
		return buffer.Bytes(vm, v)
	}
	encode := func(b []byte, enc goja.Value) goja.Value {
		if enc == nil || goja.IsUndefined(enc) {
			return buffer.WrapBytes(vm, b)
		}
		switch enc.String() {
		case "hex":
			return vm.ToValue(hex.EncodeToString(b))
		case "base64":
			return vm.ToValue(base64.StdEncoding.EncodeToString(b))
		case "base64url":
			return vm.ToValue(base64.RawURLEncoding.EncodeToString(b))
		case "latin1", "binary":
			r := make([]rune, len(b))
			for i, c := range b {
				r[i] = rune(c)
			}
			return vm.ToValue(string(r))
		default:
			return vm.ToValue(string(b))
		}
	}
	newHash := func(alg string) hash.Hash {
		switch strings.ToLower(strings.ReplaceAll(alg, "-", "")) {
		case "md5":
			return md5.New()
		case "sha1":
			return sha1.New()
		case "sha256":
			return sha256.New()
		case "sha384":
			return sha512.New384()
		case "sha512":
			return sha512.New()
		}
		panic(rt.NewUnsupported(fmt.Sprintf("crypto: digest %q is not supported by the embedded runtime (md5, sha1, sha256, sha384, sha512 are)", alg)))
	}
	hashObject := func(h hash.Hash) *goja.Object {
		obj := vm.NewObject()
		_ = obj.Set("update", func(data, enc goja.Value) *goja.Object {
			h.Write(bufferOf(data, enc))
			return obj
		})
		_ = obj.Set("digest", func(enc goja.Value) goja.Value { return encode(h.Sum(nil), enc) })
		_ = obj.Set("copy", func() *goja.Object {
			panic(rt.NewUnsupported("crypto: Hash.copy() is not supported by the embedded runtime"))
		})
		return obj
	}
	c := vm.NewObject()
	err := setAll(c, map[string]any{
		"randomUUID": func() string {
			var b [16]byte
			_, _ = rand.Read(b[:])
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
		},
		"randomBytes": func(n int) goja.Value {
			if n < 0 || n > 1<<20 {
				panic(vm.NewTypeError("The value of \"size\" is out of range."))
			}
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return buffer.WrapBytes(vm, b)
		},
		"randomInt": func(call goja.FunctionCall) goja.Value {
			lo, hi := int64(0), call.Argument(0).ToInteger()
			if len(call.Arguments) > 1 && goja.IsNumber(call.Argument(1)) {
				lo, hi = hi, call.Argument(1).ToInteger()
			}
			if hi <= lo {
				panic(vm.NewTypeError("The value of \"max\" is out of range. It must be greater than the value of \"min\""))
			}
			n, _ := rand.Int(rand.Reader, big.NewInt(hi-lo))
			return vm.ToValue(lo + n.Int64())
		},
		"createHash": func(alg string) *goja.Object { return hashObject(newHash(alg)) },
		"createHmac": func(alg string, key, enc goja.Value) *goja.Object {
			k := bufferOf(key, enc)
			return hashObject(hmac.New(func() hash.Hash { return newHash(alg) }, k))
		},
		"timingSafeEqual": func(a, b goja.Value) bool {
			x, y := buffer.Bytes(vm, a), buffer.Bytes(vm, b)
			if len(x) != len(y) {
				panic(vm.NewTypeError("Input buffers must have the same byte length"))
			}
			return subtle.ConstantTimeCompare(x, y) == 1
		},
		"getHashes": func() []string { return []string{"md5", "sha1", "sha256", "sha384", "sha512"} },
	})
	if err != nil {
		return err
	}
	getRandomValues := func(v goja.Value) goja.Value {
		o, ok := v.(*goja.Object)
		if !ok {
			panic(vm.NewTypeError("The data argument must be an integer-type TypedArray"))
		}
		buf, ok := o.Get("buffer").Export().(goja.ArrayBuffer)
		if !ok {
			panic(vm.NewTypeError("The data argument must be an integer-type TypedArray"))
		}
		off, n := o.Get("byteOffset").ToInteger(), o.Get("byteLength").ToInteger()
		_, _ = rand.Read(buf.Bytes()[off : off+n])
		return v
	}
	_ = c.Set("getRandomValues", getRandomValues)
	web := vm.NewObject()
	_ = web.Set("getRandomValues", getRandomValues)
	_ = web.Set("randomUUID", c.Get("randomUUID"))
	_ = c.Set("webcrypto", rt.Guard("crypto.webcrypto", web, ""))
	return m.Set("exports", rt.Guard("crypto", c, "; run with --runtime node"))
}

func loadOS(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	host, _ := os.Hostname()
	home, _ := os.UserHomeDir()
	platform := goruntime.GOOS
	if platform == "windows" {
		platform = "win32"
	}
	o := vm.NewObject()
	err := setAll(o, map[string]any{
		"EOL":      "\n",
		"platform": func() string { return platform },
		"type": func() string {
			return map[string]string{"linux": "Linux", "darwin": "Darwin", "win32": "Windows_NT"}[platform]
		},
		"arch":     func() string { return vm.Get("process").ToObject(vm).Get("arch").String() },
		"hostname": func() string { return host },
		"homedir":  func() string { return home },
		"tmpdir":   func() string { return os.TempDir() },
		"cpus": func() []map[string]any {
			out := make([]map[string]any, goruntime.NumCPU())
			for i := range out {
				out[i] = map[string]any{"model": "cpu", "speed": 0}
			}
			return out
		},
		"availableParallelism": func() int { return goruntime.NumCPU() },
		"totalmem":             func() uint64 { return 0 },
		"freemem":              func() uint64 { return 0 },
		"uptime":               func() float64 { return time.Since(rt.started).Seconds() },
		"release":              func() string { return "" },
		"userInfo": func() map[string]any {
			return map[string]any{"username": os.Getenv("USER"), "homedir": home}
		},
	})
	if err != nil {
		return err
	}
	return m.Set("exports", rt.Guard("os", o, ""))
}

func loadTimers(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	t := vm.NewObject()
	for _, k := range []string{"setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"} {
		_ = t.Set(k, vm.Get(k))
	}
	return m.Set("exports", t)
}

func loadTimersPromises(rt *Runtime, m *goja.Object) error {
	v, err := rt.vm.RunString(`({
		setTimeout: (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms)),
		setImmediate: (value) => new Promise((resolve) => setTimeout(() => resolve(value), 0)),
	})`)
	if err != nil {
		return err
	}
	return m.Set("exports", v)
}
