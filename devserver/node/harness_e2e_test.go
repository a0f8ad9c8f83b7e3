//go:build unix

package node_test

import (
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/devserver/devtest"
)

// The tests of this package named *_e2e_test.go run the real Medusa project
// (internal/medusafixture) with the node runtime, under a real supervisor (devserver/devtest):
// a package of their own, so that go test runs them beside devserver's.

// TestMain builds the medusa-ls binary the children run (devtest.Main).
func TestMain(m *testing.M) { devtest.Main(m) }

// dev is devtest's dev server, with these tests' own helpers as methods.
type dev struct{ *devtest.Dev }

// runDev runs a supervisor on the project in root until the test ends (devtest.Run).
func runDev(t *testing.T, root string, configure func(*devserver.Options)) *dev {
	t.Helper()
	return &dev{devtest.Run(t, root, configure)}
}

const waitFor = devtest.WaitFor

var (
	writeFile = devtest.WriteFile
	routeTS   = devtest.RouteTS
	get       = devtest.Get
	childPIDs = devtest.ChildPIDs
	notReady  = devtest.NotReady
	load      = devtest.Load
	cutMarker = devtest.CutMarker
)
