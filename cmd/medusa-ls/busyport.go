package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
)

// explainListenError adds, to an error about a port that is taken, whose server holds it: this
// project's own dev server, another Medusa server, another HTTP server or some other program.
// Other errors are returned as they are.
func explainListenError(err error, root string) error {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "listen" || op.Addr == nil || !addrInUse(err) {
		return err
	}
	h, p, serr := net.SplitHostPort(op.Addr.String())
	if serr != nil {
		return err
	}
	if ip := net.ParseIP(h); ip == nil || ip.IsUnspecified() {
		h = "127.0.0.1"
	}
	port, _ := strconv.Atoi(p)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	running, pid := ownDevServer(ctx, root)
	answers, medusa := probeHTTP(ctx, net.JoinHostPort(h, p))

	// Whose is the port? On Linux /proc says which processes hold it, and the supervisor of
	// this project told its pid. Elsewhere a running dev server of this project and a port that
	// answers as Medusa does are taken to be one.
	own, known := false, false
	if pid > 0 {
		if holders, ok := portHolders(port); ok {
			own, known = holders[pid], true
		}
	}
	if !known {
		own = running && medusa
	}
	if own {
		return fmt.Errorf("port %d is taken by this project's own dev server: medusa-ls develop (or an editor) already serves %s there. Use that one (medusa-ls emit and run-job reach it), stop it, or pick another port with --port", port, root)
	}
	var who string
	switch {
	case medusa:
		who = "another Medusa server (medusa develop, or the dev server of another project)"
	case answers:
		who = "another HTTP server"
	default:
		who = "another program"
	}
	msg := fmt.Sprintf("port %d is taken by %s", port, who)
	if running {
		msg += ", and this project's own dev server is already running on another port (an editor's, or another medusa-ls develop)"
	}
	return errors.New(msg + ". Stop it, or pick another port with --port")
}

// addrInUse recognises EADDRINUSE, and Windows's WSAEADDRINUSE by its message.
func addrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "address already in use") || strings.Contains(msg, "only one usage of each socket address")
}

// ownDevServer asks the control socket of root's supervisor for its pid (the "ping" command).
// Any answer, even an error, means that a dev server of this project runs; pid is 0 when it did
// not say.
func ownDevServer(ctx context.Context, root string) (running bool, pid int) {
	data, err := devserver.Control(ctx, root, "ping", nil)
	if errors.Is(err, devserver.ErrNotRunning) {
		return false, 0
	}
	var p struct {
		PID int `json:"pid"`
	}
	if err == nil {
		_ = json.Unmarshal(data, &p)
	}
	return true, p.PID
}

// probeHTTP asks hostPort for /health: whether anything answers HTTP there, and whether it
// answers the way Medusa (and medusa-ls) do, 200 "OK".
func probeHTTP(ctx context.Context, hostPort string) (answers, medusa bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostPort+"/health", nil)
	if err != nil {
		return false, false
	}
	client := &http.Client{Timeout: time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return false, false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	return true, resp.StatusCode == http.StatusOK && strings.TrimSpace(string(body)) == "OK"
}
