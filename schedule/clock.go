package schedule

import "time"

// Clock is the scheduler's source of time and timers. It is injected so that tests can drive
// the scheduler with a fake clock (see package clocktest) instead of waiting on the wall clock.
//
// AfterFunc returns a stop function rather than a named timer type on purpose: with only
// unnamed types in its method set, the same fake clock also satisfies bus/local.Clock.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once, in its own goroutine or synchronously from the clock's driver,
	// after d has elapsed. stop prevents the call if it has not started and reports whether it did;
	// callers must still tolerate a call that was already on its way when stop ran.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock returns the wall clock, backed by time.AfterFunc.
func RealClock() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
