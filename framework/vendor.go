package framework

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// The vendored CommonJS packages (see js/vendor/README.md), by the name they require each
// other with.
var (
	//go:embed js/vendor/qs/formats.js
	qsFormats string
	//go:embed js/vendor/qs/utils.js
	qsUtils string
	//go:embed js/vendor/qs/parse.js
	qsParse string
	//go:embed js/vendor/path-to-regexp/index.js
	pathToRegexp string
	//go:embed js/vendor/awilix/awilix.umd.js
	awilixUMD string
)

var vendorPrograms = sync.OnceValue(func() map[string]*goja.Program {
	wrap := func(name, src string) *goja.Program {
		return goja.MustCompile("medusa-ls:vendor/"+name, "(function (module, exports, require) {\n"+src+"\n})", true)
	}
	return map[string]*goja.Program{
		"./formats":      wrap("qs/formats.js", qsFormats),
		"./utils":        wrap("qs/utils.js", qsUtils),
		"qs/parse":       wrap("qs/parse.js", qsParse),
		"path-to-regexp": wrap("path-to-regexp/index.js", pathToRegexp),
		"awilix":         wrap("awilix/awilix.umd.js", awilixUMD),
	}
})

// vendorShims are the two small packages qs depends on. side-channel is a store keyed by
// object identity (a Map keeps that for the short life of one parse); es-define-property is
// Object.defineProperty.
const vendorShims = `(function () {
  return {
    "side-channel": function getSideChannel() {
      var m = new Map();
      return {
        assert: function (k) { if (!m.has(k)) throw new TypeError("Side channel does not contain " + String(k)); },
        get: function (k) { return m.get(k); },
        has: function (k) { return m.has(k); },
        set: function (k, v) { m.set(k, v); },
        "delete": function (k) { return m.delete(k); },
      };
    },
    "es-define-property": Object.defineProperty,
  };
})()`

// requireVendor evaluates the vendored module name (and what it requires) in vm and returns
// its exports. Each call evaluates afresh; callers keep the result.
func requireVendor(vm *goja.Runtime, name string) (goja.Value, error) {
	shims, err := vm.RunString(vendorShims)
	if err != nil {
		return nil, fmt.Errorf("vendor shims: %w", err)
	}
	cache := map[string]goja.Value{}
	var req func(string) (goja.Value, error)
	req = func(name string) (goja.Value, error) {
		if v, ok := cache[name]; ok {
			return v, nil
		}
		if v := shims.ToObject(vm).Get(name); v != nil && !goja.IsUndefined(v) {
			return v, nil
		}
		prog, ok := vendorPrograms()[name]
		if !ok {
			return nil, fmt.Errorf("vendored module %q is not bundled", name)
		}
		fnV, err := vm.RunProgram(prog)
		if err != nil {
			return nil, fmt.Errorf("vendored %s: %w", name, err)
		}
		fn, _ := goja.AssertFunction(fnV)
		module := vm.NewObject()
		exports := vm.NewObject()
		_ = module.Set("exports", exports)
		cache[name] = exports // a require cycle sees the exports so far, as in Node
		requireFn := func(call goja.FunctionCall) goja.Value {
			v, err := req(call.Argument(0).String())
			if err != nil {
				panic(vm.NewGoError(err))
			}
			return v
		}
		if _, err := fn(goja.Undefined(), module, exports, vm.ToValue(requireFn)); err != nil {
			return nil, fmt.Errorf("vendored %s: %w", name, err)
		}
		out := module.Get("exports")
		cache[name] = out
		return out, nil
	}
	return req(name)
}

// warm compiles the embedded sources once per process, off the runtime's loop, so that the
// first request does not pay for it out of its handler's time budget.
var warm = sync.OnceFunc(func() {
	compiled("server")
	vendorPrograms()
	workflowsProgram()
})
