package cluster_test

import (
	"newsfeed/article"
	"newsfeed/cluster"
)

// FetchState is what ingest reads and writes between runs; in an external
// test package, so that ingest may one day import cluster.
var _ article.FetchState = (*cluster.FetchState)(nil)
