// Package framework provides Medusa's @medusajs/framework modules to the embedded runtime:
// utils (MedusaError, Modules, defineConfig, loadEnv…), http (defineMiddlewares, validators),
// the container that req.scope resolves from, and Medusa's logger. What needs Medusa's data
// layer is an UnsupportedError that says so.
package framework

import (
	"crypto/rand"
	_ "embed"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/nodemodules"
)

var (
	//go:embed js/utils.js
	utilsSource string
	//go:embed js/http.js
	httpSource string
	//go:embed js/server.js
	serverSource string

	programsOnce sync.Once
	programs     map[string]*goja.Program
)

// Module names the runtime provides.
const (
	UtilsModule  = "@medusajs/framework/utils"
	HTTPModule   = "@medusajs/framework/http"
	TypesModule  = "@medusajs/framework/types"
	RootModule   = "@medusajs/framework"
	ZodModule    = "@medusajs/framework/zod"
	ServerModule = "medusa-ls:internal/server" // the request pipeline; not for user code
	AwilixModule = "@medusajs/framework/awilix"
)

func compiled(name string) *goja.Program {
	programsOnce.Do(func() {
		programs = map[string]*goja.Program{
			"utils":  goja.MustCompile("medusa-ls:framework/utils.js", utilsSource, true),
			"http":   goja.MustCompile("medusa-ls:framework/http.js", httpSource, true),
			"server": goja.MustCompile("medusa-ls:framework/server.js", serverSource, true),
		}
	})
	return programs[name]
}

// runFactory evaluates one of the embedded sources, a function of (host, ...deps), and returns
// what it returns.
func runFactory(rt *jsvm.Runtime, name string, host *goja.Object, deps ...goja.Value) (*goja.Object, error) {
	vm := rt.VM()
	v, err := vm.RunProgram(compiled(name))
	if err != nil {
		return nil, fmt.Errorf("framework %s: %w", name, err)
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, fmt.Errorf("framework %s: not a factory", name)
	}
	res, err := fn(goja.Undefined(), append([]goja.Value{host}, deps...)...)
	if err != nil {
		return nil, fmt.Errorf("framework %s: %w", name, err)
	}
	return res.ToObject(vm), nil
}

const runtimeHint = "; run medusa-ls with --runtime node for this project"

// Builtins returns the @medusajs/framework modules for a runtime.
func Builtins() []jsvm.Builtin {
	warm()
	utils := jsvm.Builtin{Name: UtilsModule, Load: loadUtils}
	return []jsvm.Builtin{
		utils,
		{Name: "@medusajs/utils", Load: loadUtils},
		{Name: HTTPModule, Load: loadHTTP},
		{Name: TypesModule, Load: loadTypes},
		{Name: "@medusajs/types", Load: loadTypes},
		{Name: RootModule, Load: loadRoot},
		{Name: ZodModule, Load: loadZod},
		{Name: ServerModule, Load: loadServer},
		{Name: AwilixModule, Load: loadAwilix},
	}
}

// Unsupported says which Medusa packages the embedded runtime cannot provide, and why.
func Unsupported(name string) (string, bool) {
	switch {
	case name == "@medusajs/medusa" || strings.HasPrefix(name, "@medusajs/medusa/"):
		return fmt.Sprintf("%s needs Medusa's data layer and commerce modules, which the embedded runtime does not provide%s", name, runtimeHint), true
	case strings.HasPrefix(name, "@medusajs/framework/"):
		return fmt.Sprintf("%s is not supported by the embedded runtime yet%s", name, runtimeHint), true
	case strings.HasPrefix(name, "@medusajs/") && isMedusaModulePackage(name):
		return fmt.Sprintf("%s is a Medusa commerce module, which the embedded runtime does not provide%s", name, runtimeHint), true
	}
	return "", false
}

var medusaModulePackages = []string{"product", "pricing", "order", "cart", "customer", "inventory", "payment",
	"promotion", "region", "sales-channel", "stock-location", "tax", "fulfillment", "user", "auth", "api-key",
	"store", "currency", "file", "notification", "index", "link-modules", "core-flows", "event-bus-redis",
	"event-bus-local", "workflow-engine-inmemory", "workflow-engine-redis", "cache-redis", "cache-inmemory",
	"locking", "settings", "translation", "caching"}

func isMedusaModulePackage(name string) bool {
	pkg := strings.TrimPrefix(name, "@medusajs/")
	if i := strings.IndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[:i]
	}
	for _, m := range medusaModulePackages {
		if pkg == m {
			return true
		}
	}
	return false
}

func loadUtils(rt *jsvm.Runtime, module *goja.Object) error {
	vm := rt.VM()
	host := vm.NewObject()
	_ = host.Set("loadEnv", func(environment, dir string) {
		if dir == "" {
			dir = rt.Root()
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(rt.Root(), dir)
		}
		vars, err := dotenv.Read(dotenv.FileFor(dir, environment))
		if err != nil {
			rt.Logger().Warn("loadEnv: " + err.Error())
			return
		}
		env := vm.Get("process").ToObject(vm).Get("env").ToObject(vm)
		for k, v := range vars {
			if cur := env.Get(k); cur == nil || goja.IsUndefined(cur) {
				_ = env.Set(k, v)
			}
		}
	})
	_ = host.Set("randomBytes", func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	})
	exports, err := runFactory(rt, "utils", host)
	if err != nil {
		return err
	}
	return module.Set("exports", rt.Guard(UtilsModule, exports, runtimeHint))
}

func loadHTTP(rt *jsvm.Runtime, module *goja.Object) error {
	utils, err := rt.RequireBuiltin(UtilsModule)
	if err != nil {
		return err
	}
	host := rt.VM().NewObject()
	_ = host.Set("verifyJWT", func(token, secret string) (string, error) { return VerifyJWT(token, secret, time.Now()) })
	exports, err := runFactory(rt, "http", host, utils)
	if err != nil {
		return err
	}
	return module.Set("exports", rt.Guard(HTTPModule, exports, runtimeHint))
}

func loadServer(rt *jsvm.Runtime, module *goja.Object) error {
	vm := rt.VM()
	utils, err := rt.RequireBuiltin(UtilsModule)
	if err != nil {
		return err
	}
	host := vm.NewObject()
	_ = host.Set("EventEmitter", rt.Helper("EventEmitter"))
	texts := vm.NewObject()
	for code, t := range statusTexts {
		_ = texts.Set(fmt.Sprint(code), t)
	}
	_ = host.Set("statusTexts", texts)
	qs, err := requireVendor(vm, "qs/parse")
	if err != nil {
		return err
	}
	ptr, err := requireVendor(vm, "path-to-regexp")
	if err != nil {
		return err
	}
	httpMod, err := rt.RequireBuiltin(HTTPModule)
	if err != nil {
		return err
	}
	_ = host.Set("http", httpMod)
	_ = host.Set("signCookie", SignCookie)
	_ = host.Set("weakETag", func(v goja.Value) string { return weakETag(bodyBytes(v)) })
	_ = host.Set("newSessionID", NewSessionID)
	_ = host.Set("qsParse", qs)
	_ = host.Set("pathToRegexp", ptr)
	_ = host.Set("hasIdentifierStart", hasIdentifierStart)
	exports, err := runFactory(rt, "server", host, utils)
	if err != nil {
		return err
	}
	return module.Set("exports", exports)
}

// hasIdentifierStart is /[$_\p{ID_Start}]/u.test(s), which goja cannot run (it has no \p{…}):
// whether s has a character an identifier can start with. zod-validation-error's joinPath
// quotes the path keys that have none. ID_Start is letters, letter numbers and Other_ID_Start,
// without Pattern_Syntax and Pattern_White_Space (Unicode UAX #31).
func hasIdentifierStart(s string) bool {
	for _, r := range s {
		if r == '$' || r == '_' {
			return true
		}
		if unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start) && !unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space) {
			return true
		}
	}
	return false
}

// Types are erased by esbuild; anything read from this module at run time is a value the
// project expected to exist, so reading it is an error that names it.
func loadTypes(rt *jsvm.Runtime, module *goja.Object) error {
	return module.Set("exports", rt.Guard(TypesModule, rt.VM().NewObject(), " (this module only has TypeScript types)"))
}

// The root module re-exports what projects import from "@medusajs/framework".
func loadRoot(rt *jsvm.Runtime, module *goja.Object) error {
	vm := rt.VM()
	root := vm.NewObject()
	for _, name := range []string{HTTPModule, UtilsModule} {
		v, err := rt.RequireBuiltin(name)
		if err != nil {
			return err
		}
		obj := v.ToObject(vm)
		for _, k := range obj.Keys() {
			if root.Get(k) == nil {
				_ = root.Set(k, obj.Get(k))
			}
		}
	}
	return module.Set("exports", rt.Guard(RootModule, root, runtimeHint))
}

// @medusajs/framework/zod is zod itself; every real project has it installed, so it is taken
// from the project's node_modules (or a monorepo's, above it) rather than bundled here.
func loadZod(rt *jsvm.Runtime, module *goja.Object) error {
	if pkg, ok := nodemodules.Find(rt.Root(), "zod"); ok {
		v, err := rt.RequireFile(pkg)
		if err != nil {
			return err
		}
		ex := v.ToObject(rt.VM())
		if z := ex.Get("z"); z != nil && !goja.IsUndefined(z) {
			_ = ex.Set("default", ex)
		}
		return module.Set("exports", ex)
	}
	return &jsvm.UnsupportedError{Message: "@medusajs/framework/zod: zod is not installed in the project (npm install zod)"}
}

// @medusajs/framework/awilix is awilix 8 itself (vendored), as Medusa re-exports it; the
// container that req.scope and loaders receive accepts its resolvers.
func loadAwilix(rt *jsvm.Runtime, module *goja.Object) error {
	v, err := requireVendor(rt.VM(), "awilix")
	if err != nil {
		return err
	}
	return module.Set("exports", v)
}
