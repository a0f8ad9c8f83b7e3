package framework

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/jsvm"
)

// Container is what Medusa code resolves services from: `req.scope.resolve("logger")`,
// `container.resolve(Modules.EVENT_BUS)`. It lives on the loop; values are JavaScript values.
type Container struct {
	rt     *jsvm.Runtime
	values map[string]goja.Value
	// resolvers are awilix registrations (asValue, asClass, asFunction, aliasTo): resolved on
	// each resolve, SINGLETON and SCOPED ones once (the embedded runtime has one scope).
	resolvers map[string]*registration
	obj       *goja.Object
}

type registration struct {
	resolver *goja.Object
	once     bool
	done     bool
	value    goja.Value
}

// asResolver reports whether v is an awilix resolver: an object with a resolve function, which
// is what awilix's register takes (asValue, asClass, asFunction, aliasTo).
func asResolver(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if _, ok := goja.AssertFunction(o.Get("resolve")); !ok {
		return nil, false
	}
	return o, true
}

// set registers v under key: an awilix resolver when code registers one (register() in
// JavaScript), else a plain value (what medusa-ls registers itself, and the lenient reading of
// a value registered without asValue).
func (c *Container) set(key string, v goja.Value, fromJS bool) {
	if r, ok := asResolver(v); ok && fromJS {
		lifetime := ""
		if l := r.Get("lifetime"); l != nil && !goja.IsUndefined(l) {
			lifetime = l.String()
		}
		c.resolvers[key] = &registration{resolver: r, once: lifetime == "SINGLETON" || lifetime == "SCOPED"}
		delete(c.values, key)
		return
	}
	delete(c.resolvers, key)
	c.values[key] = v
}

// lookup resolves key on the loop: a plain value, or what its resolver gives.
func (c *Container) lookup(key string) (goja.Value, bool) {
	if v, ok := c.values[key]; ok {
		return v, true
	}
	r, ok := c.resolvers[key]
	if !ok {
		return nil, false
	}
	if r.once && r.done {
		return r.value, true
	}
	resolve, _ := goja.AssertFunction(r.resolver.Get("resolve"))
	v, err := resolve(r.resolver, c.obj)
	if err != nil {
		panic(err)
	}
	if r.once {
		r.value, r.done = v, true
	}
	return v, true
}

// NewContainer returns an empty container. Call it on the loop.
func NewContainer(rt *jsvm.Runtime) *Container {
	c := &Container{rt: rt, values: make(map[string]goja.Value), resolvers: make(map[string]*registration)}
	vm := rt.VM()
	obj := vm.NewObject()
	_ = obj.Set("resolve", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		allowUnregistered := false
		if o, ok := call.Argument(1).(*goja.Object); ok {
			if a := o.Get("allowUnregistered"); a != nil {
				allowUnregistered = a.ToBoolean()
			}
		}
		if v, ok := c.lookup(key); ok {
			return v
		}
		if allowUnregistered {
			return goja.Undefined()
		}
		panic(c.resolutionError(key))
	})
	_ = obj.Set("hasRegistration", func(key string) bool {
		_, ok := c.values[key]
		_, isResolver := c.resolvers[key]
		return ok || isResolver
	})
	_ = obj.Set("register", func(call goja.FunctionCall) goja.Value {
		if o, ok := call.Argument(0).(*goja.Object); ok && len(call.Arguments) == 1 {
			for _, k := range o.Keys() {
				c.set(k, o.Get(k), true)
			}
			return obj
		}
		c.set(call.Argument(0).String(), call.Argument(1), true)
		return obj
	})
	// One container serves as every request's scope: the embedded runtime has no
	// request-scoped services.
	_ = obj.Set("createScope", func() *goja.Object { return obj })
	// awilix's resolvers read the container's options (asClass/asFunction in PROXY mode).
	opts := vm.NewObject()
	_ = opts.Set("injectionMode", "PROXY")
	_ = opts.Set("strict", false)
	_ = obj.Set("options", opts)
	cradle, err := vm.RunString(`(function (resolve) { return new Proxy({}, { get: (_, k) => typeof k === "symbol" ? undefined : resolve(k) }) })`)
	if err == nil {
		if mk, ok := goja.AssertFunction(cradle); ok {
			if p, err := mk(goja.Undefined(), obj.Get("resolve")); err == nil {
				_ = obj.Set("cradle", p)
			}
		}
	}
	c.obj = obj
	return c
}

// Resolve returns what is registered under key.
func (c *Container) Resolve(key string) (goja.Value, error) {
	if v, ok := c.values[key]; ok {
		return v, nil
	}
	if _, ok := c.resolvers[key]; ok {
		var out goja.Value
		err := c.rt.VM().Try(func() {
			out, _ = c.lookup(key)
		})
		if err != nil {
			return nil, fmt.Errorf("resolving %q: %w", key, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("nothing is registered under %q", key)
}

// Object is the JavaScript container.
func (c *Container) Object() *goja.Object { return c.obj }

// Register sets key to v. Call it on the loop.
func (c *Container) Register(key string, v goja.Value) { c.set(key, v, false) }

// Unregister removes key. Call it on the loop.
func (c *Container) Unregister(key string) {
	delete(c.values, key)
	delete(c.resolvers, key)
}

// Keys lists what is registered, sorted.
func (c *Container) Keys() []string {
	out := make([]string, 0, len(c.values)+len(c.resolvers))
	for k := range c.values {
		out = append(out, k)
	}
	for k := range c.resolvers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var medusaModuleKeys = map[string]bool{
	"analytics": true, "auth": true, "cache": true, "cart": true, "customer": true, "inventory": true,
	"link_modules": true, "payment": true, "pricing": true, "product": true, "promotion": true,
	"sales_channel": true, "tax": true, "fulfillment": true, "stock_location": true, "user": true,
	"workflows": true, "region": true, "order": true, "api_key": true, "store": true, "currency": true,
	"file": true, "notification": true, "index": true, "locking": true, "settings": true, "caching": true,
	"translation": true, "rbac": true, "query": true, "remoteQuery": true, "link": true, "remoteLink": true,
	"__pg_connection__": true, "manager": true,
}

func (c *Container) resolutionError(key string) *goja.Object {
	if medusaModuleKeys[key] {
		return c.rt.NewUnsupported(fmt.Sprintf("container.resolve(%q): Medusa's %q needs the data layer and commerce modules, which the embedded runtime does not provide%s", key, key, runtimeHint))
	}
	e := c.rt.VM().NewGoError(fmt.Errorf("Could not resolve '%s': nothing is registered under that name (registered: %s)", key, strings.Join(c.Keys(), ", ")))
	_ = e.Set("name", "AwilixResolutionError")
	return e
}

// LogSink receives logger output.
type LogSink func(level slog.Level, text string)

// NewLogger returns a JavaScript object with Medusa's Logger interface (info, warn, error,
// debug, activity, progress, success, failure, …) that writes to sink. Call it on the loop.
func NewLogger(rt *jsvm.Runtime, sink LogSink) *goja.Object {
	vm := rt.VM()
	logger := vm.NewObject()
	text := func(args []goja.Value) string {
		parts := make([]string, 0, len(args))
		for _, a := range args {
			if o, ok := a.(*goja.Object); ok && o.ClassName() == "Error" {
				if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
					parts = append(parts, s.String())
					continue
				}
			}
			if goja.IsString(a) {
				parts = append(parts, a.String())
			} else {
				parts = append(parts, jsvm.Inspect(vm, a, 2))
			}
		}
		return strings.Join(parts, " ")
	}
	at := func(level slog.Level) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			sink(level, text(call.Arguments))
			return goja.Undefined()
		}
	}
	activities := 0
	_ = logger.Set("info", at(slog.LevelInfo))
	_ = logger.Set("log", at(slog.LevelInfo))
	_ = logger.Set("http", at(slog.LevelInfo))
	_ = logger.Set("verbose", at(slog.LevelDebug))
	_ = logger.Set("debug", at(slog.LevelDebug))
	_ = logger.Set("silly", at(slog.LevelDebug))
	_ = logger.Set("warn", at(slog.LevelWarn))
	_ = logger.Set("error", at(slog.LevelError))
	_ = logger.Set("panic", at(slog.LevelError))
	_ = logger.Set("activity", func(call goja.FunctionCall) goja.Value {
		activities++
		sink(slog.LevelInfo, text(call.Arguments))
		return vm.ToValue(fmt.Sprintf("activity-%d", activities))
	})
	_ = logger.Set("progress", func(call goja.FunctionCall) goja.Value {
		sink(slog.LevelInfo, text(call.Arguments[min(1, len(call.Arguments)):]))
		return goja.Undefined()
	})
	_ = logger.Set("success", func(call goja.FunctionCall) goja.Value {
		sink(slog.LevelInfo, text(call.Arguments[min(1, len(call.Arguments)):]))
		return goja.Undefined()
	})
	_ = logger.Set("failure", func(call goja.FunctionCall) goja.Value {
		sink(slog.LevelError, text(call.Arguments[min(1, len(call.Arguments)):]))
		return goja.Undefined()
	})
	_ = logger.Set("shouldLog", func(string) bool { return true })
	_ = logger.Set("setLogLevel", func(string) {})
	_ = logger.Set("unsetLogLevel", func() {})
	return logger
}
