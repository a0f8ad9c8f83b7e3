// Package local is the in-process event bus, the default, with the behaviour of
// @medusajs/event-bus-local: created_at on emit and published_at on dispatch, "*" subscribers,
// events grouped by metadata.eventGroupId held until released, emit returning once dispatch has
// started, and a failing subscriber never stopping the others. Unlike Medusa, failures reach an
// error sink as well as the log, and Replace swaps a reloaded file's subscriptions atomically.
//
// Delivery: as in Medusa, whose EventEmitter calls every listener of a message in registration
// order (the name's, then "*") and message after message in emit order, handlers start in that
// one order and then run side by side. The bus keeps a single queue of deliveries, started one
// after the other by a goroutine that exists only while the queue is non-empty; each handler
// runs in its own goroutine and lets the next one start by calling bus.Started (the JavaScript
// subscribers do once their call is queued on the runtime's loop) or by returning.
package local

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
)

// Clock is the bus's source of time (timestamps) and timers (EmitOptions.Delay). It has the
// same method set as schedule.Clock, so one fake clock (schedule/clocktest) drives both.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// Options configure a Bus. The zero value is usable: wall clock, discarded logs, failures only
// logged.
type Options struct {
	// Logger receives "Processing <name> which has <n> subscribers" at info level and every
	// handler failure at error level; nil discards.
	Logger *slog.Logger
	// OnError receives every failed or panicking delivery, in addition to the log line.
	OnError bus.ErrorSink
	Clock   Clock
}

// Bus is the in-process bus. Use New; all methods are safe for concurrent use.
type Bus struct {
	log     *slog.Logger
	onError bus.ErrorSink
	clock   Clock

	// ctx is given to handlers and cancelled by Close.
	ctx    context.Context
	cancel context.CancelFunc

	// mu guards everything below and is the single point of ordering: Emit (and the dispatch
	// of delayed and released messages) snapshots subscribers and enqueues deliveries while
	// holding it, and Subscribe, Unsubscribe and Replace change subscribers while holding it.
	// Every message is therefore dispatched entirely before or entirely after any change.
	mu   sync.Mutex
	subs map[string][]*subscription // event name → subscriptions in registration order
	// queue holds the deliveries not started yet, in the order they are to start; dispatching
	// says a goroutine is starting them.
	queue       []delivery
	dispatching bool
	groups      map[string][]held      // eventGroupId → messages in emit order
	timers      map[uint64]func() bool // delayed messages not yet dispatched, by id
	seq         uint64                 // last delayed-message id
	// pending counts work that Drain waits for: delayed messages not yet dispatched plus
	// deliveries queued or running. idle is closed whenever pending is 0.
	pending int
	idle    chan struct{}
	closed  bool
}

// held is a grouped message with the options it was emitted with, applied on release.
type held struct {
	msg  bus.Message
	opts bus.EmitOptions
}

var _ bus.Bus = (*Bus)(nil)

// New returns an empty, open bus.
func New(opts Options) *Bus {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &Bus{
		log:     opts.Logger,
		onError: opts.OnError,
		clock:   opts.Clock,
		ctx:     ctx,
		cancel:  cancel,
		subs:    map[string][]*subscription{},
		groups:  map[string][]held{},
		timers:  map[uint64]func() bool{},
		idle:    idle,
	}
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
