package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
)

// fed is a Watcher that gets its file events from the test instead of fsnotify, inside a
// synctest bubble: its windows run on the bubble's fake clock, so what a test sees depends on
// the durations it asks for, never on the machine's speed.
type fed struct {
	*Watcher
	events chan<- fsnotify.Event
	root   string

	mu      sync.Mutex
	batches []sent
}

// sent is a batch and the (fake) time it was sent at.
type sent struct {
	at    time.Time
	files []string
}

// feed starts a watcher on a new directory with the default windows, as New does without
// fsnotify and its write tracker; it stops when the test does.
func feed(t *testing.T) *fed {
	root := t.TempDir()
	events := make(chan fsnotify.Event)
	w := &Watcher{opts: Options{Root: root}.withDefaults(), open: map[string]time.Time{}, events: events,
		errs: make(chan error), batches: make(chan []string, 16), done: make(chan struct{})}
	f := &fed{Watcher: w, events: events, root: root}
	go w.run()
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for b := range w.Batches() {
			slices.Sort(b)
			f.mu.Lock()
			f.batches = append(f.batches, sent{time.Now(), b})
			f.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		w.Close()
		<-collected
	})
	return f
}

// newFolder writes rel (a file in a new folder) and sends the events a checkout causes: the
// folder's creation (the watcher finds the file in it), then the file's.
func (f *fed) newFolder(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(f.root, rel)
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte("x"), 0o644))
	f.events <- fsnotify.Event{Name: filepath.Dir(p), Op: fsnotify.Create}
	f.events <- fsnotify.Event{Name: p, Op: fsnotify.Create}
	f.events <- fsnotify.Event{Name: p, Op: fsnotify.Write}
	return p
}

// write sends the event of a write to rel (the watcher does not look at the file).
func (f *fed) write(rel string) string {
	p := filepath.Join(f.root, rel)
	f.events <- fsnotify.Event{Name: p, Op: fsnotify.Write}
	return p
}

func (s sent) String() string {
	return fmt.Sprintf("%d file(s) at %s", len(s.files), s.at.Format("15:04:05.000000"))
}

// sent returns the batches sent so far, once the watcher has done all it can without time
// passing.
func (f *fed) sent() []sent {
	synctest.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

// The windows, with the default durations: a checkout (files in new folders) is one batch as
// long as no pause between its files reaches BurstQuiet, and is sent BurstQuiet after its last
// file; a longer pause ends it (a pause of exactly BurstQuiet may go either way); one that never pauses is sent after BurstMaxWait; a single
// save waits Quiet, and a file rewritten without pause is sent after MaxWait.
func TestBurstWindow(t *testing.T) {
	d := Options{}.withDefaults()
	t.Run("a checkout with pauses just under BurstQuiet", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := feed(t)
			pause := d.BurstQuiet - time.Millisecond
			var files []string
			var last time.Time
			// as many files as fit in BurstMaxWait, up to 300
			n := min(300, int(d.BurstMaxWait/pause)-1)
			for i := range n {
				if i > 0 {
					time.Sleep(pause)
				}
				files = append(files, f.newFolder(t, fmt.Sprintf("src/api/r%03d/route.ts", i)))
				last = time.Now()
			}
			time.Sleep(d.BurstQuiet - time.Nanosecond)
			if got := f.sent(); len(got) != 0 {
				t.Fatalf("sent %d files before BurstQuiet had passed", len(got[0].files))
			}
			time.Sleep(time.Nanosecond)
			got := f.sent()
			if len(got) != 1 || !slices.Equal(got[0].files, files) || got[0].at != last.Add(d.BurstQuiet) {
				t.Fatalf("batches %v; want the %d files in one, BurstQuiet after the last", got, n)
			}
			if n < 50 {
				t.Fatalf("only %d files fit in BurstMaxWait (%s) with pauses of %s", n, d.BurstMaxWait, pause)
			}
		})
	})
	t.Run("a pause just over BurstQuiet ends a checkout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := feed(t)
			a := f.newFolder(t, "src/api/a/route.ts")
			b := f.newFolder(t, "src/api/b/route.ts")
			time.Sleep(d.BurstQuiet + time.Millisecond)
			c := f.newFolder(t, "src/api/c/route.ts")
			time.Sleep(time.Hour)
			got := f.sent()
			if len(got) != 2 || !slices.Equal(got[0].files, []string{a, b}) || !slices.Equal(got[1].files, []string{c}) {
				t.Fatalf("batches %v; want a and b, then c", got)
			}
		})
	})
	t.Run("a checkout that never pauses is sent after BurstMaxWait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := feed(t)
			begin := time.Now()
			for i := 0; time.Since(begin) < d.BurstMaxWait+d.BurstQuiet; i++ {
				f.newFolder(t, fmt.Sprintf("src/api/r%04d/route.ts", i))
				time.Sleep(d.BurstQuiet - time.Millisecond)
			}
			time.Sleep(time.Hour)
			got := f.sent()
			if len(got) != 2 || got[0].at != begin.Add(d.BurstMaxWait) {
				t.Fatalf("batches %v from %s; want the first BurstMaxWait after the first file, then the rest", got, begin.Format("15:04:05.000000"))
			}
		})
	})
	t.Run("a single save waits Quiet", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := feed(t)
			p := f.write("src/api/route.ts")
			begin := time.Now()
			time.Sleep(time.Hour)
			if got := f.sent(); len(got) != 1 || !slices.Equal(got[0].files, []string{p}) || got[0].at != begin.Add(d.Quiet) {
				t.Fatalf("batches %v; want the file Quiet (%s) after its write", got, d.Quiet)
			}
		})
	})
	t.Run("a file rewritten without pause is sent after MaxWait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := feed(t)
			begin := time.Now()
			var p string
			for time.Since(begin) < d.MaxWait+d.Quiet {
				p = f.write("src/api/route.ts")
				time.Sleep(d.Quiet - time.Microsecond)
			}
			time.Sleep(time.Hour)
			got := f.sent()
			if len(got) != 2 || !slices.Equal(got[0].files, []string{p}) || got[0].at != begin.Add(d.MaxWait) {
				t.Fatalf("batches %v from %s; want the file MaxWait (%s) after its first write, then again", got, begin.Format("15:04:05.000000"), d.MaxWait)
			}
		})
	})
}
