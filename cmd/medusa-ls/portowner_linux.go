package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// portHolders returns the processes that hold the TCP socket listening on port. ok is false
// when /proc does not say (nothing listens, or the socket is another user's).
func portHolders(port int) (pids map[int]bool, ok bool) {
	inodes := listeningTCP(port)
	if len(inodes) == 0 {
		return nil, false
	}
	pids = holders(inodes)
	return pids, len(pids) > 0
}

// listeningTCP returns the inodes of the sockets listening on port (IPv4 and IPv6).
func listeningTCP(port int) map[string]bool {
	inodes := map[string]bool{}
	want := fmt.Sprintf(":%04X", port)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		eachLine(table, func(f []string) {
			// sl local_address rem_address st ... uid timeout inode
			if len(f) > 9 && strings.HasSuffix(f[1], want) && f[3] == "0A" {
				inodes[f[9]] = true
			}
		})
	}
	return inodes
}

func eachLine(file string, fn func([]string)) {
	fh, err := os.Open(file)
	if err != nil {
		return
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fn(strings.Fields(sc.Text()))
	}
}

// holders returns the processes that have a descriptor on one of the socket inodes.
func holders(inodes map[string]bool) map[int]bool {
	pids := map[int]bool{}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(dir, fd.Name()))
			if err == nil && strings.HasPrefix(target, "socket:[") && inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] {
				pids[pid] = true
				break
			}
		}
	}
	return pids
}
