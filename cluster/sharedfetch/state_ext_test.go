package sharedfetch_test

import (
	"newsfeed/cluster/sharedfetch"
	"newsfeed/ingest"
)

// State is what ingest reads and writes between runs; in an external
// test package, so that ingest may one day import it.
var _ ingest.FetchState = (*sharedfetch.State)(nil)
