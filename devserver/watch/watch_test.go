package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// probed is a Watcher whose test knows which events it has acted on (Options.processed).
type probed struct {
	*Watcher
	acted   testutil.List[acted]
	settles int
}

type acted struct {
	name, what string
	pending    int
}

func newWatcher(t *testing.T, root string) *probed {
	t.Helper()
	return start(t, Options{Root: root})
}

// start runs a watcher with opts until the test ends.
func start(t *testing.T, opts Options) *probed {
	t.Helper()
	p := &probed{}
	opts.processed = func(name, what string, pending int) { p.acted.Add(acted{name, what, pending}) }
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	p.Watcher = w
	return p
}

// settle returns once the watcher has acted on every file event caused before the call, and
// how many files then waited for a batch. It saves and removes a file that is never reported
// (an editor's swap file) at the root, and waits for the watcher to act on that file's last
// events: fsnotify's removal and the write tracker's close, each queued after every earlier
// event of its kind.
func (p *probed) settle(t *testing.T) int {
	t.Helper()
	p.settles++
	f := filepath.Join(p.opts.Root, fmt.Sprintf(".settle-%d.swp", p.settles))
	must(t, os.WriteFile(f, []byte("x"), 0o644))
	must(t, os.Remove(f))
	pending := -1
	p.acted.Wait(t, 20*time.Second, func(as []acted) string {
		removed, closed := false, p.writes == nil
		for _, a := range as {
			if a.name != f {
				continue
			}
			switch a.what {
			case "REMOVE":
				removed = true
			case "closed":
				closed = true
			default:
				continue
			}
			if removed && closed {
				pending = a.pending
				return ""
			}
		}
		return fmt.Sprintf("the watcher has not acted on %s yet (removed %v, closed %v)", f, removed, closed)
	})
	return pending
}

// next returns the next batch, or fails after a generous timeout (this is a correctness bound,
// not a speed assertion).
func next(t *testing.T, w interface{ Batches() <-chan []string }) []string {
	t.Helper()
	select {
	case b := <-w.Batches():
		sort.Strings(b)
		return b
	case <-time.After(20 * time.Second):
		t.Fatal("no batch")
		return nil
	}
}

// noBatch checks, once the watcher has acted on every event so far, that it has sent no batch
// and that pending files wait for one (files it will report once their window has passed).
func noBatch(t *testing.T, w *probed, pending int) {
	t.Helper()
	if n := w.settle(t); n != pending {
		t.Fatalf("%d files wait for a batch, want %d", n, pending)
	}
	select {
	case b := <-w.Batches():
		t.Fatalf("unexpected batch %v", b)
	default:
	}
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"src/api/route.ts", false},
		{".env", false},
		// The other files Medusa's loadEnv reads for some NODE_ENV (Relevant says for which).
		{".env.test", false},
		{".env.production", false},
		{".env.staging", false},
		// Names Medusa never reads are dot files like others: an editor's or a tool's.
		{".env.local", true},
		{".env.development", true},
		{".env.example", true},
		{".env.t", true},
		{".env.swp", true},
		{".env~", true},
		{".env.test~", true},
		{".env.test.swp", true},
		{".envrc", true},
		{"src/.env", true}, // .env files count at the root only
		{"src/modules/brand/migrations/.snapshot-brand.json", true},
		{"src/api/.route.ts.tmp", true},
		{".eslintrc.js", true},
		{"node_modules/x/index.js", true},
		{"src/node_modules/x.js", true},
		{".git/HEAD", true},
		{".medusa/server/x.js", true},
		{"dist/x.js", true},
		{".vscode/settings.json", true},
		{"src/api/4913", true},
		{"src/api/route.ts~", true},
		{"src/api/.route.ts.swp", true},
		{"src/api/.#route.ts", true},
		{"uploads/a.png", true},
		// Medusa ignores these names at the root only: below it, they are routes.
		{"src/api/admin/uploads/route.ts", false},
		{"src/api/store/build/route.ts", false},
		{"src/api/static/[id]/route.ts", false},
		{"src/subscribers/dist/x.ts", false},
		{"src/admin/widgets/brand.tsx", true},
		{"src/admin", true},
		{"src/administration/x.ts", false},
		{"private/keys.ts", true},
		{"coverage/lcov.js", true},
		{"build/index.js", true},
	}
	for _, tc := range tests {
		if got := Ignored(tc.rel, nil); got != tc.want {
			t.Errorf("Ignored(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}
	if !Ignored("src/generated/x.ts", []string{"src/generated/**"}) || !Ignored("tmp/x.ts", []string{"tmp"}) {
		t.Error("user patterns not applied")
	}
}

func TestAtomicSaveIsOneBatch(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "src/api/hello")
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, "route.ts")
	os.WriteFile(file, []byte("v1"), 0o644)
	w := newWatcher(t, root)
	// vim's sequence: probe file, backup by rename, write the new file, drop the backup.
	probe := filepath.Join(dir, "4913")
	os.WriteFile(probe, nil, 0o644)
	os.Remove(probe)
	os.Rename(file, file+"~")
	os.WriteFile(file, []byte("v2"), 0o644)
	os.Remove(file + "~")
	if b := next(t, w); len(b) != 1 || b[0] != file {
		t.Fatalf("batch %v", b)
	}
}

// A checkout of 300 new folders, a route in each, while Git holds its index lock, is one batch,
// sent once the lock is gone. The watcher has acted on every file before the lock goes, so a
// loaded machine pausing the writer or the watcher cannot split it. That a burst without the
// lock is one batch too, for pauses up to the windows, is TestBurstWindow's, on a fake clock.
func TestCheckoutOfNewFoldersIsOneBatch(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, ".git"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "src/api"), 0o755))
	w := start(t, Options{Root: root, BurstMaxWait: time.Hour})
	lock := filepath.Join(root, ".git/index.lock")
	must(t, os.WriteFile(lock, nil, 0o644))
	for i := 0; i < 300; i++ {
		d := filepath.Join(root, "src/api", fmt.Sprintf("r%03d", i))
		must(t, os.MkdirAll(d, 0o755))
		must(t, os.WriteFile(filepath.Join(d, "route.ts"), []byte("x"), 0o644))
		now := time.Now() // a live Git's lock: never taken for a dead one's (gitLockStale)
		must(t, os.Chtimes(lock, now, now))
	}
	noBatch(t, w, 300)
	must(t, os.Remove(lock))
	if b := next(t, w); len(b) != 300 {
		t.Fatalf("first batch has %d files, want all 300", len(b))
	}
	noBatch(t, w, 0)
}

func TestNewDirectoriesAreWatchedAndIgnoredOnesAreNot(t *testing.T) {
	root := t.TempDir()
	w := newWatcher(t, root)
	os.MkdirAll(filepath.Join(root, "node_modules/pkg"), 0o755)
	os.WriteFile(filepath.Join(root, "node_modules/pkg/index.js"), []byte("x"), 0o644)
	noBatch(t, w, 0)
	nested := filepath.Join(root, "src/subscribers")
	os.MkdirAll(nested, 0o755)
	noBatch(t, w, 0) // and the new directories are watched by now
	f := filepath.Join(nested, "a.ts")
	os.WriteFile(f, []byte("x"), 0o644)
	if b := next(t, w); len(b) != 1 || b[0] != f {
		t.Fatalf("batch %v", b)
	}
}

func TestIrrelevantFilesNeverStartABatch(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	w := start(t, Options{Root: root, Relevant: func(rel string) bool { return filepath.Ext(rel) == ".ts" }})
	log := filepath.Join(root, "src", "server.log")
	for i := 0; i < 20; i++ {
		f, _ := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		fmt.Fprintf(f, "line %d\n", i)
		f.Close()
	}
	os.WriteFile(filepath.Join(root, "src", "x.ts.tmp-123"), []byte("x"), 0o644)
	noBatch(t, w, 0)
	code := filepath.Join(root, "src", "x.ts")
	os.WriteFile(code, []byte("x"), 0o644)
	if b := next(t, w); len(b) != 1 || b[0] != code {
		t.Fatalf("batch %v", b)
	}
}

// A folder renamed stays watched under its new name, and so do its subfolders: a file added to
// it, or to a new subfolder of it, and a file removed from it are reported. fsnotify drops the
// moved folder's watch when it sees the move, racing with the watcher watching the new name, so
// the folder is renamed several times.
func TestRenamedFolderStaysWatched(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "src/api/a0/[id]"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "src/api/a0/[id]/route.ts"), []byte("x"), 0o644))
	w := newWatcher(t, root)
	for i := 1; i <= 10; i++ {
		from, to := filepath.Join(root, "src/api", fmt.Sprintf("a%d", i-1)), filepath.Join(root, "src/api", fmt.Sprintf("a%d", i))
		must(t, os.Rename(from, to))
		// the old folder goes (its files with it), the new one comes with its files
		want := []string{from, filepath.Join(to, "[id]/route.ts")}
		var got []string
		for len(got) < 2 {
			got = append(got, next(t, w)...)
		}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rename %d: batches %v, want %v", i, got, want)
		}
		noBatch(t, w, 0)
		for _, rel := range []string{"route.ts", fmt.Sprintf("new%d/route.ts", i), "[id]/other.ts"} {
			f := filepath.Join(to, rel)
			must(t, os.MkdirAll(filepath.Dir(f), 0o755))
			must(t, os.WriteFile(f, []byte("x"), 0o644))
			if b := next(t, w); len(b) != 1 || b[0] != f {
				t.Fatalf("rename %d: after adding %s: batch %v", i, rel, b)
			}
			must(t, os.Remove(f))
			if b := next(t, w); len(b) != 1 || b[0] != f {
				t.Fatalf("rename %d: after removing %s: batch %v", i, rel, b)
			}
		}
	}
}
