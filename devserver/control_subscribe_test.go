//go:build unix

package devserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/diag"
)

// A subscriber sees the dev server as its own user does: a snapshot with the current problems,
// then every event; and it drives the supervisor's commands through the control socket.
func TestSubscribeSeesSnapshotEventsAndDrivesCommands(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "medusa-config.ts", storeConfig)
	writeFile(t, root, "src/api/ok/route.ts", routeTS(`res.json({ pid: process.pid })`))
	writeFile(t, root, "src/api/bad/route.ts", routeTS(`res.json({ v: 1 )`))
	// No watcher: what reloads was asked for through the socket.
	d := startDevAt(t, root, func(o *devserver.Options) { o.Watch = false })

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sub, err := devserver.Subscribe(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	snap := sub.Snapshot
	if snap.PID != os.Getpid() || snap.Root != d.Sup.Root() || snap.Status.State != devserver.StateReady || snap.Status.URL != d.URL {
		t.Fatalf("snapshot %+v", snap)
	}
	if len(snap.Problems) != 1 || diag.RelPath(root, snap.Problems[0].File) != "src/api/bad/route.ts" || snap.Problems[0].Code != diag.CodeSyntax {
		t.Fatalf("snapshot problems %+v", snap.Problems)
	}
	// next waits for an event that satisfies cond.
	next := func(what string, cond func(devserver.Event) bool) devserver.Event {
		t.Helper()
		timeout := time.After(waitFor)
		for {
			select {
			case e, ok := <-sub.Events():
				if !ok {
					t.Fatalf("the subscription ended while waiting for %s", what)
				}
				if cond(e) {
					return e
				}
			case <-timeout:
				t.Fatalf("no %s", what)
			}
		}
	}
	for _, tc := range []struct {
		name string
		act  func() error
		want func(devserver.Event) bool
	}{
		{"enqueue", func() error {
			writeFile(t, root, "src/api/bad/route.ts", routeTS(`res.json({ v: 2 })`))
			_, err := devserver.Control(ctx, root, devserver.ControlEnqueue, []string{filepath.Join(root, "src/api/bad/route.ts")})
			return err
		}, func(e devserver.Event) bool {
			return e.Kind == "reload" && e.Result != nil && e.Result.Success && len(e.Result.Problems) == 0
		}},
		{"reload-all", func() error {
			_, err := devserver.Control(ctx, root, devserver.ControlReloadAll, nil)
			return err
		}, func(e devserver.Event) bool { return e.Log != "" && strings.Contains(e.Log, "reload") }},
		{"restart", func() error {
			_, err := devserver.Control(ctx, root, devserver.ControlRestart, nil)
			return err
		}, func(e devserver.Event) bool { return e.Kind == "restart" && e.Result != nil && e.Result.Success }},
		{"a runtime error", func() error {
			writeFile(t, root, "src/api/ok/route.ts", routeTS(`throw new Error("kaboom")`))
			if _, err := devserver.Control(ctx, root, devserver.ControlEnqueue, []string{"src/api/ok/route.ts"}); err != nil {
				return err
			}
			next("the reload of the throwing route", func(e devserver.Event) bool { return e.Kind == "reload" && e.Result != nil && e.Result.Applied })
			resp, err := http.Get(d.URL + "/ok")
			if err == nil {
				resp.Body.Close()
			}
			return err
		}, func(e devserver.Event) bool {
			return e.Runtime != nil && len(e.Runtime.Problems) > 0 && e.Runtime.Problems[0].Line == 3
		}},
	} {
		if err := tc.act(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		next(tc.name, tc.want)
	}
	if _, err := devserver.Control(ctx, root, devserver.ControlEnqueue, json.RawMessage(`{"x":1}`)); err == nil || !strings.Contains(err.Error(), "list of files") {
		t.Fatalf("enqueue with an object: %v", err)
	}

	// The dev server exits: the subscription ends.
	d.Stop()
	select {
	case _, ok := <-sub.Events():
		for ok {
			_, ok = <-sub.Events()
		}
	case <-time.After(waitFor):
		t.Fatal("the subscription outlived the dev server")
	}
	if _, err := devserver.Subscribe(ctx, root); err == nil {
		t.Fatal("subscribed to a dev server that exited")
	} else if !strings.Contains(err.Error(), fmt.Sprint(devserver.ErrNotRunning)) {
		t.Fatalf("want ErrNotRunning, got %v", err)
	}
}
