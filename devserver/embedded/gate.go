package embedded

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medusa-ls/medusa-ls/project/scan"
)

// DefaultMaxHold is how long a request waits for a reload in progress before the code it
// replaces answers it.
const DefaultMaxHold = 100 * time.Millisecond

// gate holds the requests that arrive while a reload that can change what they run is in
// progress, so that a request sent after a save is answered by the saved code (as the node
// runtime's proxy does): the new generation goes live a few milliseconds later, and a request
// that ran on the old one meanwhile would answer with the code the user just replaced. A
// request waits at most Options.MaxHold; a reload that fails lets it through to the last good code.
type gate struct {
	open atomic.Pointer[chan struct{}] // closed when the reload ends; nil: no reload holds
}

// close holds the requests that arrive from now on, until the returned func first runs.
func (g *gate) close() (reopen func()) {
	ch := make(chan struct{})
	g.open.Store(&ch)
	return sync.OnceFunc(func() {
		g.open.CompareAndSwap(&ch, nil)
		close(ch)
	})
}

// wait returns once no reload holds requests, after maxHold, or when the request is gone.
func (g *gate) wait(r *http.Request, maxHold time.Duration) {
	p := g.open.Load()
	if p == nil {
		return
	}
	t := time.NewTimer(maxHold)
	defer t.Stop()
	select {
	case <-*p:
	case <-t.C:
	case <-r.Context().Done():
	}
}

// holdsRequests says whether a reload of these files can change what a request runs: all but
// subscribers and jobs can (routes, middlewares, and what they import: workflows, modules,
// shared files).
func holdsRequests(rels []string) bool {
	for _, rel := range rels {
		if k := scan.KindOf(rel); k != scan.Subscriber && k != scan.Job {
			return true
		}
	}
	return false
}

// serve is the App's handler: the route table, once no reload holds the request.
func (a *App) serve(w http.ResponseWriter, r *http.Request) {
	a.gate.wait(r, a.opts.MaxHold)
	a.routes.ServeHTTP(w, r)
}
