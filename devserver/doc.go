// Package devserver runs a Medusa project: the Supervisor (`medusa-ls develop`) owns the port
// and the file watcher, batches changes, and drives a child through a runtime — the project's
// own Medusa in Node (package node) or `medusa-ls start` in the embedded runtime (package
// embedded) — restarting it when it cannot reload in place. It also serves the control socket
// (`medusa-ls emit`, editors attaching) and runs `medusa-ls check`.
package devserver
