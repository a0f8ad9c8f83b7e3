package embedded

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// drainingServer is an http.Server that can stop without dropping a request it accepted.
// http.Server.Shutdown is not enough for a server that hands its socket over to another
// process: it drops a request it reads after Shutdown began (a connection accepted just before,
// or a keep-alive request that was on its way), closing the connection without an answer. Here,
// once draining starts, no new connection is accepted, connections are closed only between
// requests (idle for idleSettle), and every request read is served, with "Connection: close".
type drainingServer struct {
	srv *http.Server

	mu       sync.Mutex
	conns    map[net.Conn]http.ConnState
	idle     map[net.Conn]time.Time // when each idle connection went idle
	reads    map[net.Conn]int64     // how many reads each idle connection had done then
	draining bool
	changed  chan struct{} // closed and replaced on every change of a connection's state
	ln       net.Listener
	served   chan struct{} // closed when Serve has returned
	err      error         // Serve's
}

// newDrainingServer wraps srv (its Handler and ConnState are taken over).
func newDrainingServer(srv *http.Server) *drainingServer {
	d := &drainingServer{srv: srv, conns: map[net.Conn]http.ConnState{}, idle: map[net.Conn]time.Time{}, reads: map[net.Conn]int64{},
		changed: make(chan struct{}), served: make(chan struct{})}
	h := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		draining := d.draining
		d.mu.Unlock()
		if draining {
			w.Header().Set("Connection", "close") // this connection ends after this answer
		}
		h.ServeHTTP(w, r)
	})
	hook := srv.ConnState
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		d.mu.Lock()
		switch st {
		case http.StateClosed, http.StateHijacked:
			delete(d.conns, c)
			delete(d.idle, c)
			delete(d.reads, c)
		case http.StateIdle:
			d.conns[c] = st
			d.idle[c] = time.Now()
			if cc, ok := c.(*countingConn); ok {
				d.reads[c] = cc.reads.Load()
			}
		default:
			d.conns[c] = st
		}
		close(d.changed)
		d.changed = make(chan struct{})
		d.mu.Unlock()
		if hook != nil {
			hook(c, st)
		}
	}
	return d
}

// serve serves on ln in the background; done is closed with Serve's error set when it returns.
func (d *drainingServer) serve(ln net.Listener) (done <-chan struct{}) {
	ln = countingListener{ln}
	d.ln = ln
	go func() {
		d.err = d.srv.Serve(ln)
		close(d.served)
	}()
	return d.served
}

// idleSettle is how long a connection must have been idle before it counts as between
// requests and may be closed: a client under load sends its next request within microseconds of
// the last answer, and closing the connection then would lose that request.
const idleSettle = 250 * time.Millisecond

// stopAccepting closes the listener and returns once no connection is idle any more: each one
// idle for idleSettle is closed, and each one that receives a request meanwhile is answered
// with "Connection: close". After it returns, a client's next request (on a new connection)
// reaches whichever server accepts now. It waits at most maxWait.
func (d *drainingServer) stopAccepting(maxWait time.Duration) {
	d.closeListener()
	d.settle(maxWait, false)
}

// closeListener stops accepting at once: a connection made after it returns is not this
// server's (on a shared socket, it is another process's to accept).
func (d *drainingServer) closeListener() {
	d.mu.Lock()
	d.draining = true
	d.mu.Unlock()
	_ = d.ln.Close()
}

// drain stops accepting (stopAccepting) and returns once every connection has closed: requests
// in flight and requests already arriving on open connections are served; at the deadline
// (maxWait from now) whatever is left is closed.
func (d *drainingServer) drain(maxWait time.Duration) {
	deadline := time.Now().Add(maxWait)
	d.stopAccepting(maxWait)
	// Once Serve has returned, every connection it accepted is tracked.
	select {
	case <-d.served:
	case <-time.After(time.Until(deadline)):
	}
	if time.Now().Before(deadline) {
		d.settle(time.Until(deadline), true)
	}
	_ = d.srv.Close()
}

// settle closes connections idle for idleSettle as they get there, and returns when none is
// idle (all, with every: none is left), or after maxWait.
func (d *drainingServer) settle(maxWait time.Duration, every bool) {
	deadline := time.NewTimer(maxWait)
	defer deadline.Stop()
	tick := time.NewTimer(time.Hour)
	defer tick.Stop()
	for {
		d.mu.Lock()
		now := time.Now()
		next, waiting := time.Duration(-1), 0
		for c, st := range d.conns {
			if st != http.StateIdle {
				if every {
					waiting++
				}
				continue
			}
			waiting++
			if idle := now.Sub(d.idle[c]); idle >= idleSettle {
				if d.requestArriving(c) {
					continue // it is about to turn active; its answer closes it
				}
				_ = c.Close() // between requests; it leaves d.conns when the server notices
			} else if left := idleSettle - idle; next < 0 || left < next {
				next = left
			}
		}
		changed := d.changed
		d.mu.Unlock()
		if waiting == 0 {
			return
		}
		var wake <-chan time.Time
		if next >= 0 {
			tick.Reset(next)
			wake = tick.C
		}
		select {
		case <-changed:
		case <-wake:
		case <-deadline.C:
			return
		}
	}
}

// requestArriving says whether an idle connection has the start of a request already: read
// by the server (which has not yet marked it active) or waiting in the kernel. Called with d.mu
// held.
func (d *drainingServer) requestArriving(c net.Conn) bool {
	cc, ok := c.(*countingConn)
	if !ok {
		return false
	}
	return cc.reads.Load() != d.reads[c] || pendingBytes(cc.Conn) > 0
}

// countingListener hands out connections that count their reads.
type countingListener struct{ net.Listener }

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c}, nil
}

// countingConn counts the reads that returned data, so that draining can tell a connection
// that just received a request from one that is idle.
type countingConn struct {
	net.Conn
	reads atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.reads.Add(1)
	}
	return n, err
}

// CloseWrite lets the server half-close as it does on a plain TCP connection.
func (c *countingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
