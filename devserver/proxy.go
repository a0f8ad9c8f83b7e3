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
	mu     sync.Mutex
	rp     *httputil.ReverseProxy
	addr   string
	ready  chan struct{} // closed while there is a target
	hold   time.Duration
	onFail func(method, path string, status int)
}

func newProxy(hold time.Duration, onFail func(method, path string, status int)) *proxy {
	return &proxy{ready: make(chan struct{}), hold: hold, onFail: onFail}
}

// set points the proxy at addr (host:port).
func (p *proxy) set(addr string) {
	target := &url.URL{Scheme: "http", Host: addr}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode >= 500 && p.onFail != nil {
			p.onFail(resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
		}
		return nil
	}
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

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), p.hold)
	defer cancel()
	for {
		p.mu.Lock()
		rp, ready := p.rp, p.ready
		p.mu.Unlock()
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
