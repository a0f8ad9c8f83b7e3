// Package child is a dev server child process as its supervisor sees it: how it is started
// with the IPC channel (and, for the embedded runtime, the listening socket) attached, how its
// output is read, how to send it a message and wait for the answer, and how it is stopped. It
// also holds what both runtimes answer while no child serves (WriteNotReady).
package child
