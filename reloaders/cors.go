package reloaders

import (
	"net/http"
	"regexp"
	"strings"
)

// CORSConfig holds projectConfig.http.{storeCors,adminCors,authCors}: comma-separated origins,
// where "/…/" entries are regular expressions (Medusa's parseCorsOrigins).
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

type corsOrigins struct {
	exact []string
	res   []*regexp.Regexp
}

func parseCorsOrigins(s string) corsOrigins {
	var o corsOrigins
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if len(part) > 2 && strings.HasPrefix(part, "/") && strings.HasSuffix(part, "/") {
			if re, err := regexp.Compile(part[1 : len(part)-1]); err == nil {
				o.res = append(o.res, re)
				continue
			}
		}
		o.exact = append(o.exact, part)
	}
	return o
}

func (o corsOrigins) allows(origin string) bool {
	for _, e := range o.exact {
		if e == origin || e == "*" {
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

// cors applies the namespace's CORS policy the way the cors package does with
// {credentials: true}. It reports true when it answered a preflight request itself.
func (c corsPolicy) apply(w http.ResponseWriter, req *http.Request, path string, routeHandlesOptions bool) bool {
	var origins corsOrigins
	switch {
	case hasPrefixSegment(path, "/store"):
		origins = c.store
	case hasPrefixSegment(path, "/admin"):
		origins = c.admin
	case hasPrefixSegment(path, "/auth"):
		origins = c.auth
	default:
		return false
	}
	origin := req.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin == "" || !origins.allows(origin) {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" && !routeHandlesOptions {
		h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
		if rh := req.Header.Get("Access-Control-Request-Headers"); rh != "" {
			h.Set("Access-Control-Allow-Headers", rh)
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

func hasPrefixSegment(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
