package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

// EventBusKey is where Medusa code finds the bus: container.resolve(Modules.EVENT_BUS).
const EventBusKey = "event_bus"

// NewEventBus returns the JavaScript face of b, with the API of Medusa's IEventBusModuleService:
// emit(message | message[], options?), subscribe, unsubscribe, releaseGroupedEvents,
// clearGroupedEvents. Call it on the loop.
func NewEventBus(rt *jsvm.Runtime, b bus.Bus, timeout time.Duration) *goja.Object {
	vm := rt.VM()
	obj := vm.NewObject()
	resolved := func() goja.Value {
		p, resolve, _ := vm.NewPromise()
		_ = resolve(goja.Undefined())
		return vm.ToValue(p)
	}
	_ = obj.Set("emit", func(call goja.FunctionCall) goja.Value {
		msgs, err := messagesFrom(vm, call.Argument(0))
		if err != nil {
			panic(vm.NewTypeError("eventBus.emit: " + err.Error()))
		}
		var opts bus.EmitOptions
		if o, ok := call.Argument(1).(*goja.Object); ok {
			if v := o.Get("internal"); v != nil {
				opts.Internal = v.ToBoolean()
			}
			if v := o.Get("delay"); v != nil && !goja.IsUndefined(v) {
				opts.Delay = time.Duration(v.ToFloat() * float64(time.Millisecond))
			}
		}
		if err := b.Emit(context.Background(), msgs, opts); err != nil {
			rt.Throw(fmt.Errorf("eventBus.emit: %w", err))
		}
		// Like the local bus, emit resolves once dispatch has started, not when handlers finish.
		return resolved()
	})
	byFn := map[goja.Value]string{} // handler function → subscriber id, for unsubscribe(event, fn)
	_ = obj.Set("subscribe", func(call goja.FunctionCall) goja.Value {
		event := call.Argument(0).String()
		fn := call.Argument(1)
		if _, ok := goja.AssertFunction(fn); !ok {
			panic(vm.NewTypeError("eventBus.subscribe: the subscriber must be a function"))
		}
		id := ""
		if ctx, ok := call.Argument(2).(*goja.Object); ok {
			if v := ctx.Get("subscriberId"); v != nil && !goja.IsUndefined(v) {
				id = v.String()
			}
		}
		if id == "" {
			id = bus.DefaultSubscriberID(event)
		}
		err := b.Subscribe(bus.Subscriber{ID: id, Event: event, Source: "eventBus.subscribe",
			Handler: Subscriber(rt, fn, nil, fmt.Sprintf("subscriber %s on %s", id, event), timeout)})
		if err != nil {
			rt.Throw(err)
		}
		byFn[fn] = id
		return obj
	})
	_ = obj.Set("unsubscribe", func(call goja.FunctionCall) goja.Value {
		event := call.Argument(0).String()
		id := byFn[call.Argument(1)]
		if ctx, ok := call.Argument(2).(*goja.Object); ok {
			if v := ctx.Get("subscriberId"); v != nil && !goja.IsUndefined(v) {
				id = v.String()
			}
		}
		if id != "" {
			_ = b.Unsubscribe(event, id)
		}
		return obj
	})
	_ = obj.Set("releaseGroupedEvents", func(groupID string) goja.Value {
		if err := b.ReleaseGroupedEvents(context.Background(), groupID); err != nil {
			rt.Throw(err)
		}
		return resolved()
	})
	_ = obj.Set("clearGroupedEvents", func(call goja.FunctionCall) goja.Value {
		var names []string
		if o, ok := call.Argument(1).(*goja.Object); ok {
			if v, ok := o.Get("eventNames").(*goja.Object); ok {
				_ = vm.ExportTo(v, &names)
			}
		}
		if err := b.ClearGroupedEvents(context.Background(), call.Argument(0).String(), names...); err != nil {
			rt.Throw(err)
		}
		return resolved()
	})
	return obj
}

// messagesFrom reads one message or an array of them: { name, data, metadata? }.
func messagesFrom(vm *goja.Runtime, v goja.Value) ([]bus.Message, error) {
	var items []goja.Value
	if o, ok := v.(*goja.Object); ok && o.ClassName() == "Array" {
		n := int(o.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			items = append(items, o.Get(fmt.Sprint(i)))
		}
	} else {
		items = []goja.Value{v}
	}
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	out := make([]bus.Message, 0, len(items))
	for _, it := range items {
		o, ok := it.(*goja.Object)
		if !ok {
			return nil, fmt.Errorf("a message must be an object with a name")
		}
		name := o.Get("name")
		if name == nil || goja.IsUndefined(name) || name.String() == "" {
			return nil, fmt.Errorf("a message needs a name (e.g. { name: \"product.created\", data: { id } })")
		}
		msg := bus.Message{Name: name.String(), Data: json.RawMessage("null")}
		if d := o.Get("data"); d != nil && !goja.IsUndefined(d) {
			s, err := stringify(goja.Undefined(), d)
			if err != nil {
				return nil, fmt.Errorf("%s: data cannot be serialized: %v", msg.Name, err)
			}
			if !goja.IsUndefined(s) {
				msg.Data = json.RawMessage(s.String())
			}
		}
		if md, ok := o.Get("metadata").(*goja.Object); ok {
			s, err := stringify(goja.Undefined(), md)
			if err == nil {
				_ = json.Unmarshal([]byte(s.String()), &msg.Metadata)
			}
		}
		out = append(out, msg)
	}
	return out, nil
}

// Subscriber adapts a JavaScript subscriber function to a bus handler. Medusa calls
// subscribers with { event: { name, data, metadata }, container, pluginOptions }; arg, when
// set, builds that argument (the subscribers reloader passes the container).
func Subscriber(rt *jsvm.Runtime, fn goja.Value, container *Container, label string, timeout time.Duration) bus.Handler {
	return func(ctx context.Context, msg bus.Message) error {
		// The bus starts the next handler once this call is queued on the loop, so that
		// subscribers are called in emit order (bus.Started).
		return rt.InvokeQueued(ctx, label, timeout, fn, func(vm *goja.Runtime) []goja.Value {
			return []goja.Value{EventArgument(rt, msg, container)}
		}, func() { bus.Started(ctx) })
	}
}

// EventArgument is the object a subscriber receives. Call it on the loop.
func EventArgument(rt *jsvm.Runtime, msg bus.Message, container *Container) goja.Value {
	vm := rt.VM()
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	event := vm.NewObject()
	_ = event.Set("name", msg.Name)
	data := goja.Undefined()
	if len(msg.Data) > 0 {
		if v, err := parse(goja.Undefined(), vm.ToValue(string(msg.Data))); err == nil {
			data = v
		}
	}
	_ = event.Set("data", data)
	if msg.Metadata != nil {
		b, _ := json.Marshal(msg.Metadata)
		if v, err := parse(goja.Undefined(), vm.ToValue(string(b))); err == nil {
			// As event-bus-local hands them over: created_at and published_at are Dates.
			md := v.ToObject(vm)
			for _, k := range []string{bus.MetaCreatedAt, bus.MetaPublishedAt} {
				if t, ok := msg.Metadata[k].(time.Time); ok {
					if d, err := vm.New(vm.Get("Date"), vm.ToValue(t.UnixMilli())); err == nil {
						_ = md.Set(k, d)
					}
				}
			}
			_ = event.Set("metadata", md)
		}
	}
	arg := vm.NewObject()
	_ = arg.Set("event", event)
	if container != nil {
		_ = arg.Set("container", container.Object())
	}
	_ = arg.Set("pluginOptions", vm.NewObject())
	return arg
}
