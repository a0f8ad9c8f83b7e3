package reloaders

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/gorilla/mux"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// response is what the JavaScript side hands back for one request.
type response struct {
	status  int
	headers map[string][]string
	body    []byte
}

// ServeHTTP serves a request on the generation that is live when it starts running on the
// loop: one that waited there behind a reload runs on the reload's new table, and one already
// running when a reload commits finishes on the table it started with.
func (r *Routes) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	t := r.current.Load()
	path := req.URL.Path
	if path == "/health" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "OK")
		return
	}
	key, rf, _ := t.match(req)
	// A preflight runs no project code: the table live now answers it. Other requests get
	// their CORS headers from the table they ran on, once they have.
	if req.Method == http.MethodOptions && r.cors.apply(w, req, t) {
		return
	}
	corsFrom := func(t *routeTable) {
		if req.Method != http.MethodOptions {
			r.cors.apply(w, req, t)
		}
	}
	// Medusa's body parsers read a body whatever the method (a GET may have one); whether one
	// takes it is decided on the loop (requestInit), by the route's bodyParser config.
	var body []byte
	if req.Body != nil && req.ContentLength != 0 {
		b, err := io.ReadAll(io.LimitReader(req.Body, r.opts.BodyLimit+1))
		if err != nil {
			return
		}
		if int64(len(b)) > r.opts.BodyLimit {
			corsFrom(t)
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"type": "invalid_data", "message": "request entity too large"})
			return
		}
		body = b
	}
	label := req.Method + " " + path
	owner := jsvm.NewOwner(label)
	done := make(chan response, 1)
	var once sync.Once
	respond := func(resp response) { once.Do(func() { done <- resp }) }
	owner.OnInterrupt = func(ie *goja.InterruptedError) {
		problems := r.opts.Runtime.Diagnostics(ie, diag.CodeRuntime)
		r.report(req.Method, path, http.StatusInternalServerError, problems)
		respond(errorResponse(http.StatusInternalServerError, "unknown_error", label+": "+describeInterrupt(problems, r.opts.Root)))
	}
	var ran atomic.Pointer[routeTable] // the table the request ran on
	posted := r.opts.Runtime.Post(owner, label, func(vm *goja.Runtime) {
		lt, lkey, lrf := t, key, rf
		if cur := r.current.Load(); cur != t {
			lt = cur
			lkey, lrf, _ = cur.match(req)
		}
		ran.Store(lt)
		r.run(vm, lt, lkey, lrf, req, path, body, owner, respond)
	})
	if !posted {
		corsFrom(t)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"type": "unknown_error", "message": "the dev server is shutting down"})
		return
	}
	timer := time.NewTimer(r.opts.RequestTimeout)
	defer timer.Stop()
	select {
	case resp := <-done:
		if rt := ran.Load(); rt != nil {
			t = rt
		}
		corsFrom(t)
		writeResponse(w, resp)
	case <-timer.C:
		msg := fmt.Sprintf("%s: the handler did not send a response within %s", label, r.opts.RequestTimeout)
		r.report(req.Method, path, http.StatusInternalServerError, []diag.Diagnostic{r.handlerDiagnostic(rf, key.method, msg)})
		corsFrom(t)
		writeResponse(w, errorResponse(http.StatusInternalServerError, "unknown_error", msg))
	case <-req.Context().Done():
	}
}

func describeInterrupt(problems []diag.Diagnostic, root string) string {
	if len(problems) == 0 {
		return "the handler was interrupted"
	}
	p := problems[0]
	if p.Line > 0 {
		return fmt.Sprintf("%s (at %s:%d)", p.Message, diag.RelPath(root, p.File), p.Line)
	}
	return p.Message
}

func (r *Routes) handlerDiagnostic(rf *routeFile, method string, msg string) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Error, Code: diag.CodeRuntime, Message: msg}
	if rf != nil {
		d.File, d.Line, d.Column = rf.file, max(rf.lines[method], 1), 1
	}
	return d
}

// match finds the route for req in sorted order, case-insensitively and ignoring a trailing
// slash, as Express does. HEAD falls back to GET.
func (t *routeTable) match(req *http.Request) (routeKey, *routeFile, bool) {
	if t.index == nil {
		return routeKey{}, nil, false
	}
	p := req.URL.Path
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	// What the routes' Path and Methods matchers read, and no more (req.Clone cost more than
	// matching).
	lower := strings.ToLower(p)
	probe := &http.Request{Method: req.Method, URL: &url.URL{Path: lower}, Host: req.Host}
	var route *mux.Route
	for _, i := range t.index.routeSegs.candidates(lower) {
		var m mux.RouteMatch
		if r := t.index.routes[i]; r.Match(probe, &m) {
			route = r
			break
		}
	}
	if route == nil {
		return routeKey{}, nil, false
	}
	key, ok := t.index.keys[route.GetName()]
	if !ok {
		return routeKey{}, nil, false
	}
	rf, ok := t.files.Get(key.file)
	return key, rf, ok
}

// run dispatches the request into JavaScript, on the loop, through the table's Express stack.
func (r *Routes) run(vm *goja.Runtime, t *routeTable, key routeKey, rf *routeFile, req *http.Request, path string, body []byte, owner *jsvm.Owner, respond func(response)) {
	server, err := r.serverModule()
	if err != nil {
		respond(errorResponse(http.StatusInternalServerError, "unknown_error", err.Error()))
		return
	}
	if r.dispatch == nil {
		r.dispatch, _ = goja.AssertFunction(server.ToObject(vm).Get("dispatch"))
	}
	dispatch := r.dispatch
	stack, err := r.stackOf(vm, t)
	if err != nil {
		respond(errorResponse(http.StatusInternalServerError, "unknown_error", err.Error()))
		return
	}
	var mw *middlewareFile
	if t != nil {
		mw = t.mw
	}
	init := r.requestInit(vm, req, path, body, mw.bodyParserFor(vm, req.Method, path))
	_ = init.Set("publishableKey", r.opts.PublishableKey)
	// Medusa's auth middlewares skip a route that exports AUTHENTICATE = false, looked up
	// with the request's own method.
	if target := t.findRoute(req.URL.EscapedPath(), req.Method); target != nil && target.noAuth {
		_ = init.Set("optedOutOfAuth", true)
	}
	var errorHandler goja.Value = goja.Null()
	if t.mw != nil && t.mw.errorHandler != nil {
		errorHandler = t.mw.errorHandler
	}
	responded := false
	// The Go side of the request, as plain natives: goja wraps a typed Go func through
	// reflection, which cost each request more than most of its layers.
	io := vm.NewObject()
	_ = io.Set("finish", func(c goja.FunctionCall) goja.Value {
		responded = true
		headers, _ := c.Argument(1).(*goja.Object)
		chunks, _ := c.Argument(2).(*goja.Object)
		respond(response{status: int(c.Argument(0).ToInteger()), headers: exportHeaders(vm, headers), body: exportChunks(vm, chunks)})
		return goja.Undefined()
	})
	_ = io.Set("reportError", func(c goja.FunctionCall) goja.Value {
		problems := r.opts.Runtime.ValueDiagnostics(c.Argument(0), diag.CodeRuntime)
		for i := range problems {
			problems[i].Message = fmt.Sprintf("%s %s: %s", req.Method, path, problems[i].Message)
		}
		r.report(req.Method, path, int(c.Argument(1).ToInteger()), problems)
		return goja.Undefined()
	})
	_ = io.Set("settled", func(goja.FunctionCall) goja.Value {
		if !responded && owner.PendingTimers() == 0 {
			msg := fmt.Sprintf("%s %s: the handler finished without sending a response (call res.json(), res.send() or res.end())", req.Method, path)
			r.report(req.Method, path, http.StatusInternalServerError, []diag.Diagnostic{r.handlerDiagnostic(rf, key.method, msg)})
			respond(errorResponse(http.StatusInternalServerError, "unknown_error", msg))
		}
		return goja.Undefined()
	})
	scope := goja.Value(goja.Undefined())
	if r.opts.Container != nil {
		scope = r.opts.Container.Object()
	}
	if _, err := dispatch(goja.Undefined(), init, scope, stack, errorHandler, io); err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			panic(ie)
		}
		problems := r.opts.Runtime.Diagnostics(err, diag.CodeRuntime)
		r.report(req.Method, path, http.StatusInternalServerError, problems)
		respond(errorResponse(http.StatusInternalServerError, "unknown_error", err.Error()))
	}
}

// stackOf returns the table's Express layer stack, building it on first use (on the loop):
// the middlewares (app.use for those without methods, app.<method> for each method of the
// others) and the route handlers, in the order Medusa sorts them.
func (r *Routes) stackOf(vm *goja.Runtime, t *routeTable) (goja.Value, error) {
	if t.stack != nil {
		return t.stack, nil
	}
	// Building is the runtime's work, not the project's: it gets its own time budget, and so
	// does what runs after it.
	r.opts.Runtime.ResetDeadline()
	server, err := r.serverModule()
	if err != nil {
		return nil, err
	}
	build, _ := goja.AssertFunction(server.ToObject(vm).Get("buildTableStack"))
	layers := vm.NewArray()
	n := 0
	at := map[handlerKey]int{}
	add := func(use bool, matcher goja.Value, method string, fn goja.Value, route bool) {
		l := vm.NewObject()
		_ = l.Set("use", use)
		_ = l.Set("matcher", matcher)
		if method != "" {
			_ = l.Set("method", method)
		}
		_ = l.Set("fn", fn)
		_ = l.Set("route", route)
		_ = layers.Set(fmt.Sprint(n), l)
		n++
	}
	if t.index != nil {
		for _, ref := range t.index.layers {
			if ref.mw >= 0 {
				e := t.mw.entries[ref.mw]
				matcher := vm.ToValue(e.matcher)
				if e.jsRe != nil {
					matcher = e.jsRe
				}
				if e.methods == nil {
					add(true, matcher, "", e.fn, false)
					continue
				}
				for _, m := range e.methods {
					add(false, matcher, m, e.fn, false)
				}
				continue
			}
			rf, ok := t.files.Get(ref.file)
			if !ok {
				continue
			}
			if fn, ok := rf.handlers[ref.method]; ok {
				at[handlerKey{ref.file, ref.method}] = n
				add(false, vm.ToValue(rf.path), ref.method, fn, true)
			}
		}
	}
	stack, err := build(goja.Undefined(), layers)
	if err != nil {
		return nil, fmt.Errorf("building the route stack: %w", err)
	}
	t.stack, t.stackAt = stack, at
	r.opts.Runtime.ResetDeadline()
	return stack, nil
}

// replaceHandlers builds next's stack from cur's, which has the same index: a copy with the
// handlers of the given files replaced (server.js replaceLayers). Its cost is the number of
// layers copied plus the changed handlers, with no path compiled again.
func (r *Routes) replaceHandlers(vm *goja.Runtime, next, cur *routeTable, files []*routeFile) error {
	server, err := r.serverModule()
	if err != nil {
		return err
	}
	replace, _ := goja.AssertFunction(server.ToObject(vm).Get("replaceLayers"))
	changes := vm.NewArray()
	n := 0
	for _, rf := range files {
		for _, m := range scan.HTTPMethods {
			fn, ok := rf.handlers[m]
			if !ok {
				continue
			}
			i, ok := cur.stackAt[handlerKey{rf.file, m}]
			if !ok {
				return fmt.Errorf("building the route stack: %s %s is not in the live stack", m, rf.path)
			}
			c := vm.NewObject()
			_ = c.Set("i", i)
			_ = c.Set("fn", fn)
			_ = changes.Set(strconv.Itoa(n), c)
			n++
		}
	}
	stack, err := replace(goja.Undefined(), cur.stack, changes)
	if err != nil {
		return fmt.Errorf("building the route stack: %w", err)
	}
	next.stack, next.stackAt = stack, cur.stackAt
	return nil
}

func (r *Routes) serverModule() (goja.Value, error) {
	if r.server == nil {
		v, err := r.opts.Runtime.RequireBuiltin(framework.ServerModule)
		if err != nil {
			return nil, err
		}
		r.server = v
	}
	return r.server, nil
}

func (r *Routes) requestInit(vm *goja.Runtime, req *http.Request, path string, body []byte, parser bodyParserConfig) *goja.Object {
	init := vm.NewObject()
	headers := vm.NewObject()
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if lk == "set-cookie" {
			_ = headers.Set(lk, vs)
			continue
		}
		_ = headers.Set(lk, strings.Join(vs, ", "))
	}
	if req.Host != "" {
		_ = headers.Set("host", req.Host)
	}
	proto := "http"
	if req.TLS != nil {
		proto = "https"
	}
	host := req.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := req.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	set := func(k string, v any) { _ = init.Set(k, v) }
	set("method", req.Method)
	set("url", req.URL.RequestURI())
	set("search", req.URL.RawQuery)
	set("headers", headers)
	set("ip", ip)
	set("protocol", proto)
	set("hostname", host)
	hasBody := req.ContentLength != 0 // Go: -1 when chunked, as type-is's hasBody
	parsed := parseBody(req.Header, body, hasBody, parser)
	switch {
	case parsed.skipped:
		set("bodySkipped", true)
	case parsed.status != 0:
		e := vm.NewObject()
		_ = e.Set("statusCode", parsed.status)
		_ = e.Set("message", parsed.message)
		_ = e.Set("type", parsed.errType)
		set("bodyError", e)
	case parsed.kind != "":
		set("bodyType", parsed.kind)
		set("bodyText", parsed.text)
	}
	if parsed.raw != nil {
		set("rawBody", buffer.WrapBytes(vm, parsed.raw))
	}
	if parsed.kind == "" || parsed.skipped {
		// no parser read it: the request is still a stream of its body (webhooks verify it raw);
		// most requests have none, and cost no Buffer for it
		set("bodyUnread", true)
		if len(body) > 0 {
			set("bodyStream", buffer.WrapBytes(vm, body))
		}
	}
	return init
}

func (r *Routes) report(method, path string, status int, problems []diag.Diagnostic) {
	for _, p := range problems {
		r.opts.Logger.Error(p.Format(r.opts.Root))
	}
	if r.opts.OnError != nil {
		r.opts.OnError(RuntimeError{Method: method, Path: path, Status: status, Problems: problems})
	}
}

func exportHeaders(vm *goja.Runtime, obj *goja.Object) map[string][]string {
	out := map[string][]string{}
	if obj == nil {
		return out
	}
	for _, k := range obj.Keys() {
		v := obj.Get(k)
		if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" {
			for i := 0; i < int(arr.Get("length").ToInteger()); i++ {
				out[k] = append(out[k], arr.Get(fmt.Sprint(i)).String())
			}
			continue
		}
		out[k] = []string{v.String()}
	}
	return out
}

func exportChunks(vm *goja.Runtime, chunks *goja.Object) []byte {
	if chunks == nil {
		return nil
	}
	var out []byte
	for i := 0; i < int(chunks.Get("length").ToInteger()); i++ {
		c := chunks.Get(fmt.Sprint(i))
		if goja.IsString(c) {
			out = append(out, c.String()...)
			continue
		}
		switch x := c.Export().(type) {
		case goja.ArrayBuffer:
			out = append(out, x.Bytes()...)
		case []byte:
			out = append(out, x...)
		default:
			out = append(out, buffer.Bytes(vm, c)...)
		}
	}
	return out
}

func writeResponse(w http.ResponseWriter, resp response) {
	h := w.Header()
	for k, vs := range resp.headers {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	if resp.status == 0 {
		resp.status = http.StatusOK
	}
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", fmt.Sprint(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func errorResponse(status int, typ, msg string) response {
	b, _ := json.Marshal(map[string]string{"code": "unknown_error", "type": typ, "message": msg})
	return response{status: status, headers: map[string][]string{"content-type": {"application/json; charset=utf-8"}}, body: b}
}

// WriteError answers with Medusa's error body ({"code","type","message"}), for servers in front
// of a dev server.
func WriteError(w http.ResponseWriter, status int, msg string) {
	writeResponse(w, errorResponse(status, "unknown_error", msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
