package lsp

import (
	"bytes"
	"encoding/json"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/node"
	"github.com/medusa-ls/medusa-ls/framework"
)

// The medusa/status notification: one per project, on every change of its dev server's state.

// statusParams is the medusa/status notification (docs/lsp-contract.md).
type statusParams struct {
	State      devserver.State       `json:"state"`
	URL        string                `json:"url"`
	Runtime    string                `json:"runtime"`
	HMR        bool                  `json:"hmr"`
	LastReload *devserver.LastReload `json:"lastReload,omitempty"`
	Errors     int                   `json:"errors"`
	Message    string                `json:"message,omitempty"`
	Root       string                `json:"root"`
	// The node runtime's processes (role, pid, state): the server and its workers.
	Processes []node.Process `json:"processes,omitempty"`
	// Credentials: the embedded runtime's development publishable key and tokens.
	Credentials *framework.DevCredentials `json:"credentials,omitempty"`
}

func (sess *session) sendStatus() {
	sess.statusMu.Lock()
	defer sess.statusMu.Unlock()
	sess.mu.Lock()
	st := sess.status
	p := statusParams{State: st.State, URL: st.URL, Runtime: st.Runtime, HMR: st.HMR, LastReload: st.LastReload,
		Errors: sess.errorCount(), Message: st.Message, Root: sess.root, Processes: st.Processes, Credentials: st.Credentials}
	sess.mu.Unlock()
	if p.Runtime == "" {
		p.Runtime = "embedded"
	}
	// The supervisor reports a reload's state with its result and again on its own: the same
	// status twice says nothing new, and each costs the client a message to parse.
	b, err := json.Marshal(p)
	if err != nil || bytes.Equal(b, sess.sentStatus) {
		return
	}
	sess.sentStatus = b
	_ = sess.s.notify("medusa/status", json.RawMessage(b))
}
