package reloaders

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/bus"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// SubscribersOptions configure the subscribers reloader.
type SubscribersOptions struct {
	Root      string
	Runtime   *jsvm.Runtime
	Bus       bus.Bus
	Container *framework.Container
	Timeout   time.Duration // longest a subscriber may take to settle
	Logger    *slog.Logger
}

// Subscribers registers src/subscribers/* on the event bus. A reload replaces a file's
// subscriptions in one atomic step of the bus, so every event is handled exactly once: by the
// old code or the new, never both and never neither.
type Subscribers struct {
	opts SubscribersOptions

	mu   sync.Mutex
	live map[string][]subscription // file → its subscriptions
}

type subscription struct {
	id, event string
	file      string
	line      int
	handler   bus.Handler
}

func (s subscription) key() bus.SubscriptionKey { return bus.SubscriptionKey{Event: s.event, ID: s.id} }

// NewSubscribers returns the reloader with no subscriptions.
func NewSubscribers(opts SubscribersOptions) *Subscribers {
	return &Subscribers{opts: opts, live: map[string][]subscription{}}
}

// Kind implements Reloader.
func (s *Subscribers) Kind() string { return "subscribers" }

// Owns implements Reloader.
func (s *Subscribers) Owns(rel string) bool { return scan.KindOf(rel) == scan.Subscriber }

type subscribersPending struct {
	outcome
	s       *Subscribers
	next    map[string][]subscription
	changed []string // files whose subscriptions are replaced
}

func (p *subscribersPending) Resources() []Resource { return subscriberResources(p.next) }

// Commit swaps the changed files' subscriptions on the bus in one step.
func (p *subscribersPending) Commit() {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var remove []bus.SubscriptionKey
	var add []bus.Subscriber
	for _, f := range p.changed {
		for _, old := range s.live[f] {
			remove = append(remove, old.key())
		}
		for _, n := range p.next[f] {
			add = append(add, bus.Subscriber{ID: n.id, Event: n.event, Handler: n.handler, Source: fmt.Sprintf("%s:%d", n.file, n.line)})
		}
	}
	if err := s.opts.Bus.Replace(remove, add); err != nil {
		// Prepare checked ids against the next state, so this means a subscription made from
		// code (eventBus.subscribe) took an id meanwhile; say so rather than lose it silently.
		if s.opts.Logger != nil {
			s.opts.Logger.Error("subscribers: " + err.Error())
		}
		return
	}
	s.live = p.next
}

// Resources lists the live subscribers.
func (s *Subscribers) Resources() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return subscriberResources(s.live)
}

func subscriberResources(m map[string][]subscription) []Resource {
	var out []Resource
	for _, subs := range m {
		for _, sub := range subs {
			out = append(out, Resource{Kind: "subscriber", Name: sub.event + " · " + sub.id, File: sub.file, Line: sub.line})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Prepare implements Reloader.
func (s *Subscribers) Prepare(tx *jsvm.Tx, load, remove []string) Pending {
	s.mu.Lock()
	if len(load) == 0 && len(remove) == 0 {
		defer s.mu.Unlock()
		return &subscribersPending{s: s, next: s.live} // a reload of other kinds: nothing to copy or change
	}
	next := make(map[string][]subscription, len(s.live))
	for f, subs := range s.live {
		next[f] = subs
	}
	s.mu.Unlock()
	p := &subscribersPending{s: s, next: next}
	for _, f := range remove {
		if old, ok := next[f]; ok {
			p.gone = append(p.gone, subscriberResources(map[string][]subscription{f: old})...)
			delete(next, f)
			p.changed = append(p.changed, f)
		}
	}
	vm := s.opts.Runtime.VM()
	for _, f := range load {
		subs, problems := s.load(tx, vm, f)
		p.problems = append(p.problems, problems...)
		if subs == nil {
			p.failed = append(p.failed, f)
			continue
		}
		if dup := duplicateSubscriber(s.opts.Root, next, f, subs); dup != nil {
			p.problems = append(p.problems, *dup)
			p.failed = append(p.failed, f)
			continue
		}
		next[f] = subs
		p.changed = append(p.changed, f)
		p.reloaded = append(p.reloaded, subscriberResources(map[string][]subscription{f: subs})...)
	}
	return p
}

// duplicateSubscriber reports a subscriber id that another file already uses for the same event
// (Medusa: "Subscriber with id <id> already exists").
func duplicateSubscriber(root string, next map[string][]subscription, file string, subs []subscription) *diag.Diagnostic {
	for other, os := range next {
		if other == file {
			continue
		}
		for _, o := range os {
			for _, n := range subs {
				if o.id == n.id && o.event == n.event {
					return &diag.Diagnostic{File: file, Line: n.line, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
						Message: fmt.Sprintf("Subscriber with id %s already exists for %s (%s); set config.context.subscriberId to a unique id", n.id, n.event, diag.RelPath(root, other))}
				}
			}
		}
	}
	return nil
}

func (s *Subscribers) load(tx *jsvm.Tx, vm *goja.Runtime, file string) ([]subscription, []diag.Diagnostic) {
	m, err := tx.Require(file)
	if err != nil {
		return nil, s.opts.Runtime.Diagnostics(err, diag.CodeLoad)
	}
	src := sourceOf(m, file)
	problems := append([]diag.Diagnostic(nil), m.Warnings...)
	fail := func(line int, msg string) ([]subscription, []diag.Diagnostic) {
		return nil, append(problems, diag.Diagnostic{File: file, Line: line, Column: 1, Severity: diag.Error, Code: diag.CodeLoad, Message: msg})
	}
	handler := m.Export(vm, "default")
	if _, ok := goja.AssertFunction(handler); !ok {
		return fail(exportLine(src, "default"), "the default export must be the subscriber function: export default async function ({ event, container }) { … }")
	}
	cfg, ok := m.Export(vm, "config").(*goja.Object)
	if !ok {
		return fail(1, `the subscriber has no config: export const config: SubscriberConfig = { event: "product.created" }`)
	}
	cfgLine := exportLine(src, "config")
	var events []string
	switch ev := cfg.Get("event").(type) {
	case nil:
	case *goja.Object:
		if ev.ClassName() == "Array" {
			_ = vm.ExportTo(ev, &events)
		}
	default:
		if !goja.IsUndefined(ev) && !goja.IsNull(ev) && goja.IsString(ev) {
			events = []string{ev.String()}
		}
	}
	if len(events) == 0 {
		line, hint := missingKeyAt(src, "event", cfgLine)
		return fail(line, `config.event is missing: set it to an event name or a list of them (e.g. event: "product.created")`+hint)
	}
	for _, e := range events {
		if strings.TrimSpace(e) == "" {
			return fail(lineOfKey(src, "event", cfgLine), "config.event has an empty event name")
		}
	}
	configID := ""
	if ctx, ok := cfg.Get("context").(*goja.Object); ok {
		if v := ctx.Get("subscriberId"); v != nil && !goja.IsUndefined(v) {
			configID = v.String()
		}
	}
	fnName := ""
	if n := handler.ToObject(vm).Get("name"); n != nil {
		fnName = n.String()
	}
	id := bus.SubscriberID(configID, fnName, file)
	line := exportLine(src, "default")
	timeout := s.opts.Timeout
	var subs []subscription
	for _, e := range events {
		label := fmt.Sprintf("subscriber %s on %s", id, e)
		subs = append(subs, subscription{id: id, event: e, file: file, line: line,
			handler: framework.Subscriber(s.opts.Runtime, handler, s.opts.Container, label, timeout)})
	}
	return subs, append(problems, lintConfigKeys(file, "subscriber", src, SubscriberConfigKeys)...)
}

// LintSubscriber checks a subscriber file's shape without running it.
func LintSubscriber(file string, src []byte) []diag.Diagnostic {
	src = withoutBOM(src)
	var out []diag.Diagnostic
	exports := scan.ExportsOf(src)
	if _, ok := exports.Named("default"); !ok {
		out = append(out, Warning(file, 1, "a subscriber needs a default export: export default async function handler({ event, container }) { … }"))
	}
	if config, ok := exports.Named("config"); !ok {
		out = append(out, Warning(file, 1, `a subscriber needs export const config = { event: "…" }`))
	} else if !eventKeyRe.Match(src) {
		line, hint := missingKeyAt(src, "event", config.Line)
		if hint == "" {
			out = append(out, Warning(file, line, "the subscriber's config has no event"))
		}
	}
	return append(out, lintConfigKeys(file, "subscriber", src, SubscriberConfigKeys)...)
}
