package reloaders

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/gorilla/mux"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/internal/genmap"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// RuntimeError is a failure after loading, for the log and the editor: a route handler on a
// request (Method, Path, Status), or a subscriber or job (What).
type RuntimeError struct {
	Method, Path string
	Status       int
	What         string // "subscriber notify on product.created", "job sync-products"
	Problems     []diag.Diagnostic
}

// RoutesOptions configure the routes reloader.
type RoutesOptions struct {
	Root      string
	Runtime   *jsvm.Runtime
	Container *framework.Container
	CORS      CORSConfig
	// PublishableKey is the one key /store routes accept (x-publishable-api-key), the
	// development key; "" accepts none, as Medusa without keys. Medusa's default checks (this
	// key on /store, a user's token on /admin) always apply: framework/js/server.js.
	PublishableKey string
	RequestTimeout time.Duration // longest wait for a response before answering 500
	BodyLimit      int64         // request body limit in bytes
	Logger         *slog.Logger
	OnError        func(RuntimeError)
}

// Routes serves src/api: route files and the middlewares file, swapped atomically as a whole.
type Routes struct {
	opts    RoutesOptions
	cors    corsPolicy // opts.CORS, parsed once
	current atomic.Pointer[routeTable]
	// loop-only
	server   goja.Value    // the internal server module (dispatch)
	dispatch goja.Callable // its dispatch, looked up on the first request
}

// NewRoutes returns the routes reloader with an empty table.
func NewRoutes(opts RoutesOptions) *Routes {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 60 * time.Second
	}
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = 10 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Routes{opts: opts, cors: opts.CORS.parse()}
	r.current.Store(&routeTable{files: genmap.New[string, *routeFile]()})
	return r
}

// Kind implements Reloader.
func (r *Routes) Kind() string { return "routes" }

// Owns implements Reloader: route files and the API's middlewares file.
func (r *Routes) Owns(rel string) bool {
	kind := scan.KindOf(rel)
	return kind == scan.Route || kind == scan.Middlewares
}

type routeFile struct {
	file, rel, path string
	handlers        map[string]goja.Value // method → handler
	lines           map[string]int        // method → line of its export
	noCORS          bool                  // export const CORS = false
	noAuth          bool                  // export const AUTHENTICATE = false
}

type middlewareEntry struct {
	matcher string
	jsRe    goja.Value // the RegExp, for a RegExp matcher
	methods []string   // nil: every method (app.use)
	fn      goja.Value
}

type middlewareFile struct {
	file         string
	entries      []middlewareEntry
	errorHandler goja.Value
	bodyParsers  []bodyParserConfig // the routes with a bodyParser option, in Medusa's order
}

// routeTable is one generation of the API. It is immutable once committed, except for stack,
// which the loop builds on first use.
type routeTable struct {
	files *genmap.Map[string, *routeFile]
	mw    *middlewareFile
	index *routeIndex
	stack goja.Value // loop-only: the Express layer stack (server.js buildTableStack) of this table
	// stackAt is where each route handler sits in stack. Tables with the same index share it.
	stackAt map[handlerKey]int
}

// handlerKey names one route handler: a route file and a method.
type handlerKey struct{ file, method string }

// routeIndex is the sorted routing structure. It depends only on which routes exist (paths and
// methods) and on the middlewares, so an edit that changes neither reuses it as is.
type routeIndex struct {
	routes     []*mux.Route        // in Medusa's order, each matched alone (mux's router would try all)
	routeSegs  segmentIndex        // routes by their literal segments
	keys       map[string]routeKey // mux route name → route
	layers     []layerRef          // middlewares and routes in Medusa's order, as Express stacks them
	finder     []finderEntry       // routes in Medusa's order, for RoutesFinder lookups
	finderSegs segmentIndex        // finder by the routes' literal segments
}

// layerRef is one item of the sorted stack: a middleware entry (mw >= 0) or a route handler.
type layerRef struct {
	mw     int // index into middlewareFile.entries, or -1
	file   string
	method string
}

// finderEntry is a route as Medusa's RoutesFinder matches it: method and whole path.
type finderEntry struct {
	re     *regexp.Regexp
	file   string
	method string
}

type routeKey struct {
	file   string // route file, looked up in the live table at request time
	method string
	pos    int
	params map[string]int // param name → path segment index
}

type routesPending struct {
	outcome
	r    *Routes
	next *routeTable
}

func (p *routesPending) Resources() []Resource { return p.next.resources() }
func (p *routesPending) Commit()               { p.r.current.Store(p.next) }

// Resources lists the live routes and middlewares.
func (r *Routes) Resources() []Resource { return r.current.Load().resources() }

func (t *routeTable) resources() []Resource {
	var out []Resource
	t.files.Range(func(_ string, f *routeFile) bool {
		out = append(out, f.resources()...)
		return true
	})
	if t.mw != nil {
		for _, e := range t.mw.entries {
			name := e.matcher
			if len(e.methods) > 0 {
				name = strings.Join(e.methods, ",") + " " + name
			}
			out = append(out, Resource{Kind: "middleware", Name: name, File: t.mw.file})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (f *routeFile) resources() []Resource {
	var out []Resource
	for _, m := range scan.HTTPMethods {
		if _, ok := f.handlers[m]; ok {
			out = append(out, Resource{Kind: "route", Name: m + " " + f.path, File: f.file, Line: f.lines[m]})
		}
	}
	return out
}

// Prepare implements Reloader.
func (r *Routes) Prepare(tx *jsvm.Tx, load, remove []string) Pending {
	cur := r.current.Load()
	if len(load) == 0 && len(remove) == 0 {
		return &routesPending{r: r, next: cur} // a reload of other kinds: the table stays
	}
	// The next table's files are the live ones plus this reload's changes: a new generation
	// of the map, not a copy of every route file.
	next := &routeTable{files: cur.files.Next(), mw: cur.mw, index: cur.index}
	p := &routesPending{r: r, next: next}
	structural := false
	var swapped []*routeFile // loaded again with the same shape: only their handlers change
	for _, f := range remove {
		if r.isMiddlewares(f) {
			if next.mw != nil {
				p.gone = append(p.gone, Resource{Kind: "middleware", Name: "middlewares", File: f})
			}
			next.mw = nil
		} else if old, ok := next.files.Get(f); ok {
			p.gone = append(p.gone, old.resources()...)
			next.files.Delete(f)
		}
		structural = true
	}
	vm := r.opts.Runtime.VM()
	for _, f := range load {
		rel := diag.RelPath(r.opts.Root, f)
		if scan.KindOf(rel) == scan.Middlewares {
			mw, problems := r.loadMiddlewares(tx, vm, f)
			p.problems = append(p.problems, problems...)
			if mw == nil {
				p.failed = append(p.failed, f)
				continue
			}
			next.mw = mw
			structural = true
			p.reloaded = append(p.reloaded, Resource{Kind: "middleware", Name: fmt.Sprintf("%d middleware(s)", len(mw.entries)), File: f})
			continue
		}
		rf, problems := r.loadRoute(tx, vm, f, rel)
		p.problems = append(p.problems, problems...)
		if rf == nil {
			p.failed = append(p.failed, f)
			continue
		}
		if old, ok := next.files.Get(f); !ok || !sameShape(old, rf) {
			structural = true
			if ok {
				p.gone = append(p.gone, missingResources(old, rf)...)
			}
		} else {
			swapped = append(swapped, rf)
		}
		next.files.Set(f, rf)
		p.reloaded = append(p.reloaded, rf.resources()...)
	}
	if structural || next.index == nil {
		next.index = buildIndex(next)
	}
	// The Express stack is built now, on the reload's time, so that the first request after it
	// does not pay for it (and for loading the request pipeline) out of its handler's budget.
	// When only handlers changed, the live stack is copied with those layers replaced: the
	// work is the changed files', not the whole API's.
	if !structural && next.index == cur.index && cur.stack != nil {
		if len(swapped) == 0 {
			// Nothing loaded (the files failed): the live stack is the next one.
			next.stack, next.stackAt = cur.stack, cur.stackAt
			return p
		}
		err := r.replaceHandlers(vm, next, cur, swapped)
		if err == nil {
			return p
		}
		r.opts.Logger.Warn("routes: " + err.Error())
	}
	if _, err := r.stackOf(vm, next); err != nil {
		r.opts.Logger.Warn("routes: " + err.Error())
	}
	return p
}

// sameShape reports whether two versions of a route file serve the same path and methods.
func sameShape(a, b *routeFile) bool {
	if a.path != b.path || len(a.handlers) != len(b.handlers) {
		return false
	}
	for m := range a.handlers {
		if _, ok := b.handlers[m]; !ok {
			return false
		}
	}
	return true
}

// missingResources lists the routes old served that next no longer does.
func missingResources(old, next *routeFile) []Resource {
	var out []Resource
	for _, r := range old.resources() {
		method := strings.SplitN(r.Name, " ", 2)[0]
		if _, ok := next.handlers[method]; !ok || old.path != next.path {
			out = append(out, r)
		}
	}
	return out
}

func (r *Routes) isMiddlewares(f string) bool {
	return scan.KindOf(diag.RelPath(r.opts.Root, f)) == scan.Middlewares
}

// handlerLines finds the line of each exported handler, for code lenses and symbols.
func handlerLines(src []byte) map[string]int {
	out := map[string]int{}
	for _, e := range scan.ExportsOf(src) {
		out[e.Name] = e.Line
	}
	return out
}

func (r *Routes) loadRoute(tx *jsvm.Tx, vm *goja.Runtime, file, rel string) (*routeFile, []diag.Diagnostic) {
	path, _, err := scan.RoutePath(rel)
	if err != nil {
		return nil, []diag.Diagnostic{{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeConvention, Message: err.Error()}}
	}
	m, err := tx.Require(file)
	if err != nil {
		return nil, r.opts.Runtime.Diagnostics(err, diag.CodeLoad)
	}
	src := sourceOf(m, file)
	lines := handlerLines(src)
	rf := &routeFile{file: file, rel: rel, path: path, handlers: map[string]goja.Value{}, lines: map[string]int{}}
	problems := append([]diag.Diagnostic(nil), m.Warnings...)
	for _, method := range scan.HTTPMethods {
		v := m.Export(vm, method)
		if v == nil || goja.IsUndefined(v) {
			continue
		}
		if _, ok := goja.AssertFunction(v); !ok {
			problems = append(problems, Warning(file, max(lines[method], 1), MsgNotAFunction(method, path)))
			continue
		}
		rf.handlers[method] = v
		rf.lines[method] = lines[method]
	}
	nearMisses := 0
	if exp, ok := m.Exports().(*goja.Object); ok {
		for _, name := range exp.Keys() {
			if want, ok := nearMethod(name); ok {
				problems = append(problems, Warning(file, max(lines[name], 1), MsgNearMethod(name, want)))
				nearMisses++
			}
		}
	}
	// A near-miss already says why nothing is served: one cause, one warning.
	if len(rf.handlers) == 0 && nearMisses == 0 {
		problems = append(problems, Warning(file, 1, MsgNoHandler(path)))
	}
	// Medusa: `FLAG in exports ? !!exports[FLAG] : true`.
	if v := m.Export(vm, "CORS"); v != nil && !goja.IsUndefined(v) && !v.ToBoolean() {
		rf.noCORS = true
	}
	if v := m.Export(vm, "AUTHENTICATE"); v != nil && !goja.IsUndefined(v) && !v.ToBoolean() {
		rf.noAuth = true
	}
	return rf, problems
}

func (r *Routes) loadMiddlewares(tx *jsvm.Tx, vm *goja.Runtime, file string) (*middlewareFile, []diag.Diagnostic) {
	m, err := tx.Require(file)
	if err != nil {
		return nil, r.opts.Runtime.Diagnostics(err, diag.CodeLoad)
	}
	problems := append([]diag.Diagnostic(nil), m.Warnings...)
	def := m.Export(vm, "default")
	obj, ok := def.(*goja.Object)
	if !ok || obj.Get("routes") == nil {
		// Medusa warns and skips such a file.
		problems = append(problems, Warning(file, 1, `the default export must be the result of defineMiddlewares({ routes: [...] }); no middleware applied`))
		return &middlewareFile{file: file}, problems
	}
	mw := &middlewareFile{file: file}
	if eh := obj.Get("errorHandler"); eh != nil {
		if _, ok := goja.AssertFunction(eh); ok {
			mw.errorHandler = eh
		}
	}
	routes, ok := obj.Get("routes").(*goja.Object)
	if !ok {
		problems = append(problems, Warning(file, 1, "defineMiddlewares: routes must be an array"))
		return mw, problems
	}
	n := int(routes.Get("length").ToInteger())
	for i := 0; i < n; i++ {
		route, ok := routes.Get(fmt.Sprint(i)).(*goja.Object)
		if !ok {
			continue
		}
		matcherV := route.Get("matcher")
		if matcherV == nil || goja.IsUndefined(matcherV) || goja.IsNull(matcherV) || matcherV.String() == "" {
			return nil, append(problems, diag.Diagnostic{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
				Message: fmt.Sprintf("Middleware is missing a `matcher` field (routes[%d]). The 'matcher' field is required when applying middleware.", i)})
		}
		var methods []string
		if ms, ok := route.Get("methods").(*goja.Object); ok {
			for j := 0; j < int(ms.Get("length").ToInteger()); j++ {
				meth := strings.ToUpper(ms.Get(fmt.Sprint(j)).String())
				if meth == "ALL" || meth == "USE" {
					methods = []string{"ALL"} // Medusa registers app.all(matcher, fn)
					break
				}
				methods = append(methods, meth)
			}
		}
		entryBase := middlewareEntry{methods: methods}
		if mo, ok := matcherV.(*goja.Object); ok && mo.ClassName() == "RegExp" {
			entryBase.matcher = mo.String()
			entryBase.jsRe = mo
			if flags := mo.Get("flags").String(); strings.ContainsAny(flags, "gy") {
				problems = append(problems, Warning(file, 1, MsgStatefulRegExp(entryBase.matcher)))
			}
		} else {
			entryBase.matcher = matcherV.String()
			if _, _, err := expressPattern(entryBase.matcher, methods != nil); err != nil {
				return nil, append(problems, diag.Diagnostic{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
					Message: fmt.Sprintf("middleware matcher %q is not a valid path pattern: %v", entryBase.matcher, err)})
			}
		}
		if cfg, ok, err := readBodyParserConfig(route.Get("bodyParser")); err != nil {
			return nil, append(problems, diag.Diagnostic{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeLoad,
				Message: fmt.Sprintf("%v (matcher %q)", err, entryBase.matcher)})
		} else if ok {
			cfg.matcher, cfg.jsRe, cfg.methods = entryBase.matcher, entryBase.jsRe, methods
			if len(cfg.methods) == 0 || slices.Contains(cfg.methods, "ALL") {
				cfg.methods = scan.HTTPMethods // Medusa's middleware-file-loader: every method
			}
			if cfg.jsRe == nil {
				cfg.re, _, _ = expressPattern(cfg.matcher, true)
			}
			mw.bodyParsers = append(mw.bodyParsers, cfg)
		}
		fns, _ := route.Get("middlewares").(*goja.Object)
		if fns == nil {
			continue
		}
		for j := 0; j < int(fns.Get("length").ToInteger()); j++ {
			fn := fns.Get(fmt.Sprint(j))
			if _, ok := goja.AssertFunction(fn); !ok {
				problems = append(problems, Warning(file, 1, fmt.Sprintf("middlewares[%d] for %q is not a function; skipped", j, entryBase.matcher)))
				continue
			}
			e := entryBase
			e.fn = fn
			mw.entries = append(mw.entries, e)
		}
	}
	// Medusa finds a request's body parser config with a RoutesFinder over these routes sorted
	// by its RoutesSorter, as the middlewares.
	items := make([]sortable, len(mw.bodyParsers))
	for i, c := range mw.bodyParsers {
		items[i] = sortable{matcher: c.matcher, isRegexp: c.jsRe != nil, hasMethod: true, index: i}
	}
	sorted := make([]bodyParserConfig, 0, len(items))
	for _, i := range sortRoutes(items) {
		sorted = append(sorted, mw.bodyParsers[i])
	}
	mw.bodyParsers = sorted
	return mw, problems
}

// bodyParserFor is the bodyParser config of the first route (in Medusa's order) that matches
// method and path, or the default one. On the loop (a RegExp matcher is tested in JavaScript).
func (mw *middlewareFile) bodyParserFor(vm *goja.Runtime, method, path string) bodyParserConfig {
	if mw == nil {
		return bodyParserConfig{}
	}
	for _, c := range mw.bodyParsers {
		if !slices.Contains(c.methods, method) {
			continue
		}
		if c.re != nil && c.re.MatchString(path) {
			return c
		}
		if c.jsRe != nil {
			if test, ok := goja.AssertFunction(c.jsRe.ToObject(vm).Get("test")); ok {
				if v, err := test(c.jsRe, vm.ToValue(path)); err == nil && v.ToBoolean() {
					return c
				}
			}
		}
	}
	return bodyParserConfig{}
}

// MsgStatefulRegExp warns about a RegExp matcher with the g or y flag.
func MsgStatefulRegExp(matcher string) string {
	return fmt.Sprintf("matcher %s has the g or y flag: Medusa (Express) tests it with exec, which keeps lastIndex, so there the middleware runs on every other request only; medusa-ls matches every request; remove the flag", matcher)
}

// buildIndex sorts routes and middlewares as Medusa does and builds the router.
func buildIndex(t *routeTable) *routeIndex {
	var items []sortable
	type routeItem struct {
		file   *routeFile
		method string
	}
	var routes []routeItem
	if t.mw != nil {
		for i, e := range t.mw.entries {
			items = append(items, sortable{matcher: e.matcher, isRegexp: e.jsRe != nil, hasMethod: e.methods != nil, index: i})
		}
	}
	nMW := len(items)
	files := make([]*routeFile, 0, t.files.Len())
	t.files.Range(func(_ string, f *routeFile) bool {
		files = append(files, f)
		return true
	})
	sort.Slice(files, func(i, j int) bool {
		if files[i].path != files[j].path {
			return files[i].path < files[j].path
		}
		return files[i].file < files[j].file
	})
	for _, f := range files {
		for _, m := range scan.HTTPMethods {
			if _, ok := f.handlers[m]; ok {
				items = append(items, sortable{matcher: f.path, hasMethod: true, index: len(items)})
				routes = append(routes, routeItem{f, m})
			}
		}
	}
	order := sortRoutes(items)
	router := mux.NewRouter() // makes the routes; segmentIndex picks which to match
	idx := &routeIndex{keys: make(map[string]routeKey, len(routes))}
	for pos, i := range order {
		if i < nMW {
			idx.layers = append(idx.layers, layerRef{mw: i})
			continue
		}
		ri := routes[i-nMW]
		idx.layers = append(idx.layers, layerRef{mw: -1, file: ri.file.file, method: ri.method})
		if re, _, err := expressPattern(ri.file.path, true); err == nil {
			idx.finderSegs.add(ri.file.path, len(idx.finder))
			idx.finder = append(idx.finder, finderEntry{re: re, file: ri.file.file, method: ri.method})
		}
		name := ri.method + " " + ri.file.file
		tmpl, params := muxTemplate(ri.file.path)
		idx.keys[name] = routeKey{file: ri.file.file, method: ri.method, pos: pos, params: params}
		methods := []string{ri.method}
		if ri.method == "GET" {
			methods = append(methods, "HEAD")
		}
		idx.routeSegs.add(ri.file.path, len(idx.routes))
		idx.routes = append(idx.routes, router.NewRoute().Name(name).Path(tmpl).Methods(methods...))
	}
	return idx
}

// findRoute is Medusa's RoutesFinder.find: the first route, in sorted order, that serves
// method (exactly: HEAD is not GET here) at path.
func (t *routeTable) findRoute(path, method string) *routeFile {
	if t.index == nil {
		return nil
	}
	for _, i := range t.index.finderSegs.candidates(path) {
		if e := t.index.finder[i]; e.method == method && e.re.MatchString(path) {
			rf, _ := t.files.Get(e.file)
			return rf
		}
	}
	return nil
}

// muxTemplate turns "/store/products/:id" into a lower-case mux template and the segment index
// of each parameter. Matching is done on the lower-cased path (Express routes are
// case-insensitive) and parameter values are taken from the original path by position.
func muxTemplate(path string) (string, map[string]int) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]int{}
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			params[s[1:]] = i
			segs[i] = "{" + s[1:] + "}"
		} else {
			segs[i] = strings.ToLower(s)
		}
	}
	if path == "/" {
		return "/", params
	}
	return "/" + strings.Join(segs, "/"), params
}

// Routes lists the live routes, for symbols and code lenses.
func (r *Routes) Routes() []Resource {
	var out []Resource
	for _, res := range r.Resources() {
		if res.Kind == "route" {
			out = append(out, res)
		}
	}
	return out
}
