package jsvm

import (
	"errors"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
)

// Thrown is a JavaScript value that was thrown or a promise's rejection reason.
type Thrown struct{ Value goja.Value }

func (t *Thrown) Error() string {
	msg, _, _ := describeValue(nil, t.Value)
	return msg
}

// CallAsync calls fn on the loop and delivers its outcome to done, also on the loop: at once
// for a plain value or a settled promise, when it settles for a pending one. Use it from inside
// a loop task.
func (rt *Runtime) CallAsync(fn goja.Callable, this goja.Value, args []goja.Value, done func(goja.Value, error)) {
	v, err := fn(this, args...)
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			// The interrupt unwinds the whole task; its owner hears about it from the loop.
			panic(ie)
		}
		done(nil, err)
		return
	}
	rt.Settle(v, done)
}

// Settle delivers v's value to done, waiting for it if v is a promise (or a thenable).
func (rt *Runtime) Settle(v goja.Value, done func(goja.Value, error)) {
	vm := rt.vm
	if p, ok := v.Export().(*goja.Promise); ok {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			done(p.Result(), nil)
			return
		case goja.PromiseStateRejected:
			// Attach a handler anyway so that it is not reported as unhandled.
			rt.then(v.ToObject(vm), func(goja.Value) {}, func(goja.Value) {})
			done(nil, &Thrown{Value: p.Result()})
			return
		}
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		done(v, nil)
		return
	}
	if _, ok := goja.AssertFunction(obj.Get("then")); !ok {
		done(v, nil)
		return
	}
	rt.then(obj, func(r goja.Value) { done(r, nil) }, func(r goja.Value) { done(nil, &Thrown{Value: r}) })
}

func (rt *Runtime) then(obj *goja.Object, ok func(goja.Value), fail func(goja.Value)) {
	vm := rt.vm
	then, _ := goja.AssertFunction(obj.Get("then"))
	_, err := then(obj,
		vm.ToValue(func(call goja.FunctionCall) goja.Value { ok(call.Argument(0)); return goja.Undefined() }),
		vm.ToValue(func(call goja.FunctionCall) goja.Value { fail(call.Argument(0)); return goja.Undefined() }))
	if err != nil {
		fail(vm.ToValue(err.Error()))
	}
}

// ThrownDiagnostics is Diagnostics that also understands *Thrown.
func (rt *Runtime) thrownDiagnostics(err error, code string) ([]diag.Diagnostic, bool) {
	var t *Thrown
	if errors.As(err, &t) {
		return rt.ValueDiagnostics(t.Value, code), true
	}
	return nil, false
}
