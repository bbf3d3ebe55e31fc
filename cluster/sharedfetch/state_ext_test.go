package sharedfetch_test

import (
	"newsfeed/article"
	"newsfeed/cluster/sharedfetch"
)

// State is what the poll and article stages read and write between runs;
// in an external test package, so that article may one day import it.
var _ article.FetchState = (*sharedfetch.State)(nil)
