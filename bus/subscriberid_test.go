package bus_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/bus"
)

func TestKebabCase(t *testing.T) {
	// Expected values are what @medusajs/utils kebabCase returns.
	tests := map[string]string{
		"productCreatedHandler": "product-created-handler",
		"ProductCreated":        "product-created",
		"HTMLParser":            "htmlparser", // only lower→upper boundaries count
		"order_placed":          "order-placed",
		"order__placed  now":    "order-placed-now",
		"already-kebab":         "already-kebab",
		"v2Handler":             "v2handler", // a digit is not a lower-case letter
		"product.created":       "product.created",
		"tab\tand\u00a0nbsp":    "tab-and-nbsp",
		"":                      "",
	}
	for in, want := range tests {
		if got := bus.KebabCase(in); got != want {
			t.Errorf("KebabCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSubscriberID(t *testing.T) {
	tests := []struct {
		name                        string
		configID, handlerName, file string
		want                        string
	}{
		{"config id wins", "my-id", "namedHandler", "/p/src/subscribers/x.ts", "my-id"},
		{"named handler", "", "productCreatedHandler", "/p/src/subscribers/x.ts", "product-created-handler"},
		{"anonymous", "", "", "/p/src/subscribers/orderPlaced.ts", "order-placed"},
		{"tsc anonymous default", "", "_default", "/p/src/subscribers/order_placed.ts", "order-placed"},
		{"tsc numbered default", "", "_default2", "src/subscribers/a.js", "a"},
		{"esbuild anonymous default", "", "product_created_default", "/p/src/subscribers/product-created.ts", "product-created"},
		{"only the last extension goes", "", "", "/p/src/subscribers/stock.low.ts", "stock.low"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bus.SubscriberID(tt.configID, tt.handlerName, tt.file); got != tt.want {
				t.Errorf("SubscriberID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultSubscriberID(t *testing.T) {
	ulid := regexp.MustCompile(`^product\.created-[0-9A-HJKMNP-TV-Z]{26}$`)
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := bus.DefaultSubscriberID("product.created")
		if !ulid.MatchString(id) {
			t.Fatalf("id %q is not <event>-<ULID>", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		// The time part never goes backwards, so ids sort by creation time (to the millisecond).
		ts := strings.TrimPrefix(id, "product.created-")[:10]
		if ts < prev {
			t.Fatalf("time part went backwards: %s < %s", ts, prev)
		}
		prev = ts
	}
}
