package ipc

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

func TestRoundTripKeepsMedusaFields(t *testing.T) {
	a, b := net.Pipe()
	ca, cb := NewConn(a), NewConn(b)
	defer ca.Close()
	defer cb.Close()
	changes := []Change{{Action: ActionChange, File: "/p/src/api/x/route.ts"}, {Action: ActionAdd, File: "/p/src/y.ts"}}
	go func() { _ = ca.Send(Reload(7, "/p", changes)) }()
	got, err := cb.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != TypeReload || got.ID != 7 || got.Action != ActionChange || got.File != changes[0].File || got.RootDirectory != "/p" || len(got.ReloadChanges()) != 2 {
		t.Fatalf("got %+v", got)
	}
	go func() { _ = cb.Send(ResultMessage(7, Result{Success: false, DurationMs: 1.5})) }()
	res, err := ca.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != TypeResult || res.ID != 7 || res.Success == nil || *res.Success || res.Result().DurationMs != 1.5 {
		t.Fatalf("got %+v", res)
	}
}

func TestMedusaStyleMessage(t *testing.T) {
	var e Envelope
	if err := json.Unmarshal([]byte(`{"type":"hmr-reload","action":"unlink","file":"/p/a.ts","rootDirectory":"/p"}`), &e); err != nil {
		t.Fatal(err)
	}
	if cs := e.ReloadChanges(); len(cs) != 1 || cs[0].Action != ActionUnlink {
		t.Fatalf("%+v", cs)
	}
	b, _ := json.Marshal(ResultMessage(1, Result{Success: true}))
	if !strings.Contains(string(b), `"success":true`) {
		t.Fatalf("Medusa's success field missing: %s", b)
	}
}

func TestReceiveRejectsGarbageAndReportsEOF(t *testing.T) {
	a, b := net.Pipe()
	cb := NewConn(b)
	go func() {
		_, _ = a.Write([]byte("not json\n{\"type\":\"ready\"}\n"))
		a.Close()
	}()
	_, err := cb.Receive()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("want a decode error, got %v", err)
	}
	e, err := cb.Receive()
	if err != nil || e.Type != TypeReady {
		t.Fatalf("%+v %v", e, err)
	}
	if _, err := cb.Receive(); !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got %v", err)
	}
}
