package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/medusa-ls/medusa-ls/devserver/child"
	"github.com/medusa-ls/medusa-ls/reloaders"
)

// proxy serves the user's port for the node runtime: Medusa's child listens on an internal
// port, and every request goes through here. While a child is starting (or restarting after a
// crash) requests wait instead of being refused; a restart switches the target only once the
// new child serves. While no child runs after a failure (Medusa exited at boot, a crash loop),
// every request gets an immediate 503 that says why.
type proxy struct {
	mu      sync.Mutex
	rp      *httputil.ReverseProxy
	tr      *http.Transport
	addr    string
	up      *upstream            // the current target, or nil
	retired map[string]*upstream // previous targets by address, until drained
	gate    chan struct{}        // while paused: closed on resume
	wake    chan struct{}        // closed (and replaced) whenever the state changes
	down    string               // why no child serves, while none does after a failure
	retryAt time.Time            // when the next attempt starts, while down
	hold    time.Duration        // longest wait for a Medusa to serve
	paused  time.Duration        // longest wait for a reload (pauseLimit)
	pacer   *rate.Limiter        // while a replacement boots: the old Medusa's request rate
	paceEnd chan struct{}        // closed when that boot ends
	sent    sync.Map             // *http.Request → time.Time: requests Medusa has, since when
	replay  time.Duration        // longest run of a request sent again after its Medusa died

	// waiting, set by tests, is called each time a request starts to wait (for a Medusa to
	// serve, a reload, the next try after a refused connection, or its turn while a replacement
	// boots), unanswered so far.
	waiting func(r *http.Request)
}

func newProxy(hold time.Duration) *proxy {
	return &proxy{wake: make(chan struct{}), hold: hold, paused: pauseLimit, replay: replayWithin, retired: map[string]*upstream{}}
}

// upstream is one Medusa the proxy sends requests to, with the requests it has in flight.
type upstream struct {
	addr    string
	tr      *http.Transport
	mu      sync.Mutex
	active  int
	drained chan struct{} // closed when active drops to 0, once someone waits for it
}

func (u *upstream) begin() {
	u.mu.Lock()
	u.active++
	u.mu.Unlock()
}

func (u *upstream) end() {
	u.mu.Lock()
	u.active--
	if u.active == 0 && u.drained != nil {
		close(u.drained)
		u.drained = nil
	}
	u.mu.Unlock()
}

// wait returns once no request is in flight to u, or after limit, and closes u's idle
// connections. Medusa's shutdown destroys every connection it sees idle, including one the
// proxy has just written a request on: nothing may be sent to a Medusa that is told to stop.
func (u *upstream) wait(limit time.Duration) {
	u.mu.Lock()
	var ch chan struct{}
	if u.active > 0 {
		if u.drained == nil {
			u.drained = make(chan struct{})
		}
		ch = u.drained
	}
	u.mu.Unlock()
	if ch != nil {
		t := time.NewTimer(limit)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
	u.tr.CloseIdleConnections()
}

// retire moves the current upstream aside. Called with p.mu held.
func (p *proxy) retire() {
	u := p.up
	if u == nil {
		return
	}
	p.retired[u.addr] = u
	p.up = nil
	// a target nobody drains (its Medusa died) is forgotten after a while
	time.AfterFunc(time.Minute, func() {
		p.mu.Lock()
		if p.retired[u.addr] == u {
			delete(p.retired, u.addr)
		}
		p.mu.Unlock()
		u.tr.CloseIdleConnections()
	})
}

// drain waits (at most limit) until no request is in flight to the Medusa at addr, which the
// proxy no longer sends new requests to, and drops the connections to it.
func (p *proxy) drain(addr string, limit time.Duration) {
	p.mu.Lock()
	u := p.retired[addr]
	delete(p.retired, addr)
	p.mu.Unlock()
	if u != nil {
		u.wait(limit)
	}
}

// changed wakes the requests waiting for a change of state. Called with p.mu held.
func (p *proxy) changed() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// set points the proxy at addr (host:port).
func (p *proxy) set(addr string) {
	target := &url.URL{Scheme: "http", Host: addr}
	rp := httputil.NewSingleHostReverseProxy(target)
	// One transport per Medusa process (set runs when a new one serves, not on reloads): once
	// its requests are drained, closing its idle connections closes that process's only.
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	rp.Transport = tr
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if a, ok := r.Context().Value(attemptKey{}).(*attempt); ok && r.Context().Err() == nil {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				// Nothing reached Medusa: it died (or is not listening yet). That is not-ready,
				// not a bad gateway: ServeHTTP waits for its successor and sends it there.
				a.refused = err
				return
			}
			if gone(addr) {
				// Medusa died with the request on a connection (kill -9, a crash): nothing was
				// answered; ServeHTTP retries what can be sent twice and says so for the rest.
				a.gone = err
				return
			}
		}
		reloaders.WriteError(w, http.StatusBadGateway, "the dev server went away while answering: "+err.Error())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tr != nil {
		// Connections to the previous child are no longer needed once their requests finish.
		old := p.tr
		time.AfterFunc(30*time.Second, old.CloseIdleConnections)
	}
	p.retire()
	p.up = &upstream{addr: addr, tr: tr}
	p.rp, p.tr, p.addr, p.down = rp, tr, addr, ""
	p.changed()
}

// serving reports whether requests go to a Medusa now.
func (p *proxy) serving() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rp != nil
}

// clearIf makes new requests wait for the next set, if the proxy points at addr.
func (p *proxy) clearIf(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.addr != addr {
		return
	}
	p.retire()
	p.rp, p.addr = nil, ""
	p.changed()
}

// setDown makes every request without a target get an immediate 503 with reason (and a
// Retry-After of the time left until retryAt); "" makes them wait again.
func (p *proxy) setDown(reason string, retryAt time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.retryAt = reason, retryAt
	p.changed()
}

// clearDownIf ends setDown if its reason starts with prefix.
// downReason is why no Medusa serves, and when the next attempt starts, while none does after
// a failure ("" otherwise).
func (p *proxy) downReason() (string, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rp != nil {
		return "", time.Time{}
	}
	return p.down, p.retryAt
}

// downWith reports whether the proxy answers 503 for a reason that starts with prefix.
func (p *proxy) downWith(prefix string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down != "" && strings.HasPrefix(p.down, prefix)
}

func (p *proxy) clearDownIf(prefix string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down != "" && strings.HasPrefix(p.down, prefix) {
		p.down, p.retryAt = "", time.Time{}
		p.changed()
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

// pauseLimit bounds how long a request waits for a reload: past it, the code that serves (the
// last good one) answers, so that a reload that hangs inside Medusa never holds requests.
const pauseLimit = 10 * time.Second

// attempt is one try to send a request to Medusa: refused is set when it could not connect,
// gone when Medusa died before it answered.
type attempt struct{ refused, gone error }

// Pacing while a replacement boots. On a config or .env restart the new Medusa boots beside the
// old one, which keeps answering; a client requesting without pause keeps the old Medusa, this
// proxy and itself busy on one core, and the boot, which needs more than one core, took 8-10 s
// instead of 5.5 s on a 2-core machine. The old Medusa already yields the CPU (nice), but the
// client and the proxy do not. So until the boot ends, requests start at most restartPace per
// second (restartBurst at once, as when a page loads): beyond that they wait their turn, or the
// new Medusa, whichever comes first, and none fails. At 25 per second the old Medusa, the proxy
// and the client still took ~0.5 s of CPU from a ~3 s boot (config restart 0.60-0.68 of
// Medusa's, against 0.52-0.55 at 5 per second, in the bench's side-by-side runs).
const (
	restartPace  = 5 // requests per second
	restartBurst = 10
)

// pace makes requests start at most perSecond per second (burst at once) until the returned
// function is called; requests waiting then go at once.
func (p *proxy) pace(perSecond float64, burst int) (stop func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	end := make(chan struct{})
	p.pacer, p.paceEnd = rate.NewLimiter(rate.Limit(perSecond), burst), end
	return sync.OnceFunc(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.paceEnd == end {
			p.pacer, p.paceEnd = nil, nil
		}
		close(end)
	})
}

// awaitTurn waits for r's turn under pacer, and reports false if r was cancelled meanwhile.
func (p *proxy) awaitTurn(r *http.Request, pacer *rate.Limiter, end <-chan struct{}) bool {
	turn := pacer.Reserve()
	wait := turn.Delay()
	if wait == 0 {
		return true
	}
	if p.waiting != nil {
		p.waiting(r)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-end:
		turn.Cancel()
		return true
	case <-r.Context().Done():
		turn.Cancel()
		return false
	}
}

// gone tells whether nothing listens at addr any more (its Medusa died), as opposed to a
// Medusa that is up and dropped one connection. A process being killed closes its connections
// before its listening socket, so the port is asked three times over 400 ms.
func gone(addr string) bool {
	for i := range 3 {
		if i > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
	}
	return false
}

// replayWithin bounds how long a request may have run in a Medusa that died for it to be sent
// again to the successor (proxy.replay). A Medusa killed because it stopped answering (a handler that never
// returns blocks Node's event loop) has the culprit among its requests of many seconds, and
// sent again it would block the new Medusa too.
const replayWithin = 5 * time.Second

// longestInFlight is the request Medusa has had for the longest time, as "GET /path", and for
// how long; "" when none has run for at least min.
func (p *proxy) longestInFlight(min time.Duration) (string, time.Duration) {
	var what string
	var longest time.Duration
	p.sent.Range(func(k, v any) bool {
		if d := time.Since(v.(time.Time)); d >= min && d > longest {
			r := k.(*http.Request)
			what, longest = r.Method+" "+r.URL.RequestURI(), d
		}
		return true
	})
	return what, longest
}

// replayable methods are sent again to Medusa's successor when it died before answering: they
// change nothing (RFC 9110 §9.2.1), so a second send cannot do a thing twice.
func replayable(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

type attemptKey struct{}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var expired <-chan time.Time // armed only for a request that has to wait
	var paused <-chan time.Time  // armed only for a request that waits for a reload
	pauseOver := false
	var refused error // the last connection Medusa refused
	if r.Body != nil && r.Body != http.NoBody {
		// the reverse proxy closes the body it was given; a request Medusa refused is sent again
		r.Body = io.NopCloser(r.Body)
	}
	arm := func() {
		if expired == nil {
			t := time.NewTimer(p.hold)
			expired = t.C
			context.AfterFunc(r.Context(), func() { t.Stop() })
		}
	}
	paced := false
	for {
		p.mu.Lock()
		rp, up, gate, wake, down, retryAt := p.rp, p.up, p.gate, p.wake, p.down, p.retryAt
		if pauseOver {
			gate = nil
		}
		if pacer, end := p.pacer, p.paceEnd; pacer != nil && !paced && rp != nil && gate == nil {
			p.mu.Unlock()
			paced = true
			if !p.awaitTurn(r, pacer, end) {
				return
			}
			continue
		}
		if rp != nil && gate == nil && up != nil {
			up.begin() // under p.mu: a drain that starts after the switch counts this request
		}
		p.mu.Unlock()
		if rp != nil && gate == nil {
			a := &attempt{}
			began := time.Now()
			func() {
				if up != nil {
					defer up.end() // also when the reverse proxy aborts the response (a panic)
				}
				p.sent.Store(r, began)
				defer p.sent.Delete(r)
				rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), attemptKey{}, a)))
			}()
			if a.gone != nil && !replayable(r.Method) {
				child.WriteNotReady(w, "Medusa exited before it answered this "+r.Method+" request (it may have run or not); it is restarting: send it again once it serves ("+a.gone.Error()+")", time.Second)
				return
			}
			if ran := time.Since(began); a.gone != nil && ran > p.replay {
				child.WriteNotReady(w, fmt.Sprintf("Medusa exited after this request had run for %s; it was not sent again, as it may be what stopped Medusa (a handler that never returns): send it again once Medusa serves", ran.Round(time.Second)), time.Second)
				return
			}
			if a.gone != nil {
				a.refused = a.gone
			}
			if a.refused == nil {
				return
			}
			// Medusa is gone (killed, crashed) and its exit may not be noticed yet: wait for
			// the next state (its successor) or a moment, then try again.
			refused = a.refused
			arm()
			retry := time.NewTimer(250 * time.Millisecond)
			if p.waiting != nil {
				p.waiting(r)
			}
			select {
			case <-wake:
			case <-retry.C:
			case <-r.Context().Done():
				retry.Stop()
				return
			case <-expired:
				retry.Stop()
				reloaders.WriteError(w, http.StatusServiceUnavailable, "the dev server is not accepting connections ("+refused.Error()+"); see the medusa-ls output")
				return
			}
			retry.Stop()
			continue
		}
		if rp == nil && down != "" {
			child.WriteNotReady(w, down, time.Until(retryAt))
			return
		}
		arm()
		wait := wake
		if gate != nil {
			wait = gate
			if paused == nil {
				t := time.NewTimer(p.paused)
				defer t.Stop()
				paused = t.C
			}
		}
		if p.waiting != nil {
			p.waiting(r)
		}
		select {
		case <-wait:
		case <-wake:
		case <-paused:
			pauseOver = true
		case <-r.Context().Done():
			return
		case <-expired:
			why := "it did not start, or it is restarting or reloading"
			if refused != nil {
				why = "it is not accepting connections: " + refused.Error()
			}
			reloaders.WriteError(w, http.StatusServiceUnavailable, "the dev server is not serving ("+why+"); see the medusa-ls output")
			return
		}
	}
}

// ShowDown makes every request get a 503 with reason at once (Retry-After from retryAt), while
// no Medusa runs after a failure; "" ends it.
func (r *Runtime) ShowDown(reason string, retryAt time.Time) { r.proxy.setDown(reason, retryAt) }
