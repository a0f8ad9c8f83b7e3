package devserver

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/reloaders"
)

// proxy serves the user's port for the node runtime: Medusa's child listens on an internal
// port, and every request goes through here. While no child is ready (it is starting, or
// restarting after a crash) requests wait instead of being refused; a restart switches the
// target only once the new child serves.
type proxy struct {
	mu    sync.Mutex
	rp    *httputil.ReverseProxy
	addr  string
	ready chan struct{} // closed while there is a target
	gate  chan struct{} // while paused: closed on resume
	hold  time.Duration
}

func newProxy(hold time.Duration) *proxy {
	return &proxy{ready: make(chan struct{}), hold: hold}
}

// set points the proxy at addr (host:port).
func (p *proxy) set(addr string) {
	target := &url.URL{Scheme: "http", Host: addr}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		reloaders.WriteError(w, http.StatusBadGateway, "the dev server went away while answering: "+err.Error())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp, p.addr = rp, addr
	select {
	case <-p.ready:
	default:
		close(p.ready)
	}
}

// clearIf makes new requests wait for the next set, if the proxy points at addr.
func (p *proxy) clearIf(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.addr != addr {
		return
	}
	p.rp, p.addr = nil, ""
	select {
	case <-p.ready:
		p.ready = make(chan struct{})
	default:
	}
}

// pause makes new requests wait until resume: during a reload, so that Node spends its time
// on the reload rather than on requests the old code would answer, and so that a request sent
// right after a save is answered by the new code.
func (p *proxy) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
}

func (p *proxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var expired <-chan time.Time // armed only for a request that has to wait
	for {
		p.mu.Lock()
		rp, wait := p.rp, p.gate
		if wait == nil && rp == nil {
			wait = p.ready
		}
		p.mu.Unlock()
		if wait == nil {
			rp.ServeHTTP(w, r)
			return
		}
		if expired == nil {
			t := time.NewTimer(p.hold)
			defer t.Stop()
			expired = t.C
		}
		select {
		case <-wait:
		case <-r.Context().Done():
			return
		case <-expired:
			reloaders.WriteError(w, http.StatusServiceUnavailable, "the dev server is not serving (it did not start, or it is restarting or reloading); see the medusa-ls output")
			return
		}
	}
}
