// Package version is medusa-ls's version, set at build time with
// -ldflags "-X github.com/medusa-ls/medusa-ls/version.Version=…".
package version

// Version of this build.
var Version = "0.1.0-dev"
