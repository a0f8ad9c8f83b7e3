package embedded

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/child"
)

// downServer answers on the embedded runtime's shared listening socket while no child does:
// it accepts from a duplicate of the socket, so closing it leaves the socket to the children.
type downServer struct {
	mu      sync.Mutex
	srv     *drainingServer
	reason  string
	retryAt time.Time
}

// show starts answering 503 with reason on the socket lf (or updates the reason).
func (d *downServer) show(lf *os.File, reason string, retryAt time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reason, d.retryAt = reason, retryAt
	if d.srv != nil || lf == nil {
		return nil
	}
	ln, err := net.FileListener(lf) // a duplicate descriptor of the shared socket
	if err != nil {
		return fmt.Errorf("answering while the dev server is down: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		reason, retryAt := d.reason, d.retryAt
		d.mu.Unlock()
		child.WriteNotReady(w, reason, time.Until(retryAt))
	})}
	// Each answer closes its connection, so that the client's next request finds the child
	// once one serves again.
	srv.SetKeepAlivesEnabled(false)
	d.srv = newDrainingServer(srv)
	d.srv.serve(ln)
	return nil
}

// hide stops answering: a child serves again. It stops accepting before it returns, so that
// a request sent once the state says ready reaches the child, never this 503; connections it
// accepted already get their answer in the background.
func (d *downServer) hide() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.srv != nil {
		srv := d.srv
		d.srv = nil
		srv.closeListener()
		go srv.drain(5 * time.Second)
	}
}

// ShowDown makes every request get a 503 with reason at once (Retry-After from retryAt), while
// no child runs after a failure; "" ends it.
func (r *Runtime) ShowDown(reason string, retryAt time.Time) {
	if reason == "" {
		r.down.hide()
		return
	}
	if err := r.down.show(r.lfile, reason, retryAt); err != nil {
		r.sup.Logf("%s %v", r.sup.Prefix(), err)
	}
}
