//go:build unix

package devserver_test

import (
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver/devtest"
)

// TestMain builds the medusa-ls binary the children run (devtest.Main).
func TestMain(m *testing.M) { devtest.Main(m) }

// The harness is devtest's, under the names these tests have always used.
type dev = devtest.Dev

const (
	waitFor     = devtest.WaitFor
	storeConfig = devtest.StoreConfig
)

var (
	startDev    = devtest.Start
	startDevAt  = devtest.StartAt
	runDev      = devtest.Run
	writeFile   = devtest.WriteFile
	routeTS     = devtest.RouteTS
	get         = devtest.Get
	storeClient = devtest.StoreClient
	childPIDs   = devtest.ChildPIDs
	notReady    = devtest.NotReady
	load        = devtest.Load
	cutMarker   = devtest.CutMarker
)
