package bus

import (
	"errors"
	"fmt"
)

var (
	// ErrDuplicateSubscriber matches (errors.Is) every *DuplicateSubscriberError.
	ErrDuplicateSubscriber = errors.New("duplicate subscriber")
	// ErrNotFound is returned when unsubscribing a subscription that does not exist.
	ErrNotFound = errors.New("subscription not found")
	// ErrClosed is returned by a bus after Close.
	ErrClosed = errors.New("event bus closed")
	// ErrInvalidSubscriber is returned for a subscriber with no event, id or handler.
	ErrInvalidSubscriber = errors.New("invalid subscriber")
	// ErrInvalidMessage is returned for a message with no name.
	ErrInvalidMessage = errors.New("invalid message")
)

// DuplicateSubscriberError is a subscriber id already subscribed to the event.
type DuplicateSubscriberError struct {
	Event string
	ID    string
	// Source is where the subscription being added comes from; ExistingSource where the one
	// that already holds the id does, so that the editor can point at both.
	Source         string
	ExistingSource string
}

// Error keeps Medusa's wording, "Subscriber with id <id> already exists".
func (e *DuplicateSubscriberError) Error() string {
	msg := fmt.Sprintf("Subscriber with id %s already exists (event %q", e.ID, e.Event)
	if e.ExistingSource != "" {
		msg += ", registered at " + e.ExistingSource
	}
	return msg + ")"
}

// Is makes errors.Is(err, ErrDuplicateSubscriber) true.
func (e *DuplicateSubscriberError) Is(target error) bool { return target == ErrDuplicateSubscriber }

// HandlerError is a failed delivery, as given to the error sink.
type HandlerError struct {
	Event        string // the message's name (differs from the subscription's for Wildcard)
	SubscriberID string
	Source       string
	Err          error // a *PanicError when the handler panicked
}

// Error starts like Medusa's log line, "An error occurred while processing <event>: <err>".
func (e *HandlerError) Error() string {
	msg := fmt.Sprintf("An error occurred while processing %s: %v (subscriber %s", e.Event, e.Err, e.SubscriberID)
	if e.Source != "" {
		msg += " at " + e.Source
	}
	return msg + ")"
}

func (e *HandlerError) Unwrap() error { return e.Err }

// PanicError is a handler that panicked instead of returning an error.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// ErrorSink receives every failed delivery. It is called from delivery goroutines, so it must
// be safe for concurrent use; Drain does not return before pending reports are delivered.
type ErrorSink func(*HandlerError)
