package reloaders

import (
	"net/http"
	"regexp"
	"strings"
)

// CORSConfig holds projectConfig.http.{storeCors,adminCors,authCors}: comma-separated origins,
// where "/…/flags" entries are regular expressions (Medusa's parseCorsOrigins).
type CORSConfig struct {
	Store, Admin, Auth string
}

// corsPolicy is a CORSConfig parsed, so that requests do not parse it again.
type corsPolicy struct {
	store, admin, auth corsOrigins
}

func (c CORSConfig) parse() corsPolicy {
	return corsPolicy{store: parseCorsOrigins(c.Store), admin: parseCorsOrigins(c.Admin), auth: parseCorsOrigins(c.Auth)}
}

// corsOrigins is the origin list the cors package receives: exact strings and regular
// expressions. As in Medusa, entries are not trimmed and "*" is only the string "*".
type corsOrigins struct {
	exact []string
	res   []*regexp.Regexp
}

// corsRegexp is buildRegexpIfValid's pattern: a delimiter, the body, the same delimiter, flags.
var corsRegexp = regexp.MustCompile(`^([/~@;%#'])(.*?)([/~@;%#'])([gimsuy]*)$`)

// parseCorsOrigins follows @medusajs/utils parseCorsOrigins and buildRegexpIfValid: the string
// is split on "," (no trimming), and an entry such as "/\.example\.com$/i" is a regular
// expression (g and y dropped, as Medusa does).
func parseCorsOrigins(s string) corsOrigins {
	var o corsOrigins
	if s == "" {
		return o
	}
	for _, part := range strings.Split(s, ",") {
		if m := corsRegexp.FindStringSubmatch(part); m != nil && m[1] == m[3] {
			flags := ""
			for _, f := range m[4] {
				switch f {
				case 'i', 'm', 's':
					flags += string(f)
				}
			}
			expr := m[2]
			if flags != "" {
				expr = "(?" + flags + ")" + expr
			}
			if re, err := regexp.Compile(expr); err == nil {
				o.res = append(o.res, re)
				continue
			}
		}
		o.exact = append(o.exact, part)
	}
	return o
}

// allows is the cors package's isOriginAllowed over an array of origins.
func (o corsOrigins) allows(origin string) bool {
	if origin == "" {
		return false
	}
	for _, e := range o.exact {
		if e == origin {
			return true
		}
	}
	for _, re := range o.res {
		if re.MatchString(origin) {
			return true
		}
	}
	return false
}

// corsNamespaces are the prefixes Medusa's ApiLoader applies CORS to, in its order.
var corsNamespaces = []string{"/admin", "/store", "/auth"}

// routeNamespace is the kind of a route path, as Medusa's RoutesLoader decides it (the first of
// /admin, /store, /auth that appears as a path segment anywhere in it).
func routeNamespace(path string) string {
	for _, ns := range corsNamespaces {
		if strings.HasSuffix(path, ns) || strings.Contains(path, ns+"/") {
			return ns
		}
	}
	return ""
}

// corsMethods is what the cors package allows by default.
const corsMethods = "GET,HEAD,PUT,PATCH,POST,DELETE"

// apply is Medusa's corsMiddleware (packages/core/framework/src/http/router.ts) with the cors
// package (2.8) behind it, configured with { origin: parseCorsOrigins(...), credentials: true,
// preflightContinue: false }. Under /admin, /store and /auth it looks up the route that serves
// the request's method (for OPTIONS, the one in Access-Control-Request-Method): only when that
// route exists and has not exported CORS = false does it set the headers, and then it answers
// every OPTIONS request itself (204). It reports whether it answered.
func (c corsPolicy) apply(w http.ResponseWriter, req *http.Request, t *routeTable) bool {
	path := req.URL.EscapedPath()
	var ns string
	var origins corsOrigins
	for _, n := range corsNamespaces {
		if hasPrefixSegmentFold(path, n) {
			ns = n
			break
		}
	}
	switch ns {
	case "/admin":
		origins = c.admin
	case "/store":
		origins = c.store
	case "/auth":
		origins = c.auth
	default:
		return false
	}
	method := req.Method
	if method == http.MethodOptions {
		if v, ok := req.Header["Access-Control-Request-Method"]; ok {
			method = strings.Join(v, ", ")
		}
	}
	rf := t.findRoute(ns+path[len(ns):], method)
	switch {
	case rf == nil:
		if !isCoreRoute(ns+path[len(ns):], method) {
			return false
		}
	case rf.noCORS || routeNamespace(rf.path) != ns:
		return false
	}
	h := w.Header()
	origin := req.Header.Get("Origin")
	if origins.allows(origin) {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	addVary(h, "Origin")
	h.Set("Access-Control-Allow-Credentials", "true")
	if req.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", corsMethods)
	if rh := req.Header.Get("Access-Control-Request-Headers"); rh != "" {
		h.Set("Access-Control-Allow-Headers", rh)
	}
	addVary(h, "Access-Control-Request-Headers")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// addVary appends a field to Vary as the vary package does: once, comma-separated.
func addVary(h http.Header, field string) {
	cur := h.Get("Vary")
	if cur == "" {
		h.Set("Vary", field)
		return
	}
	for _, f := range strings.Split(cur, ",") {
		if strings.EqualFold(strings.TrimSpace(f), field) || strings.TrimSpace(f) == "*" {
			return
		}
	}
	h.Set("Vary", cur+", "+field)
}

// hasPrefixSegmentFold is Express's app.use(prefix) test: the prefix, case-insensitively,
// followed by "/" or the end.
func hasPrefixSegmentFold(path, prefix string) bool {
	if len(path) < len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
		return false
	}
	return len(path) == len(prefix) || path[len(prefix)] == '/'
}

// hasPrefixSegment reports whether path is prefix or lies below it.
func hasPrefixSegment(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// coreRoutes are the routes of Medusa's own API that the embedded runtime serves itself
// (framework/js/server.js, coreRoutes): CORS applies to them as to a project's route.
var coreRoutes = []struct{ method, path string }{
	{http.MethodPost, "/auth/session"},
	{http.MethodDelete, "/auth/session"},
}

// isCoreRoute reports whether a core route serves method at path (case-insensitively, a
// trailing slash allowed, as Express matches).
func isCoreRoute(path, method string) bool {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	for _, r := range coreRoutes {
		if r.method == method && strings.EqualFold(path, r.path) {
			return true
		}
	}
	return false
}
