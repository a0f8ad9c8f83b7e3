// Package node is the node runtime: it runs the project's own Medusa (`@medusajs/cli start`, as
// `medusa develop` forks it) on an internal port behind a proxy, preloads a helper
// (js/node-helper.js) that reports Medusa's errors and swaps what a file registered, and drives
// reloads with Medusa's hmr-reload messages. With workers it runs Medusa's production topology.
// The supervisor that owns it is seen through the Supervisor interface.
package node
