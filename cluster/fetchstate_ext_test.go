package cluster_test

import (
	"newsfeed/cluster"
	"newsfeed/ingest"
)

// FetchState is what ingest reads and writes between runs; in an external
// test package, so that ingest may one day import cluster.
var _ ingest.FetchState = (*cluster.FetchState)(nil)
