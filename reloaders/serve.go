package reloaders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/gorilla/mux"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

// response is what the JavaScript side hands back for one request.
type response struct {
	status  int
	headers map[string][]string
	body    []byte
}

// ServeHTTP serves a request on the generation that is live when it arrives; a reload that
// commits meanwhile does not affect it.
func (r *Routes) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	t := r.current.Load()
	path := req.URL.Path
	if path == "/health" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "OK")
		return
	}
	key, rf, matched := t.match(req)
	handlesOptions := matched && key.method == http.MethodOptions
	if r.cors.apply(w, req, path, handlesOptions) {
		return
	}
	if matched && rf.noCORS {
		for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
			w.Header().Del(h)
		}
	}
	var body []byte
	if req.Body != nil && req.Method != http.MethodGet && req.Method != http.MethodHead {
		b, err := io.ReadAll(io.LimitReader(req.Body, r.opts.BodyLimit+1))
		if err != nil {
			return
		}
		if int64(len(b)) > r.opts.BodyLimit {
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
	posted := r.opts.Runtime.Post(owner, label, func(vm *goja.Runtime) {
		r.run(vm, t, key, rf, req, path, body, owner, respond)
	})
	if !posted {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"type": "unknown_error", "message": "the dev server is shutting down"})
		return
	}
	timer := time.NewTimer(r.opts.RequestTimeout)
	defer timer.Stop()
	select {
	case resp := <-done:
		writeResponse(w, resp)
	case <-timer.C:
		msg := fmt.Sprintf("%s: the handler did not send a response within %s", label, r.opts.RequestTimeout)
		r.report(req.Method, path, http.StatusInternalServerError, []diag.Diagnostic{r.handlerDiagnostic(rf, key.method, msg)})
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
	probe := req.Clone(context.Background())
	probe.URL.Path = strings.ToLower(p)
	probe.URL.RawPath = ""
	var m mux.RouteMatch
	if !t.index.router.Match(probe, &m) || m.Route == nil {
		return routeKey{}, nil, false
	}
	key, ok := t.index.keys[m.Route.GetName()]
	if !ok {
		return routeKey{}, nil, false
	}
	rf, ok := t.files[key.file]
	return key, rf, ok
}

func (k routeKey) paramValues(path string) map[string]string {
	out := make(map[string]string, len(k.params))
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for name, i := range k.params {
		if i < len(segs) {
			out[name] = segs[i]
		}
	}
	return out
}

// run builds the middleware chain and dispatches the request into JavaScript, on the loop.
func (r *Routes) run(vm *goja.Runtime, t *routeTable, key routeKey, rf *routeFile, req *http.Request, path string, body []byte, owner *jsvm.Owner, respond func(response)) {
	matched := rf != nil
	server, err := r.serverModule()
	if err != nil {
		respond(errorResponse(http.StatusInternalServerError, "unknown_error", err.Error()))
		return
	}
	dispatch, _ := goja.AssertFunction(server.ToObject(vm).Get("dispatch"))
	chain := t.chain(vm, key, matched, req.Method, path)
	if matched {
		chain = append(chain, rf.handlers[key.method])
	} else {
		chain = append(chain, vm.ToValue(func(call goja.FunctionCall) goja.Value {
			res := call.Argument(1).ToObject(vm)
			status, _ := goja.AssertFunction(res.Get("status"))
			sent, _ := status(res, vm.ToValue(404))
			send, _ := goja.AssertFunction(sent.ToObject(vm).Get("type"))
			sent, _ = send(sent, vm.ToValue("html"))
			end, _ := goja.AssertFunction(sent.ToObject(vm).Get("end"))
			_, _ = end(sent, vm.ToValue(notFoundPage(req.Method, path)))
			return goja.Undefined()
		}))
	}
	init := r.requestInit(vm, req, path, body, key, matched)
	var errorHandler goja.Value = goja.Null()
	if t.mw != nil && t.mw.errorHandler != nil {
		errorHandler = t.mw.errorHandler
	}
	responded := false
	io := vm.NewObject()
	_ = io.Set("finish", func(status int, headers *goja.Object, chunks *goja.Object) {
		responded = true
		respond(response{status: status, headers: exportHeaders(vm, headers), body: exportChunks(vm, chunks)})
	})
	_ = io.Set("reportError", func(errV goja.Value, status int, afterResponse bool) {
		problems := r.opts.Runtime.ValueDiagnostics(errV, diag.CodeRuntime)
		for i := range problems {
			problems[i].Message = fmt.Sprintf("%s %s: %s", req.Method, path, problems[i].Message)
		}
		r.report(req.Method, path, status, problems)
	})
	_ = io.Set("settled", func() {
		if !responded && owner.PendingTimers() == 0 {
			msg := fmt.Sprintf("%s %s: the handler finished without sending a response (call res.json(), res.send() or res.end())", req.Method, path)
			r.report(req.Method, path, http.StatusInternalServerError, []diag.Diagnostic{r.handlerDiagnostic(rf, key.method, msg)})
			respond(errorResponse(http.StatusInternalServerError, "unknown_error", msg))
		}
	})
	scope := goja.Value(goja.Undefined())
	if r.opts.Container != nil {
		scope = r.opts.Container.Object()
	}
	chainArr := vm.NewArray()
	for i, fn := range chain {
		_ = chainArr.Set(fmt.Sprint(i), fn)
	}
	if _, err := dispatch(goja.Undefined(), init, scope, chainArr, errorHandler, io); err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			panic(ie)
		}
		problems := r.opts.Runtime.Diagnostics(err, diag.CodeRuntime)
		r.report(req.Method, path, http.StatusInternalServerError, problems)
		respond(errorResponse(http.StatusInternalServerError, "unknown_error", err.Error()))
	}
}

// chain returns the middlewares that Express would run before the matched route (or before
// the final 404 when nothing matched): those sorted before it whose matcher accepts the path.
func (t *routeTable) chain(vm *goja.Runtime, key routeKey, matched bool, method, path string) []goja.Value {
	if t.mw == nil {
		return nil
	}
	var out []goja.Value
	type posFn struct {
		pos int
		fn  goja.Value
	}
	var picked []posFn
	for i, e := range t.mw.entries {
		pos := t.index.mwPos[i]
		if matched && pos > key.pos {
			continue
		}
		if e.methods != nil && !containsMethod(e.methods, method) {
			continue
		}
		if !e.matches(vm, path) {
			continue
		}
		picked = append(picked, posFn{pos, e.fn})
	}
	// Express runs layers in stack order.
	for i := 1; i < len(picked); i++ {
		for j := i; j > 0 && picked[j].pos < picked[j-1].pos; j-- {
			picked[j], picked[j-1] = picked[j-1], picked[j]
		}
	}
	for _, p := range picked {
		out = append(out, p.fn)
	}
	return out
}

func containsMethod(methods []string, m string) bool {
	for _, x := range methods {
		if x == m || (m == http.MethodHead && x == http.MethodGet) {
			return true
		}
	}
	return false
}

func (e middlewareEntry) matches(vm *goja.Runtime, path string) bool {
	if e.re != nil {
		return e.re.MatchString(path)
	}
	test, ok := goja.AssertFunction(e.jsRe.ToObject(vm).Get("test"))
	if !ok {
		return false
	}
	v, err := test(e.jsRe, vm.ToValue(path))
	return err == nil && v.ToBoolean()
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

func (r *Routes) requestInit(vm *goja.Runtime, req *http.Request, path string, body []byte, key routeKey, matched bool) *goja.Object {
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
	params := vm.NewObject()
	if matched {
		for k, v := range key.paramValues(path) {
			_ = params.Set(k, v)
		}
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
	set("path", path)
	set("search", req.URL.RawQuery)
	set("headers", headers)
	set("params", params)
	set("ip", ip)
	set("protocol", proto)
	set("hostname", host)
	if body != nil {
		ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		switch {
		case ct == "application/json" || strings.HasSuffix(ct, "+json"):
			set("bodyType", "json")
		case ct == "application/x-www-form-urlencoded":
			set("bodyType", "urlencoded")
		case strings.HasPrefix(ct, "text/"):
			set("bodyType", "text")
		}
		set("bodyText", string(body))
		set("rawBody", buffer.WrapBytes(vm, body))
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

// notFoundPage is Express's default 404 body.
func notFoundPage(method, path string) string {
	return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
		html.EscapeString(method) + " " + html.EscapeString(path) + "</pre>\n</body>\n</html>\n"
}
