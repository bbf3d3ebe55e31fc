package sharedfetch

import (
	"newsfeed/cluster/internal/clustertest"
)

// The shared helpers of the cluster tests, by the names these tests use.
var (
	newConn       = clustertest.NewConn
	connect       = clustertest.Connect
	connectPlaced = clustertest.ConnectPlaced
	waitFor       = clustertest.WaitFor
)
