package bus

import (
	"encoding/json"
	"fmt"
	"time"
)

// Wildcard is the event name whose subscribers receive every event.
const Wildcard = "*"

// Metadata keys that the bus reads or writes. Medusa's composeMessage adds source, object
// and action; the bus adds the two timestamps.
const (
	MetaEventGroupID = "eventGroupId"
	MetaCreatedAt    = "created_at"   // set on emit (kept if the emitter set it)
	MetaPublishedAt  = "published_at" // set when the message is dispatched to subscribers
	MetaSource       = "source"
	MetaObject       = "object"
	MetaAction       = "action"
)

// Message is one event, shaped like Medusa's `{name, data, metadata}` so that it can cross
// the JS boundary and a Redis queue as JSON unchanged.
type Message struct {
	Name string `json:"name"`
	// Data is the JSON payload; the JS side stringifies and parses it.
	Data json.RawMessage `json:"data"`
	// Metadata holds JSON-compatible values (maps, slices, strings, numbers, bools) and
	// time.Time for the timestamps, which marshal as RFC 3339 strings.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// GroupID returns metadata.eventGroupId, or "" when the message is not grouped.
func (m Message) GroupID() string {
	switch v := m.Metadata[MetaEventGroupID].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v) // JS callers may pass a number; Medusa only tests truthiness
	}
}

// CreatedAt returns metadata.created_at as set by Emit, if it is a time.
func (m Message) CreatedAt() (time.Time, bool) { return m.timeAt(MetaCreatedAt) }

// PublishedAt returns metadata.published_at as set on dispatch, if it is a time.
func (m Message) PublishedAt() (time.Time, bool) { return m.timeAt(MetaPublishedAt) }

func (m Message) timeAt(key string) (time.Time, bool) {
	t, ok := m.Metadata[key].(time.Time)
	return t, ok
}

// Clone returns a deep copy. The bus copies on emit, so that an emitter may reuse its maps,
// and again for every delivery, so that handlers running concurrently may mutate what they
// get without racing each other. It plays the role of Medusa's JSON deep copy on release but
// keeps time.Time values as they are instead of re-parsing them.
func (m Message) Clone() Message {
	out := Message{Name: m.Name}
	if m.Data != nil {
		out.Data = append(json.RawMessage(nil), m.Data...)
	}
	if m.Metadata != nil {
		out.Metadata = cloneMap(m.Metadata)
	}
	return out
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case json.RawMessage:
		return append(json.RawMessage(nil), x...)
	case []byte:
		return append([]byte(nil), x...)
	default:
		return v // immutable values: strings, numbers, bools, time.Time
	}
}
