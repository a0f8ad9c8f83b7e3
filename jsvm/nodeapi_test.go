package jsvm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// memberObject resolves "Buffer.prototype", "events.EventEmitter.prototype", "process" in
// the embedded runtime.
func memberObject(rt *Runtime, vm *goja.Runtime, path string) (*goja.Object, error) {
	parts := strings.Split(path, ".")
	var cur goja.Value
	switch parts[0] {
	case "process", "Buffer":
		cur = vm.Get(parts[0])
	default:
		v, err := rt.RequireBuiltin(parts[0])
		if err != nil {
			return nil, err
		}
		cur = v
	}
	for _, p := range parts[1:] {
		cur = cur.ToObject(vm).Get(p)
	}
	return cur.ToObject(vm), nil
}

// TestNodeBuiltinsHaveNode20Names: every name that Node 20 exports from the built-in modules
// the README lists (node20/exports.json, generated from Node 20), and every member of Buffer,
// Buffer.prototype, EventEmitter.prototype and process, exists in the embedded runtime:
// implemented, or a stand-in whose call (or read) throws an UnsupportedError naming it.
func TestNodeBuiltinsHaveNode20Names(t *testing.T) {
	spec, err := Node20()
	if err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, t.TempDir())
	var problems []string
	implemented, standIns := 0, 0
	err = rt.Do(context.Background(), nil, "test", func(vm *goja.Runtime) error {
		check := func(path string, obj *goja.Object, names map[string]string) {
			for _, name := range sortedKeys(names) {
				switch res := probe(vm, obj, name, names[name]); {
				case res == "":
					implemented++
				case strings.HasPrefix(res, "UnsupportedError") && strings.Contains(res, path+"."+name):
					standIns++
				default:
					problems = append(problems, path+"."+name+": "+res)
				}
			}
		}
		for _, m := range sortedKeys(spec.Modules) {
			v, err := rt.RequireBuiltin(m)
			if err != nil {
				problems = append(problems, m+": "+err.Error())
				continue
			}
			check(m, v.ToObject(vm), spec.Modules[m])
		}
		for _, path := range sortedKeys(spec.Members) {
			obj, err := memberObject(rt, vm, path)
			if err != nil {
				problems = append(problems, path+": "+err.Error())
				continue
			}
			check(path, obj, spec.Members[path])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%d names of Node %s are neither provided nor stand-ins that name themselves:\n%s", len(problems), spec.Node, strings.Join(problems, "\n"))
	}
	t.Logf("Node %s names: %d implemented, %d stand-ins that throw naming themselves", spec.Node, implemented, standIns)
}

func sortedKeys[V any](m map[string]V) []string {
	out := slices.Sorted(maps.Keys(m))
	return out
}

// probe reports "" when obj has name as a real member, the stand-in's error text when it is a
// stand-in (a function that throws when called, or a property that throws when read), or
// "missing".
func probe(vm *goja.Runtime, obj *goja.Object, name, kind string) (res string) {
	defer func() {
		if r := recover(); r != nil {
			if ex, ok := r.(*goja.Exception); ok {
				res = ex.Value().String()
				if o, ok := ex.Value().(*goja.Object); ok {
					res = o.Get("name").String() + ": " + o.Get("message").String()
				}
				return
			}
			res = fmt.Sprintf("panic %v", r)
		}
	}()
	has, _ := goja.AssertFunction(vm.Get("Reflect").ToObject(vm).Get("has"))
	if ok, _ := has(goja.Undefined(), obj, vm.ToValue(name)); !ok.ToBoolean() {
		return "missing"
	}
	if kind == "accessor" {
		return "" // a getter of the instances (byteLength…), not of the prototype itself
	}
	v := obj.Get(name)
	if fn, ok := goja.AssertFunction(v); ok && kind == "function" && isStandIn(vm, v) {
		_, err := fn(obj)
		if err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				if o, ok := ex.Value().(*goja.Object); ok {
					return o.Get("name").String() + ": " + o.Get("message").String()
				}
			}
			return err.Error()
		}
		return "a stand-in that did not throw"
	}
	return ""
}

// isStandIn reports whether fn is one of node20.js's stand-ins (their source says so).
func isStandIn(vm *goja.Runtime, fn goja.Value) bool {
	return strings.Contains(fn.String(), "throw unsupported(")
}
