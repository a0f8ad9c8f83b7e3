// Package storefront is an HTTP client for tests that calls a dev server's /store routes as a
// storefront does: with the project's publishable key.
package storefront

import (
	"net/http"
	"time"

	"github.com/medusa-ls/medusa-ls/framework"
)

// Key is the development publishable key of a project with Medusa's default jwtSecret
// (framework.NewDevCredentials): what the embedded runtime's /store routes require.
var Key = framework.NewDevCredentials("").PublishableKey

// Client sends Key as x-publishable-api-key, unless a request sets the header itself.
func Client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: Transport(http.DefaultTransport)}
}

// Transport adds Key to the requests that next sends, as Client does.
func Transport(next http.RoundTripper) http.RoundTripper { return keyTransport{next} }

type keyTransport struct{ next http.RoundTripper }

func (t keyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("x-publishable-api-key") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("x-publishable-api-key", Key)
	}
	return t.next.RoundTrip(req)
}
