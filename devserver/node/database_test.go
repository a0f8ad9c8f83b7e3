package node

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

func TestDatabaseHintOnlyWhenTheDatabaseIsTheReason(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open := ln.Addr().String()
	closedLn, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := closedLn.Addr().String()
	closedLn.Close()
	defer ln.Close()
	url := func(addr string) map[string]string {
		return map[string]string{"DATABASE_URL": fmt.Sprintf("postgres://u:p@%s/db", addr)}
	}
	slowBoot := "info:    Starting Medusa\ninfo:    Loading modules\n"
	if h := databaseHint(url(open), slowBoot); h != "" {
		t.Fatalf("a slow boot with a reachable database got a hint: %q", h)
	}
	if h := databaseHint(url(closed), slowBoot); !strings.Contains(h, closed) || !strings.Contains(h, "not reachable") {
		t.Fatalf("closed port: %q", h)
	}
	for _, said := range []string{
		`error: password authentication failed for user "medusa"`,
		"KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full.",
		"Error: connect ECONNREFUSED 127.0.0.1:5432",
		`error: database "nope" does not exist`,
	} {
		if h := databaseHint(url(open), slowBoot+said); !strings.Contains(h, "DATABASE_URL ("+open+")") {
			t.Fatalf("%q: hint %q", said, h)
		}
	}
	if h := databaseHint(map[string]string{}, "ECONNREFUSED"); h != "" {
		t.Fatalf("no DATABASE_URL: %q", h)
	}
	if a := databaseAddress("postgres://u@db.example/x"); a != "db.example:5432" {
		t.Fatalf("default port: %q", a)
	}
}
