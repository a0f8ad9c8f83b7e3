package watch

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// A file truncated and written in place in two pieces is reported once, after its writer has
// closed it, never in between; a save in one write is reported as soon as it is closed.
func TestInPlaceWriteIsReportedOnceClosed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("following writes until their writer closes the file needs inotify (Linux)")
	}
	root := t.TempDir()
	file := filepath.Join(root, "route.ts")
	os.WriteFile(file, []byte("export const v = 0\n"), 0o644)
	w := newWatcher(t, root)
	heldAfter := len(w.acted.All())
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("export const "))
	// The batch's quiet period passes while the file is open: the batch is held.
	w.acted.Wait(t, 20*time.Second, func(as []acted) string {
		for _, a := range as[heldAfter:] {
			if a.what == "timer" && a.pending == 1 {
				return ""
			}
		}
		return "the quiet period has not passed yet"
	})
	noBatch(t, w, 1)
	f.Write([]byte("v = 1\n"))
	f.Close()
	if b := next(t, w); len(b) != 1 || b[0] != file {
		t.Fatalf("batch %v", b)
	}
	if got, _ := os.ReadFile(file); string(got) != "export const v = 1\n" {
		t.Fatalf("content %q", got)
	}
	noBatch(t, w, 0)

	// A normal save is not held: its batch is sent as the watcher learns that it was closed.
	closedAfter := len(w.acted.All())
	if err := os.WriteFile(file, []byte("export const v = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.acted.Wait(t, 20*time.Second, func(as []acted) string {
		for _, a := range as[closedAfter:] {
			if a.name == file && a.what == "closed" {
				return ""
			}
		}
		return "the watcher has not seen the file closed"
	})
	select {
	case b := <-w.Batches():
		if len(b) != 1 || b[0] != file {
			t.Fatalf("batch %v", b)
		}
	default:
		t.Fatal("a save in one write was not reported as soon as it was closed")
	}
}

// A writer that never closes the file holds its batch for at most maxOpenHold.
func TestFileLeftOpenHoldsItsBatchOnlySoLong(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("following writes until their writer closes the file needs inotify (Linux)")
	}
	root := t.TempDir()
	file := filepath.Join(root, "route.ts")
	w := newWatcher(t, root)
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write([]byte("x"))
	begin := time.Now()
	next(t, w)
	if took := time.Since(begin); took > 3*maxOpenHold {
		t.Fatalf("held %s", took)
	}
}
