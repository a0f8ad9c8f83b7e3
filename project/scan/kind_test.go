package scan

import "testing"

// What each file is follows Medusa 2.21.2's loaders (see the package comment); the comments
// name the rule a case checks.
func TestKindOf(t *testing.T) {
	tests := []struct {
		rel  string
		want Kind
	}{
		// routes-loader.js: route.ts or route.js under src/api, no folder starting with "_"
		{"src/api/route.ts", Route},
		{"src/api/store/hello/route.ts", Route},
		{"src/api/store/products/[id]/route.js", Route},
		{"src/api/store/hello/route.mts", Other},
		{"src/api/store/hello/route.spec.ts", Other},
		{"src/api/_internal/x/route.ts", Other},
		{"src/api/store/hello/validators.ts", Other},
		{"src/lib/route.ts", Other},
		// middleware-file-loader.js: src/api/middlewares.{ts,js} only
		{"src/api/middlewares.ts", Middlewares},
		{"src/api/middlewares.js", Middlewares},
		{"src/api/store/middlewares.ts", Other},
		// resource-loader.js: .ts/.js, not index, .d.ts, tests, __tests__ or a "_" name
		{"src/subscribers/product-created.ts", Subscriber},
		{"src/subscribers/deep/er/product-created.js", Subscriber},
		{"src/subscribers/index.ts", Other},
		{"src/subscribers/index.helpers.ts", Subscriber}, // only the name "index" is left out
		{"src/subscribers/_helpers.ts", Other},
		{"src/subscribers/_lib/helpers.ts", Subscriber}, // folders starting with "_" are read
		{"src/subscribers/__tests__/x.ts", Other},
		{"src/subscribers/x.spec.ts", Other},
		{"src/subscribers/x.test.js", Other},
		{"src/subscribers/x.spec.helper.ts", Subscriber}, // .spec only at the end
		{"src/subscribers/types.d.ts", Other},
		{"src/subscribers/x.mts", Other},
		{"src/subscribers/x.tsx", Other},
		{"src/jobs/sync.ts", Job},
		{"src/jobs/index.js", Other},
		{"src/jobs/_shared.ts", Other},
		// workflow-loader.js: allowIndex
		{"src/workflows/hello.ts", Workflow},
		{"src/workflows/index.ts", Workflow},
		{"src/workflows/checkout/index.js", Workflow},
		{"src/workflows/steps/create-brand.ts", Workflow},
		{"src/workflows/hooks/created-product.ts", Workflow},
		{"src/workflows/_steps/x.ts", Workflow},
		{"src/workflows/_x.ts", Other},
		{"src/workflows/__tests__/index.ts", Other},
		{"src/workflows/checkout/index.spec.ts", Other},
		{"src/workflows/x.mts", Other},
		// a module is the folder Medusa resolves: its index file
		{"src/modules/brand/index.ts", Module},
		{"src/modules/greeter/index.js", Module},
		{"src/modules/brand/index.mts", Other},
		{"src/modules/brand/service.ts", Other},
		{"src/modules/brand/models/index.ts", Other},
		{"src/modules/index.ts", Other},
		// link-loader.js
		{"src/links/product-brand.ts", Link},
		{"src/links/nested/product-brand.js", Link},
		{"src/links/index.ts", Other},
		{"src/links/_x.ts", Other},
		{"src/links/README.md", Other},
		{"src/links/x.d.ts", Other},
		// hidden folders and node_modules are never resources
		{"src/subscribers/.cache/x.ts", Other},
		{"src/api/.hidden/route.ts", Other},
		{"src/modules/.cache/index.ts", Other},
		{"src/jobs/node_modules/x.ts", Other},
		// other folders
		{"src/scripts/seed.ts", Other},
		{"src/admin/widgets/x.tsx", Other},
		{"medusa-config.ts", Other},
	}
	for _, tc := range tests {
		if got := KindOf(tc.rel); got != tc.want {
			t.Errorf("KindOf(%q) = %q, want %q", tc.rel, got, tc.want)
		}
	}
}

// A change goes to the reloaders of Medusa's dev server by folder, in Medusa's order.
func TestReloaderOf(t *testing.T) {
	tests := []struct{ rel, want string }{
		{"src/modules/brand/service.ts", "modules"},
		{"src/modules/brand/workflows/x.ts", "modules"},
		{"src/workflows/steps/x.ts", "workflows"},
		{"src/lib/workflows/x.ts", "workflows"},
		{"src/api/store/hello/route.ts", "routes"},
		{"src/api/store/hello/validators.ts", "routes"},
		{"src/api/middlewares.ts", "routes"},
		{"src/subscribers/x.ts", "subscribers"},
		{"src/jobs/x.ts", "jobs"},
		{"src/lib/util.ts", ""},
		{"src/links/x.ts", ""},
		{"medusa-config.ts", ""},
		{"workflows/x.ts", ""},
	}
	for _, tc := range tests {
		if got := ReloaderOf(tc.rel); got != tc.want {
			t.Errorf("ReloaderOf(%q) = %q, want %q", tc.rel, got, tc.want)
		}
	}
}

// URL paths as RoutesLoader.createRoutePath makes them (checked against Medusa 2.21.2 in Node).
func TestRoutePath(t *testing.T) {
	tests := []struct {
		rel, want string
		ok, err   bool
	}{
		{"src/api/store/hello/route.ts", "/store/hello", true, false},
		{"src/api/route.ts", "/", true, false},
		{"src/api/store/products/[id]/route.js", "/store/products/:id", true, false},
		{"src/api/a/[id]/b/[sub_id]/route.ts", "/a/:id/b/:sub_id", true, false},
		{"src/api/_internal/x/route.ts", "", false, false},
		{"src/api/store/hello/handler.ts", "", false, false},
		{"src/lib/route.ts", "", false, false},
		{"src/api/a/[id]/b/[id]/route.ts", "", true, true},
		{"src/api/.hidden/route.ts", "", false, false},
		// Medusa turns a segment into a parameter only when it starts with "[", and only its
		// first [name]; [[...slug]] and [...slug] are no parameters. The "[" left in the path
		// stops Medusa's route matcher (path-to-regexp 8: "Unexpected [ at index …"), and Medusa
		// with it.
		{"src/api/a/foo-[id]/route.ts", "/a/foo-[id]", true, true},
		{"src/api/a/[a]-[b]/route.ts", "/a/:a-[b]", true, true},
		{"src/api/a/[[...slug]]/route.ts", "/a/[[...slug]]", true, true},
		{"src/api/a/[...slug]/route.ts", "/a/[...slug]", true, true},
	}
	for _, tc := range tests {
		got, ok, err := RoutePath(tc.rel)
		if got != tc.want || ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("RoutePath(%q) = %q, %v, %v; want %q, %v, error %v", tc.rel, got, ok, err, tc.want, tc.ok, tc.err)
		}
	}
}
