package watch

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/synctest"
	"time"
)

func TestPollFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want time.Duration
	}{
		{nil, 0},
		{map[string]string{"CHOKIDAR_USEPOLLING": ""}, 0},
		{map[string]string{"CHOKIDAR_USEPOLLING": "false"}, 0},
		{map[string]string{"CHOKIDAR_USEPOLLING": "FALSE"}, 0},
		{map[string]string{"CHOKIDAR_USEPOLLING": "0"}, 0},
		{map[string]string{"CHOKIDAR_USEPOLLING": "true"}, DefaultPollInterval},
		{map[string]string{"CHOKIDAR_USEPOLLING": "1"}, DefaultPollInterval},
		{map[string]string{"CHOKIDAR_USEPOLLING": "yes"}, DefaultPollInterval},
		{map[string]string{"CHOKIDAR_USEPOLLING": "1", "CHOKIDAR_INTERVAL": "500"}, 500 * time.Millisecond},
		{map[string]string{"CHOKIDAR_USEPOLLING": "1", "CHOKIDAR_INTERVAL": " 250ms"}, 250 * time.Millisecond},
		{map[string]string{"CHOKIDAR_USEPOLLING": "1", "CHOKIDAR_INTERVAL": "abc"}, DefaultPollInterval},
		{map[string]string{"CHOKIDAR_USEPOLLING": "1", "CHOKIDAR_INTERVAL": "0"}, MinPollInterval},
		{map[string]string{"CHOKIDAR_INTERVAL": "500"}, 0},
	}
	for _, tc := range tests {
		got := PollFromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if got != tc.want {
			t.Errorf("PollFromEnv(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

// TestPollingReportsChanges runs the watcher without file events and checks that a scan finds
// a changed, a new (in a new folder), and a deleted file, and nothing that is ignored. The scans'
// timer is a fake clock's (testing/synctest): no scan falls between two changes of one step.
func TestPollingReportsChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		root := t.TempDir()
		api := filepath.Join(root, "src/api")
		os.MkdirAll(api, 0o755)
		os.MkdirAll(filepath.Join(root, "node_modules/x"), 0o755)
		route := filepath.Join(api, "route.ts")
		gone := filepath.Join(api, "old.ts")
		os.WriteFile(route, []byte("v1"), 0o644)
		os.WriteFile(gone, []byte("old"), 0o644)
		w, err := New(Options{Root: root, Poll: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if w.fw != nil {
			t.Fatal("polling watcher uses fsnotify")
		}

		// Same size, another modification time: an editor's in-place save within one scan.
		os.WriteFile(route, []byte("v2"), 0o644)
		later := time.Now().Add(2 * time.Second)
		os.Chtimes(route, later, later)
		if got := next(t, w); !reflect.DeepEqual(got, []string{route}) {
			t.Fatalf("changed file: got %v", got)
		}

		os.WriteFile(filepath.Join(root, "node_modules/x/index.js"), []byte("x"), 0o644)
		added := filepath.Join(root, "src/subscribers/order.ts")
		os.MkdirAll(filepath.Dir(added), 0o755)
		os.WriteFile(added, []byte("export default 1"), 0o644)
		os.Remove(gone)
		if got, want := next(t, w), []string{gone, added}; !reflect.DeepEqual(got, want) {
			t.Fatalf("added and removed: got %v, want %v", got, want)
		}
		time.Sleep(time.Second) // fifty scans
		synctest.Wait()
		select {
		case b := <-w.Batches():
			t.Fatalf("unexpected batch %v", b)
		default:
		}
	})
}

func TestPollingFromEnvironment(t *testing.T) {
	t.Setenv("CHOKIDAR_USEPOLLING", "true")
	t.Setenv("CHOKIDAR_INTERVAL", "30")
	w := newWatcher(t, t.TempDir())
	if w.fw != nil || w.opts.Poll != 30*time.Millisecond {
		t.Fatalf("CHOKIDAR_USEPOLLING=true: fsnotify %v, poll %v", w.fw != nil, w.opts.Poll)
	}
	w2, err := New(Options{Root: t.TempDir(), Poll: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if w2.fw == nil {
		t.Fatal("Poll < 0 polls anyway")
	}
}
