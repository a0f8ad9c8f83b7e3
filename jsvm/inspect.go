package jsvm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Format renders console arguments the way Node's util.format does: printf-style verbs in a
// leading string (%s %d %i %f %j %o %O %c %%), the rest inspected and joined by spaces.
func Format(vm *goja.Runtime, args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	var b strings.Builder
	rest := args
	if s, ok := args[0].Export().(string); ok && goja.IsString(args[0]) {
		rest = args[1:]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '%' || i+1 >= len(s) {
				b.WriteByte(c)
				continue
			}
			verb := s[i+1]
			if verb == '%' {
				b.WriteByte('%')
				i++
				continue
			}
			if !strings.ContainsRune("sdifjoOc", rune(verb)) || len(rest) == 0 {
				b.WriteByte(c)
				continue
			}
			i++
			arg := rest[0]
			rest = rest[1:]
			switch verb {
			case 's':
				if o, ok := arg.(*goja.Object); ok && o.ClassName() != "String" {
					b.WriteString(Inspect(vm, arg, 1))
				} else {
					b.WriteString(arg.String())
				}
			case 'd', 'i':
				f := arg.ToFloat()
				if verb == 'i' {
					f = math.Trunc(f)
				}
				b.WriteString(formatNumber(f))
			case 'f':
				b.WriteString(formatNumber(arg.ToFloat()))
			case 'j':
				j, err := jsonStringify(vm, arg)
				if err != nil {
					j = "[Circular]"
				}
				b.WriteString(j)
			case 'o', 'O':
				b.WriteString(Inspect(vm, arg, 4))
			case 'c':
			}
		}
	} else {
		b.WriteString(inspectTop(vm, args[0]))
		rest = args[1:]
	}
	for _, a := range rest {
		b.WriteByte(' ')
		b.WriteString(inspectTop(vm, a))
	}
	return b.String()
}

func inspectTop(vm *goja.Runtime, v goja.Value) string {
	if goja.IsString(v) {
		return v.String()
	}
	return Inspect(vm, v, 2)
}

func jsonStringify(vm *goja.Runtime, v goja.Value) (string, error) {
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	r, err := stringify(goja.Undefined(), v)
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Inspect renders a value like Node's util.inspect, to the given object depth.
func Inspect(vm *goja.Runtime, v goja.Value, depth int) string {
	in := inspector{vm: vm, seen: map[*goja.Object]bool{}}
	return in.value(v, depth, false)
}

type inspector struct {
	vm   *goja.Runtime
	seen map[*goja.Object]bool
}

func (in *inspector) value(v goja.Value, depth int, nested bool) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case goja.IsString(v):
		if nested {
			return quoteJS(v.String())
		}
		return v.String()
	case goja.IsNumber(v):
		return formatNumber(v.ToFloat())
	case goja.IsBigInt(v):
		return v.String() + "n"
	}
	if _, ok := v.Export().(bool); ok {
		return v.String()
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String()
	}
	if in.seen[obj] {
		return "[Circular *1]"
	}
	switch obj.ClassName() {
	case "Function":
		name := obj.Get("name")
		if name == nil || name.String() == "" {
			return "[Function (anonymous)]"
		}
		if isClass(in.vm, obj) {
			return "[class " + name.String() + "]"
		}
		return "[Function: " + name.String() + "]"
	case "Error":
		if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) && s.String() != "" {
			return s.String()
		}
		return obj.String()
	case "Date":
		if iso, ok := goja.AssertFunction(obj.Get("toISOString")); ok {
			if r, err := iso(obj); err == nil {
				return r.String()
			}
		}
		return obj.String()
	case "RegExp", "Symbol":
		return obj.String()
	case "Promise":
		return "Promise { <pending> }"
	}
	if depth < 0 {
		if obj.ClassName() == "Array" {
			return "[Array]"
		}
		return "[Object]"
	}
	in.seen[obj] = true
	defer delete(in.seen, obj)

	if obj.ClassName() == "Array" {
		n := int(obj.Get("length").ToInteger())
		parts := make([]string, 0, min(n, 101))
		for i := 0; i < n && i < 100; i++ {
			parts = append(parts, in.value(obj.Get(strconv.Itoa(i)), depth-1, true))
		}
		if n > 100 {
			parts = append(parts, fmt.Sprintf("... %d more items", n-100))
		}
		return wrapParts("[", parts, "]")
	}
	if cls := obj.ClassName(); cls == "Map" || cls == "Set" {
		from, _ := goja.AssertFunction(in.vm.Get("Array").ToObject(in.vm).Get("from"))
		arr, err := from(goja.Undefined(), obj)
		if err == nil {
			entries := arr.ToObject(in.vm)
			n := int(entries.Get("length").ToInteger())
			parts := make([]string, 0, n)
			for i := 0; i < n; i++ {
				e := entries.Get(strconv.Itoa(i))
				if cls == "Map" {
					pair := e.ToObject(in.vm)
					parts = append(parts, in.value(pair.Get("0"), depth-1, true)+" => "+in.value(pair.Get("1"), depth-1, true))
				} else {
					parts = append(parts, in.value(e, depth-1, true))
				}
			}
			return fmt.Sprintf("%s(%d) ", cls, n) + wrapParts("{", parts, "}")
		}
	}
	keys := obj.Keys()
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, propKey(k)+": "+in.value(obj.Get(k), depth-1, true))
	}
	prefix := ""
	if ctor := obj.Get("constructor"); ctor != nil {
		if c, ok := ctor.(*goja.Object); ok {
			if name := c.Get("name"); name != nil && name.String() != "Object" && name.String() != "" {
				prefix = name.String() + " "
			}
		}
	}
	if len(parts) == 0 {
		return prefix + "{}"
	}
	return prefix + wrapParts("{", parts, "}")
}

func isClass(vm *goja.Runtime, fn *goja.Object) bool {
	return strings.HasPrefix(fn.String(), "class ")
}

func wrapParts(open string, parts []string, close string) string {
	if len(parts) == 0 {
		return open + close
	}
	total := 0
	for _, p := range parts {
		total += len(p) + 2
	}
	if total <= 72 && !strings.Contains(strings.Join(parts, ""), "\n") {
		return open + " " + strings.Join(parts, ", ") + " " + close
	}
	return open + "\n  " + strings.ReplaceAll(strings.Join(parts, ",\n"), "\n", "\n  ") + "\n" + close
}

func propKey(k string) string {
	for i, r := range k {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return quoteJS(k)
		}
	}
	if k == "" {
		return "''"
	}
	return k
}

func quoteJS(s string) string {
	q := strconv.Quote(s)
	q = q[1 : len(q)-1]
	q = strings.ReplaceAll(q, `\"`, `"`)
	q = strings.ReplaceAll(q, "'", `\'`)
	return "'" + q + "'"
}
