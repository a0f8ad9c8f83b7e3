package devserver

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
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

func TestBackoffDoublesToThirtySeconds(t *testing.T) {
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Fatalf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}

func TestFirstErrorLine(t *testing.T) {
	out := "info:    Starting\n\x1b[31merror\x1b[39m:   x\n\x1b[31merror\x1b[39m:   Failed to connect to the database: password authentication failed\nmore\n"
	if got := firstErrorLine(out); got != "Failed to connect to the database: password authentication failed" {
		t.Fatalf("%q", got)
	}
}
