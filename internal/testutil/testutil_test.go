package testutil_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// A waiter wakes on the Notify that follows the change it waits for, without polling: on a fake
// clock no time passes; and one whose condition never holds gets its last report at the limit.
func TestSignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sig testutil.Signal
		var n atomic.Int32
		checks := 0
		go func() {
			for range 3 {
				time.Sleep(time.Second)
				n.Add(1)
				sig.Notify()
			}
		}()
		begin := time.Now()
		sig.Wait(t, time.Minute, func() string {
			checks++
			if n.Load() < 3 {
				return "not yet"
			}
			return ""
		})
		if took := time.Since(begin); took != 3*time.Second || checks != 4 {
			t.Fatalf("woke after %s and %d checks; want 3s and 4 (one per Notify)", took, checks)
		}
		if last := sig.WaitFor(time.Hour, func() string { return fmt.Sprint("n is ", n.Load()) }); last != "n is 3" || time.Since(begin) != time.Hour+3*time.Second {
			t.Fatalf("WaitFor = %q after %s", last, time.Since(begin))
		}
	})
}

func TestBufferAndListWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b testutil.Buffer
		var l testutil.List[int]
		go func() {
			for i := range 5 {
				time.Sleep(time.Millisecond)
				fmt.Fprintf(&b, "line %d\n", i)
				l.Add(i)
			}
		}()
		b.Wait(t, time.Minute, func(s string) string {
			if !strings.Contains(s, "line 4") {
				return "no line 4 in " + s
			}
			return ""
		})
		l.Wait(t, time.Minute, func(xs []int) string {
			if len(xs) < 5 {
				return fmt.Sprint(xs)
			}
			return ""
		})
		if got := b.WaitFor(time.Second, func(s string) string { return "never" }); got != "never" {
			t.Fatalf("WaitFor = %q", got)
		}
	})
}

func TestPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		begin := time.Now()
		if last := testutil.Poll(time.Second, func() string { return "never" }); last != "never" || time.Since(begin) < time.Second {
			t.Fatalf("Poll = %q after %s", last, time.Since(begin))
		}
		calls := 0
		if last := testutil.Poll(time.Second, func() string {
			if calls++; calls < 3 {
				return "not yet"
			}
			return ""
		}); last != "" || calls != 3 {
			t.Fatalf("Poll = %q after %d calls", last, calls)
		}
	})
}
