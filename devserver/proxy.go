package devserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
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
		writeProxyError(w, http.StatusBadGateway, "the dev server went away while answering: "+err.Error())
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
	ctx, cancel := context.WithTimeout(r.Context(), p.hold)
	defer cancel()
	for {
		p.mu.Lock()
		rp, ready, gate := p.rp, p.ready, p.gate
		p.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
				continue
			case <-ctx.Done():
				writeProxyError(w, http.StatusServiceUnavailable, "the dev server is still reloading; see the medusa-ls output")
				return
			}
		}
		if rp != nil {
			rp.ServeHTTP(w, r)
			return
		}
		select {
		case <-ready:
		case <-ctx.Done():
			writeProxyError(w, http.StatusServiceUnavailable, "the dev server is not running (it did not start, or it is restarting); see the medusa-ls output")
			return
		}
	}
}

func writeProxyError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"type": "unknown_error", "code": "unknown_error", "message": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
