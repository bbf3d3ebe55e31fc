package sharedfetch_test

import (
	"newsfeed/cluster/sharedfetch"
	"newsfeed/ingest"
)

// FetchState is what ingest reads and writes between runs; in an external
// test package, so that ingest may one day import it.
var _ ingest.FetchState = (*sharedfetch.FetchState)(nil)
