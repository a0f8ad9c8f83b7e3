package devserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project"
)

// Attaching: a language server that finds a dev server of its project already running (a
// `medusa-ls develop` in a terminal, another editor's) uses that one instead of starting a
// second, which would run every scheduled job twice. It subscribes over the control socket:
// the answer to ControlSubscribe is a Snapshot, and every later line is one of the
// supervisor's Events, until either end hangs up.

// Commands the control socket runs in the supervisor itself; every other command goes to the
// child (ipc.CmdEmitEvent, ipc.CmdRunJob, ipc.CmdJobs).
const (
	ControlSubscribe = "subscribe"  // a Snapshot, then the supervisor's events
	ControlRestart   = "restart"    // Supervisor.Restart
	ControlReloadAll = "reload-all" // Supervisor.ReloadAll
	ControlStop      = "stop"       // Supervisor.Stop: the child stops, the port stays open
	ControlStart     = "start"      // Supervisor.Start
	ControlEnqueue   = "enqueue"    // Supervisor.Enqueue; args: the files (absolute, or relative to the project)
)

// Snapshot is what a subscriber learns first: who serves the project, and its current state.
type Snapshot struct {
	PID      int               `json:"pid"`
	Root     string            `json:"root"` // its real path; files are named under it
	Status   Status            `json:"status"`
	Problems []diag.Diagnostic `json:"problems"`
}

type controlEvent struct {
	Proto string `json:"proto"`
	Event Event  `json:"event"`
}

// subscriberBuffer is how many events a subscriber may lag behind before it is dropped (it
// then subscribes again and starts from a new Snapshot).
const subscriberBuffer = 4096

// subscribers fans the supervisor's events out to attached processes. The zero value is ready.
type subscribers struct {
	mu   sync.Mutex
	next int
	m    map[int]chan Event
}

func (b *subscribers) add() (<-chan Event, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[int]chan Event{}
	}
	b.next++
	id, ch := b.next, make(chan Event, subscriberBuffer)
	b.m[id] = ch
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if c, ok := b.m[id]; ok {
			delete(b.m, id)
			close(c)
		}
	}
}

// send never blocks the supervisor: a subscriber that lags subscriberBuffer events behind is
// dropped.
func (b *subscribers) send(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, ch := range b.m {
		select {
		case ch <- e:
		default:
			delete(b.m, id)
			close(ch)
		}
	}
}

// snapshot is the Supervisor's answer to ControlSubscribe.
func (s *Supervisor) snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{PID: os.Getpid(), Root: s.root, Status: s.status, Problems: append([]diag.Diagnostic{}, s.problems...)}
}

// supervisorCommand runs the commands that belong to the supervisor; ok is false for the
// child's.
func (s *Supervisor) supervisorCommand(ctx context.Context, command string, args json.RawMessage) (data json.RawMessage, ok bool, err error) {
	switch command {
	case ControlRestart:
		return nil, true, s.Restart(ctx)
	case ControlReloadAll:
		return nil, true, s.ReloadAll(ctx)
	case ControlStop:
		return nil, true, s.Stop(ctx)
	case ControlStart:
		return nil, true, s.Start(ctx)
	case ControlEnqueue:
		var files []string
		if err := json.Unmarshal(args, &files); err != nil {
			return nil, true, fmt.Errorf("enqueue takes a list of files: %w", err)
		}
		s.Enqueue(files...)
		return nil, true, nil
	}
	return nil, false, nil
}

// streamEvents answers a subscription on conn: the snapshot, then the events, until the peer
// hangs up, the subscription is dropped or ctx ends.
func streamEvents(ctx context.Context, conn net.Conn, r *bufio.Reader, sub func() (Snapshot, <-chan Event, func())) {
	snap, events, cancel := sub()
	defer cancel()
	write := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		_, err = conn.Write(append(b, '\n'))
		return err
	}
	data, _ := json.Marshal(snap)
	if write(controlResponse{Proto: controlProto, OK: true, Data: data}) != nil {
		return
	}
	gone := make(chan struct{})
	go func() {
		// The peer sends nothing more; a read returns when it hangs up.
		_, _ = r.ReadByte()
		close(gone)
	}()
	for {
		select {
		case e, ok := <-events:
			if !ok || write(controlEvent{Proto: controlProto, Event: e}) != nil {
				return
			}
		case <-gone:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Subscription is a language server's view of a dev server that another process runs.
type Subscription struct {
	Snapshot Snapshot
	events   chan Event
	conn     net.Conn
}

// Events delivers the supervisor's events in order; it is closed when the dev server hangs up
// (it exited, or dropped a subscriber that lagged) or Close was called.
func (sub *Subscription) Events() <-chan Event { return sub.events }

// Close hangs up.
func (sub *Subscription) Close() error { return sub.conn.Close() }

// Subscribe attaches to the running dev server of root (of this user's; Snapshot.PID says which
// process runs it). It returns an error wrapping ErrNotRunning when none runs. Read Events until
// it is closed.
func Subscribe(ctx context.Context, root string) (*Subscription, error) {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	path, err := trustedControlPath(root)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("%w (nothing answers at %s: %v)", ErrNotRunning, path, err)
	}
	fail := func(err error) (*Subscription, error) {
		conn.Close()
		return nil, err
	}
	if err := checkPeer(conn); err != nil {
		return fail(fmt.Errorf("refusing to talk to %s: %w", path, err))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	b, _ := json.Marshal(controlRequest{Proto: controlProto, Command: ControlSubscribe})
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return fail(fmt.Errorf("subscribing to the dev server: %w", err))
	}
	r := bufio.NewReader(conn)
	line, err := readLine(r, maxControlResponse)
	if err != nil {
		return fail(fmt.Errorf("%w: no answer to subscribe at %s: %v", ErrNotRunning, path, err))
	}
	var resp controlResponse
	if err := json.Unmarshal(line, &resp); err != nil || resp.Proto != controlProto {
		return fail(fmt.Errorf("%w: what answers at %s is not a medusa-ls dev server", ErrNotRunning, path))
	}
	if !resp.OK {
		return fail(errors.New(resp.Error))
	}
	sub := &Subscription{events: make(chan Event, 64), conn: conn}
	if err := json.Unmarshal(resp.Data, &sub.Snapshot); err != nil || sub.Snapshot.Root != project.RealRoot(root) {
		return fail(fmt.Errorf("%w: the dev server at %s serves another project", ErrNotRunning, path))
	}
	if !stop() {
		return fail(ctx.Err())
	}
	go func() {
		defer close(sub.events)
		for {
			line, err := readLine(r, maxControlResponse)
			if err != nil {
				return
			}
			var ev controlEvent
			if json.Unmarshal(line, &ev) != nil || ev.Proto != controlProto {
				return
			}
			sub.events <- ev.Event
		}
	}()
	return sub, nil
}
