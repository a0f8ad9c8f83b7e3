//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

type lspResult struct {
	Name              string `json:"name"`
	SaveToDiagnostics stats  `json:"didsave_to_publish_diagnostics"`
	SaveToNewBody     stats  `json:"didsave_to_new_body"`
}

type pipeRWC struct {
	io.Reader
	io.WriteCloser
}

// measureLSP drives `medusa-ls serve --stdio` the way VS Code does (it watches files itself, so
// the server does not) and times a broken save to its diagnostic and a good save to its body.
func measureLSP(bin, name, dir, routeRel string, samples int) lspResult {
	fmt.Fprintf(os.Stderr, "bench: lsp %s\n", name)
	path := filepath.Join(dir, routeRel)
	orig, err := os.ReadFile(path)
	check(err)
	defer os.WriteFile(path, orig, 0o644)
	port := freePort()
	cmd := exec.Command(bin, "serve", "--stdio")
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	check(err)
	stdout, err := cmd.StdoutPipe()
	check(err)
	cmd.Stderr = io.Discard
	check(cmd.Start())
	defer func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(pipeRWC{stdout, stdin}))
	target := uri.File(path)
	var mu sync.Mutex
	diags := make(chan int, 64)
	ready := make(chan struct{})
	var readyOnce sync.Once
	conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req.Method() {
		case "textDocument/publishDiagnostics":
			var p protocol.PublishDiagnosticsParams
			if json.Unmarshal(req.Params(), &p) == nil && p.URI == target {
				mu.Lock()
				select {
				case diags <- len(p.Diagnostics):
				default:
				}
				mu.Unlock()
			}
		case "medusa/status":
			var st struct{ State string }
			if json.Unmarshal(req.Params(), &st) == nil && st.State == "ready" {
				readyOnce.Do(func() { close(ready) })
			}
		}
		return reply(ctx, nil, nil)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var init protocol.InitializeResult
	_, err = conn.Call(ctx, "initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": string(uri.File(dir)),
		"initializationOptions": map[string]any{"port": port},
		"capabilities":          map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}},
	}, &init)
	check(err)
	check(conn.Notify(ctx, "initialized", map[string]any{}))
	select {
	case <-ready:
	case <-ctx.Done():
		check(fmt.Errorf("the language server's dev server did not become ready"))
	}
	urlPath := routeURL(routeRel)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	save := func() {
		check(conn.Notify(context.Background(), "textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": string(target)}}))
	}
	waitDiags := func(cond func(int) bool) time.Time {
		for {
			select {
			case n := <-diags:
				if cond(n) {
					return time.Now()
				}
			case <-time.After(30 * time.Second):
				check(fmt.Errorf("no diagnostics"))
			}
		}
	}
	var toDiag, toBody []float64
	for n := 1; n <= samples; n++ {
		broken := strings.Replace(bumpVersion(string(orig), n), "res.json({", "res.json({ ,", 1)
		writeAtomic(path, broken)
		t0 := time.Now()
		save()
		toDiag = append(toDiag, msSince(t0, waitDiags(func(k int) bool { return k > 0 })))

		writeAtomic(path, bumpVersion(string(orig), n))
		t0 = time.Now()
		save()
		t, err := firstBody(base+urlPath, fmt.Sprintf("v%d-", n), 30*time.Second)
		check(err)
		toBody = append(toBody, msSince(t0, t))
		waitDiags(func(k int) bool { return k == 0 })
	}
	return lspResult{Name: name, SaveToDiagnostics: summarize(toDiag), SaveToNewBody: summarize(toBody)}
}
