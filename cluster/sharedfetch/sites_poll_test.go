package sharedfetch

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"testing"
	"time"

	"newsfeed/article"
	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/internal/natstest"
	"newsfeed/internal/testsite"
	"newsfeed/poll"
	"newsfeed/record"
)

// The shared fetch state keeps site sources' methods.
var _ poll.SiteStates = (*State)(nil)

// A schedule's poll of a site source keeps the method it discovered in
// the shared fetch state, and the next schedule's poll, on another
// connection, reads the feed alone.
func TestState_SiteSourcePolledAcrossSchedulers(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	site, list := testsite.FeedSite(t)
	c, err := config.Parse([]byte("[[source]]\nname = \"s\"\ntype = \"site\"\nurl = \""+site.URL("/")+"\"\n"), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(site.URL("/"))
	ap := netip.MustParseAddrPort(u.Host)
	now := time.Now()
	schedule := func() []string {
		st := newState(t, connect(t, srv.ClientURL()))
		f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowAddrs: []netip.AddrPort{ap}, IgnoreRobots: true})
		defer f.Close()
		p := poll.New(poll.Config{Fetcher: f, State: st, Lists: []poll.ListSource{{Source: c.Sources[0]}},
			Now: func() time.Time { return now }})
		if err := p.Load(ctx); err != nil {
			t.Fatal(err)
		}
		var queued []string
		p.Run(ctx, nil, poll.Sink{
			Work: func(ctx context.Context, w article.Work) error {
				queued = append(queued, w.URL)
				return st.PutURLStates(ctx, []record.URLState{{URL: w.URL, Source: w.Source, FirstFetched: now, LastFetched: now}})
			},
			Failed: func(_ context.Context, err error, _ bool) { t.Error(err) },
		})
		if err := p.Save(ctx, true); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		return queued
	}
	if queued := schedule(); len(queued) != len(list) {
		t.Fatalf("first schedule queued %d articles, want %d", len(queued), len(list))
	}
	n := len(site.Requests())
	if queued := schedule(); len(queued) != 0 {
		t.Errorf("second schedule queued %v", queued)
	}
	if got := site.Requests()[n:]; !slices.Equal(got, []string{"/feeds/news.xml"}) {
		t.Errorf("second schedule's requests %v, want the feed alone", got)
	}
}
