//go:build !linux

package main

// portHolders cannot tell who listens on a port outside Linux; the caller falls back on asking
// the control socket and the port.
func portHolders(port int) (pids map[int]bool, ok bool) { return nil, false }
