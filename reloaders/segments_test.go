package reloaders

import (
	"regexp"
	"slices"
	"testing"
)

// TestSegmentIndexKeepsEveryMatch: for every route and path, a route whose pattern matches the
// path is among the path's candidates, so that the index changes which routes are tried, never
// which one matches.
func TestSegmentIndexKeepsEveryMatch(t *testing.T) {
	routes := []string{
		"/", "/store", "/store/products", "/store/products/:id", "/store/products/:id/variants",
		"/STORE/Carts", "/:tenant/items", "/:tenant/items/:id", "/admin/:id/notes", "/files/report.json",
		"/gen/r0000", "/gen/r0999", "/gen/:id", "/gen-x/a_b", "/store/products/:id/:sub",
	}
	paths := []string{
		"/", "/store", "/STORE", "/store/", "/store/products", "/Store/Products/p_1", "/store/products/p_1/variants",
		"/store/carts", "/acme/items", "/acme/ITEMS/7", "/admin/u_1/notes", "/files/report.json", "/files/reportxjson",
		"/gen/r0000", "/gen/R0999", "/gen/r0500", "/gen-x/a_b", "/store/products/p_1/x", "//store", "/nothing/here",
	}
	var x segmentIndex
	res := make([]*regexp.Regexp, len(routes))
	for i, r := range routes {
		re, _, err := expressPattern(r, true)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		res[i] = re
		x.add(r, i)
	}
	for _, p := range paths {
		cands := x.candidates(p)
		if !slices.IsSorted(cands) {
			t.Errorf("%s: candidates %v are not in order", p, cands)
		}
		for i, re := range res {
			if re.MatchString(p) && !slices.Contains(cands, i) {
				t.Errorf("%s matches %s, which is not a candidate (%v)", p, routes[i], cands)
			}
		}
	}
	// The index does prune: a path under /gen tries none of the other /gen routes' literals.
	if c := x.candidates("/gen/r0500"); slices.Contains(c, slices.Index(routes, "/gen/r0000")) || slices.Contains(c, slices.Index(routes, "/store")) {
		t.Errorf("/gen/r0500 tries %v", c)
	}
}
