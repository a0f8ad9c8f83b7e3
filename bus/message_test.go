package bus_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/bus"
)

func TestMessageJSONShape(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	m := bus.Message{
		Name:     "product.created",
		Data:     json.RawMessage(`{"id":"prod_1"}`),
		Metadata: map[string]any{bus.MetaCreatedAt: at, bus.MetaSource: "product", bus.MetaEventGroupID: "g1"},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"product.created","data":{"id":"prod_1"},"metadata":{"created_at":"2026-01-01T12:00:00Z","eventGroupId":"g1","source":"product"}}`
	if string(raw) != want {
		t.Fatalf("JSON = %s\nwant   %s", raw, want)
	}
	var back bus.Message
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != m.Name || string(back.Data) != string(m.Data) || back.GroupID() != "g1" {
		t.Fatalf("round trip = %+v", back)
	}
}

func TestMessageClone(t *testing.T) {
	m := bus.Message{
		Name: "x",
		Data: json.RawMessage(`{"a":1}`),
		Metadata: map[string]any{
			"nested": map[string]any{"k": "v"},
			"list":   []any{map[string]any{"k": "v"}},
			"raw":    json.RawMessage(`1`),
		},
	}
	c := m.Clone()
	c.Data[2] = 'b'
	c.Metadata["nested"].(map[string]any)["k"] = "changed"
	c.Metadata["list"].([]any)[0].(map[string]any)["k"] = "changed"
	c.Metadata["raw"].(json.RawMessage)[0] = '2'
	c.Metadata["new"] = true
	if string(m.Data) != `{"a":1}` || m.Metadata["nested"].(map[string]any)["k"] != "v" ||
		m.Metadata["list"].([]any)[0].(map[string]any)["k"] != "v" || string(m.Metadata["raw"].(json.RawMessage)) != "1" ||
		len(m.Metadata) != 3 {
		t.Fatalf("changing the clone changed the original: %+v", m)
	}
	if z := (bus.Message{Name: "x"}).Clone(); z.Data != nil || z.Metadata != nil {
		t.Fatalf("clone of empty message = %+v", z)
	}
}

func TestGroupID(t *testing.T) {
	tests := []struct {
		meta map[string]any
		want string
	}{
		{nil, ""},
		{map[string]any{}, ""},
		{map[string]any{bus.MetaEventGroupID: "g"}, "g"},
		{map[string]any{bus.MetaEventGroupID: float64(7)}, "7"},
	}
	for _, tt := range tests {
		if got := (bus.Message{Metadata: tt.meta}).GroupID(); got != tt.want {
			t.Errorf("GroupID(%v) = %q, want %q", tt.meta, got, tt.want)
		}
	}
}
