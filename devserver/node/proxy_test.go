package node

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// echo is a real HTTP server that answers "<name> <method> <body>".
func echo(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, name+" "+r.Method+" "+string(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// deadAddr is an address where nothing listens (a listener opened and closed).
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

type answer struct {
	code int
	body string
	err  error
}

func send(url, method, body string) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			ch <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		ch <- answer{code: resp.StatusCode, body: string(b)}
	}()
	return ch
}

func within(t *testing.T, ch <-chan answer) answer {
	t.Helper()
	select {
	case a := <-ch:
		return a
	case <-time.After(30 * time.Second):
		t.Fatal("no answer")
		return answer{}
	}
}

// waits counts, by method, the times requests started to wait in p (proxy.waiting).
func waits(p *proxy) *testutil.List[string] {
	l := &testutil.List[string]{}
	p.waiting = func(r *http.Request) { l.Add(r.Method) }
	return l
}

// waitedTwice waits until every method has started to wait twice: refused, then refused again
// on its next try, and still unanswered.
func waitedTwice(t *testing.T, l *testutil.List[string], methods ...string) {
	t.Helper()
	l.Wait(t, 30*time.Second, func(ms []string) string {
		for _, m := range methods {
			n := 0
			for _, w := range ms {
				if w == m {
					n++
				}
			}
			if n < 2 {
				return fmt.Sprintf("%s waited %d times", m, n)
			}
		}
		return ""
	})
}

// unanswered fails if any of the requests has been answered.
func unanswered(t *testing.T, chs ...<-chan answer) {
	t.Helper()
	for _, ch := range chs {
		select {
		case a := <-ch:
			t.Fatalf("answered while no Medusa listens: %+v", a)
		default:
		}
	}
}

// A Medusa that is dead (killed, crashed: nothing listens at its port) is not ready, never a
// bad gateway: requests wait for its successor, bodies included.
func TestProxyDeadUpstreamWaitsForSuccessor(t *testing.T) {
	p := newProxy(time.Minute)
	waited := waits(p)
	front := httptest.NewServer(p)
	defer front.Close()
	p.set(deadAddr(t))
	tests := []struct{ method, body string }{{"GET", ""}, {"POST", `{"a":1}`}, {"DELETE", ""}}
	var waiting []<-chan answer
	for _, tt := range tests {
		waiting = append(waiting, send(front.URL+"/x", tt.method, tt.body))
	}
	waitedTwice(t, waited, "GET", "POST", "DELETE")
	unanswered(t, waiting...)
	p.set(strings.TrimPrefix(echo(t, "next").URL, "http://"))
	for i, tt := range tests {
		a := within(t, waiting[i])
		if want := "next " + tt.method + " " + tt.body; a.err != nil || a.code != 200 || a.body != want {
			t.Fatalf("%s: %+v; want 200 %q", tt.method, a, want)
		}
	}
}

// A Medusa that dies with requests on its connections: what can be sent twice goes to its
// successor; the rest gets a 503 that says why, never a 502.
func TestProxyUpstreamDiesMidRequest(t *testing.T) {
	p := newProxy(time.Minute)
	waited := waits(p)
	front := httptest.NewServer(p)
	defer front.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	arrived := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				// Medusa has the whole request when it dies (one it never got is sent again)
				if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					_, _ = io.Copy(io.Discard, req.Body)
				}
				arrived <- c
			}()
		}
	}()
	p.set(ln.Addr().String())
	get := send(front.URL+"/x", "GET", "")
	post := send(front.URL+"/x", "POST", "data")
	conns := []net.Conn{<-arrived, <-arrived}
	ln.Close() // the process dies: its port and its connections go
	for _, c := range conns {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	a := within(t, post)
	if a.err != nil || a.code != http.StatusServiceUnavailable || !strings.Contains(a.body, "not_ready") || !strings.Contains(a.body, "exited before it answered") {
		t.Fatalf("POST: %+v; want 503 not_ready saying why", a)
	}
	waitedTwice(t, waited, "GET") // sent again, refused, and waiting for a successor
	unanswered(t, get)
	p.set(strings.TrimPrefix(echo(t, "next").URL, "http://"))
	if a := within(t, get); a.err != nil || a.code != 200 || a.body != "next GET " {
		t.Fatalf("GET: %+v; want the successor's answer", a)
	}
}

// A GET that had run long in a Medusa that died is not sent again: a handler that never returns
// is what gets a Medusa killed as unresponsive, and sent again it blocks the successor too
// (examples/algolia-integration, a route stuck in a loop). While it runs, it is the request
// named as the one Medusa has had longest.
func TestProxyDoesNotReplayALongRequest(t *testing.T) {
	p := newProxy(time.Minute)
	p.replay = 0 // any run is too long to send again (the 5 s default: TestProxyUpstreamDiesMidRequest)
	front := httptest.NewServer(p)
	defer front.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	arrived := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			_, _ = io.Copy(io.Discard, req.Body)
		}
		arrived <- c
	}()
	p.set(ln.Addr().String())
	get := send(front.URL+"/spin?k=1", "GET", "")
	c := <-arrived
	// recorded before it was sent, so known once Medusa has it
	if what, _ := p.longestInFlight(0); what != "GET /spin?k=1" {
		t.Fatalf("longest in flight %q, want GET /spin?k=1", what)
	}
	if what, _ := p.longestInFlight(time.Hour); what != "" {
		t.Fatalf("%q named as running for an hour", what)
	}
	ln.Close()
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	if a := within(t, get); a.err != nil || a.code != http.StatusServiceUnavailable || !strings.Contains(a.body, "it was not sent again") {
		t.Fatalf("GET: %+v; want 503 saying it was not sent again", a)
	}
	if what, _ := p.longestInFlight(0); what != "" {
		t.Fatalf("%q still in flight", what)
	}
}

// A reload that never ends does not hold requests: past the pause limit, the code that serves
// answers.
func TestProxyPauseIsBounded(t *testing.T) {
	p := newProxy(time.Minute)
	p.paused = 200 * time.Millisecond
	front := httptest.NewServer(p)
	defer front.Close()
	p.set(strings.TrimPrefix(echo(t, "old").URL, "http://"))
	p.pause()
	defer p.resume()
	start := time.Now()
	a := within(t, send(front.URL+"/x", "GET", ""))
	if a.err != nil || a.code != 200 || a.body != "old GET " {
		t.Fatalf("%+v; want the serving code's answer", a)
	}
	if waited := time.Since(start); waited < p.paused {
		t.Fatalf("answered after %s, before the pause limit %s", waited, p.paused)
	}
}

// While a replacement boots, the old Medusa gets requests at a pace: a burst at once, then one
// at a time; the end of the boot lets the waiting ones go, and a request cancelled while it
// waits never reaches Medusa.
func TestProxyPacesWhileReplacementBoots(t *testing.T) {
	arrived := make(chan string, 16)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		_, _ = io.WriteString(w, "old "+r.URL.Path)
	}))
	t.Cleanup(backend.Close)
	p := newProxy(time.Minute)
	p.set(strings.TrimPrefix(backend.URL, "http://"))
	gaveUp := make(chan struct{}, 1) // the proxy is done with the cancelled request
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.ServeHTTP(w, r)
		if r.URL.Path == "/4" {
			gaveUp <- struct{}{}
		}
	}))
	t.Cleanup(front.Close)
	l := waits(p)

	stop := p.pace(0.001, 2) // a burst of two, then one per 1,000 s
	for _, path := range []string{"/1", "/2"} {
		if a := within(t, send(front.URL+path, "GET", "")); a.code != 200 || a.body != "old "+path {
			t.Fatalf("%s in the burst: %+v", path, a)
		}
	}
	third := send(front.URL+"/3", "GET", "")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", front.URL+"/4", nil)
	fourth := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		fourth <- err
	}()
	l.Wait(t, 30*time.Second, func(ms []string) string {
		if len(ms) < 2 {
			return fmt.Sprintf("%d requests waiting for their turn, want 2", len(ms))
		}
		return ""
	})
	unanswered(t, third)
	cancel()
	if err := <-fourth; err == nil {
		t.Fatal("the cancelled request was answered")
	}
	select {
	case <-gaveUp:
	case <-time.After(30 * time.Second):
		t.Fatal("the proxy still holds the cancelled request")
	}
	stop()
	if a := within(t, third); a.code != 200 || a.body != "old /3" {
		t.Fatalf("the waiting request after the boot ended: %+v", a)
	}
	stop() // twice is harmless
	if a := within(t, send(front.URL+"/5", "GET", "")); a.code != 200 {
		t.Fatalf("after the boot: %+v", a)
	}
	if n := len(l.All()); n != 2 {
		t.Errorf("%d waits in all, want 2: a request after the boot waited", n)
	}
	close(arrived)
	var got []string
	for path := range arrived {
		got = append(got, path)
	}
	if strings.Join(got, " ") != "/1 /2 /3 /5" {
		t.Errorf("requests that reached Medusa: %v, want /1 /2 /3 /5 (the cancelled /4 never)", got)
	}
}
