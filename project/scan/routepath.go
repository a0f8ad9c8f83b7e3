package scan

import (
	"fmt"
	"regexp"
	"strings"
)

// HTTPMethods are the handler exports a route file may have, in Medusa's order
// (http/types.js HTTP_METHODS).
var HTTPMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"}

// IsHTTPMethod says whether an export named name is a route handler.
func IsHTTPMethod(name string) bool {
	for _, m := range HTTPMethods {
		if name == m {
			return true
		}
	}
	return false
}

// paramSegment is routes-loader.js PARAM_SEGMENT_MATCHER: not global, so only a segment's first
// [name] becomes a parameter.
var paramSegment = regexp.MustCompile(`\[(\w+)\]`)

// RoutePath turns a route file (slash-separated, relative to the project root, e.g.
// "src/api/store/products/[id]/route.ts") into its URL path ("/store/products/:id"), as
// RoutesLoader.createRoutePath does. ok is false for files that are not routes: not under
// src/api, not route.ts/js, under a folder starting with "_", or hidden (KindOf). err is Medusa's for a route
// whose parameters repeat a name, or whose path its route matcher cannot compile (CheckRoutePattern).
func RoutePath(rel string) (urlPath string, ok bool, err error) {
	dir, name := splitRel(rel)
	if name != "route.ts" && name != "route.js" {
		return "", false, nil
	}
	if !under(dir, APIDir) || hidden(dir) {
		return "", false, nil
	}
	var segs []string
	if dir != APIDir {
		segs = strings.Split(strings.TrimPrefix(dir, APIDir+"/"), "/")
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range segs {
		if strings.HasPrefix(s, "_") {
			return "", false, nil
		}
		if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			continue // a route group (Medusa 2.21 keeps it as a segment)
		}
		if m := paramSegment.FindStringSubmatchIndex(s); m != nil && strings.HasPrefix(s, "[") {
			param := s[m[2]:m[3]]
			if seen[param] {
				return "", true, fmt.Errorf("Duplicate parameters found in route %s (%s). Make sure that all parameters are unique.", rel, param)
			}
			seen[param] = true
			s = s[:m[0]] + ":" + param + s[m[1]:]
		}
		out = append(out, s)
	}
	path := "/" + strings.Join(out, "/")
	if err := CheckRoutePattern(path); err != nil {
		return path, true, fmt.Errorf("%v (route %s): Medusa's route matcher cannot compile this path, and Medusa does not start", err, rel)
	}
	return path, true, nil
}
