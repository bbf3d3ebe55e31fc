package cluster_test

import (
	"newsfeed/cluster"
	"newsfeed/article"
)

// FetchState is what ingest reads and writes between runs; in an external
// test package, so that ingest may one day import cluster.
var _ article.FetchState = (*cluster.FetchState)(nil)
