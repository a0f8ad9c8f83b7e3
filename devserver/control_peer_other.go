//go:build unix && !linux && !darwin && !freebsd

package devserver

import "errors"

// peerUID cannot ask this system who the peer is, so control connections are refused.
func peerUID(int) (int, error) {
	return -1, errors.New("peer credentials are not supported on this system")
}
