package reloaders

import (
	"reflect"
	"testing"
)

func TestSortRoutesLikeMedusa(t *testing.T) {
	in := []sortable{
		{matcher: "/admin/products/:id", hasMethod: true},
		{matcher: "/admin/products", hasMethod: true},
		{matcher: "/store*", hasMethod: false},
		{matcher: "/admin/products/special", hasMethod: true},
		{matcher: "/store/*", hasMethod: true},
		{matcher: "/admin/(foo|bar)", hasMethod: true},
	}
	for i := range in {
		in[i].index = i
	}
	got := sortRoutes(in)
	// global first, then wildcard, regex, static, params (per tree level).
	want := []int{2, 4, 5, 1, 3, 0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestExpressPattern(t *testing.T) {
	tests := []struct {
		pattern string
		end     bool
		path    string
		match   bool
	}{
		{"/store/custom", false, "/store/custom", true},
		{"/store/custom", false, "/store/custom/deep", true},
		{"/store/custom", false, "/store/customer", false},
		{"/store/custom", true, "/store/custom/deep", false},
		{"/store/custom", true, "/STORE/Custom/", true},
		{"/store/custom*", false, "/store/customer", true},
		{"/store/*", true, "/store/anything/at/all", true},
		{"/store/products/:id", true, "/store/products/prod_1", true},
		{"/store/products/:id", true, "/store/products/prod_1/variants", false},
		{"/store/products/:id", false, "/store/products/prod_1/variants", true},
		{"/a/:id?", true, "/a", true},
		{"/a/:id?", true, "/a/1", true},
		{"*", false, "/anything", true},
		{"/", false, "/anything", true},
	}
	for _, tc := range tests {
		re, _, err := expressPattern(tc.pattern, tc.end)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		if got := re.MatchString(tc.path); got != tc.match {
			t.Errorf("%q (end=%v) vs %q: %v, want %v (re %s)", tc.pattern, tc.end, tc.path, got, tc.match, re)
		}
	}
}
