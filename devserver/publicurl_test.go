package devserver

import (
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver/child"
)

func TestPublicURLs(t *testing.T) {
	s := &Supervisor{}
	public := "http://127.0.0.1:9000"
	s.url.Store(&public)
	for _, tc := range []struct{ addr, line, want string }{
		{"127.0.0.1:43361", "info:    Admin URL → http://127.0.0.1:43361/app", "info:    Admin URL → http://127.0.0.1:9000/app"},
		{"127.0.0.1:43361", "✔ Server is ready on port: 43361 – 5109ms", "✔ Server is ready on port: 43361 – 5109ms"},
		{"127.0.0.1:43361", "GET http://127.0.0.1:433610/x", "GET http://127.0.0.1:433610/x"}, // a longer port is another one
		{"127.0.0.1:43361", "a http://127.0.0.1:43361, b http://127.0.0.1:43361/app", "a http://127.0.0.1:9000, b http://127.0.0.1:9000/app"},
		{"127.0.0.1:9000", "Admin URL → http://127.0.0.1:9000/app", "Admin URL → http://127.0.0.1:9000/app"},
		{"", "Admin URL → http://127.0.0.1:43361/app", "Admin URL → http://127.0.0.1:43361/app"},
	} {
		if got := s.publicURLs(&child.Process{Addr: tc.addr}, tc.line); got != tc.want {
			t.Errorf("addr %q, %q → %q, want %q", tc.addr, tc.line, got, tc.want)
		}
	}
}
