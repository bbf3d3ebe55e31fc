package poll

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"newsfeed/article"
	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/record"
	"newsfeed/store"
)

// The store keeps site sources' methods.
var _ SiteStates = (*store.Store)(nil)

// sitePoll polls the site source of addr once at now through a poller
// with state, marking every article handed on as fetched (no article
// stage runs), and returns what it logged and the list errors.
func sitePoll(t *testing.T, st *store.Store, addr string, now time.Time, stale time.Duration) (string, []error) {
	t.Helper()
	c, err := config.Parse([]byte("[[source]]\nname = \"s\"\ntype = \"site\"\nurl = \""+addr+"\"\nevery = \"1m\"\n"), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(addr)
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowAddrs: []netip.AddrPort{ap}, IgnoreRobots: true})
	defer f.Close()
	var log bytes.Buffer
	p := New(Config{Fetcher: f, State: st, Lists: []ListSource{{Source: c.Sources[0]}}, Stale: stale,
		Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&log, nil))})
	ctx := context.Background()
	if err := p.Load(ctx); err != nil {
		t.Fatal(err)
	}
	var errs []error
	p.Run(ctx, nil, Sink{
		Work: func(ctx context.Context, w article.Work) error {
			return st.PutURLStates(ctx, []record.URLState{{URL: w.URL, Source: w.Source, FirstFetched: now, LastFetched: now}})
		},
		Failed: func(_ context.Context, err error, _ bool) { errs = append(errs, err) },
	})
	if err := p.Save(ctx, true); err != nil {
		t.Fatal(err)
	}
	return log.String(), errs
}

// A site method that gives nothing new for Stale, over StalePolls polls,
// is discovered again after the poll: the same feed is found, logged as
// unchanged, and the next polls read the feed alone until it is stale
// again.
func TestSite_StaleMethodDiscoveredAgain(t *testing.T) {
	site, _ := testsite.FeedSite(t)
	st := storetest.Open(t, store.Options{NoSync: true})
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var seen int
	requests := func() []string {
		r := site.Requests()
		defer func() { seen = len(r) }()
		return r[seen:]
	}
	for i, want := range []struct {
		discovers bool
		log       string
	}{
		{true, "site s: method feed " + site.URL("/feeds/news.xml")},
		{false, ""}, {false, ""},
		{true, "site s: method feed " + site.URL("/feeds/news.xml") + " unchanged"},
		{false, ""},
	} {
		log, errs := sitePoll(t, st, site.URL("/"), t0.Add(time.Duration(i)*time.Hour), 2*time.Hour)
		got := requests()
		if len(errs) != 0 {
			t.Fatalf("poll %d: %v", i+1, errs)
		}
		// The first poll discovers, then reads the feed; a stale one
		// reads the feed, then discovers.
		if discovered := len(got) > 1; discovered != want.discovers || !slices.Contains(got, "/feeds/news.xml") {
			t.Errorf("poll %d: requests %v; want discovery %v and the feed", i+1, got, want.discovers)
		}
		if want.log != "" && !strings.Contains(log, want.log) {
			t.Errorf("poll %d: log lacks %q:\n%s", i+1, want.log, log)
		}
	}
	states, err := st.SiteStates(context.Background())
	if s := states["s"]; err != nil || !s.Checked.Equal(t0.Add(3*time.Hour)) || !s.LastNew.Equal(t0) || s.Empty != 1 {
		t.Errorf("state kept: %+v, %v", s, err)
	}
}

// A site source whose address changed in the sources file is
// discovered anew: the method kept was found for another address.
func TestSite_AddressChangedDiscoversAgain(t *testing.T) {
	a, _ := testsite.FeedSite(t)
	st := storetest.Open(t, store.Options{NoSync: true})
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, errs := sitePoll(t, st, a.URL("/"), now, 0); len(errs) != 0 {
		t.Fatal(errs)
	}
	n := len(a.Requests())
	if _, errs := sitePoll(t, st, a.URL("/index.html"), now.Add(time.Hour), 0); len(errs) != 1 ||
		!strings.Contains(errs[0].Error(), "source s: discover "+a.URL("/index.html")) {
		t.Fatalf("errors %v: want the new address's discovery failing", errs)
	}
	if got := a.Requests()[n:]; len(got) == 0 || got[0] != "/index.html" {
		t.Errorf("requests %v: want the new address first", got)
	}
}

// A site whose feed answers 503 is down, not redesigned: the poll fails
// as any list's would and the method stays. A feed gone (404) is the
// method broken: the site is discovered again, at once.
func TestSite_OutageKeepsMethodGoneDiscovers(t *testing.T) {
	site, _ := testsite.FeedSite(t)
	st := storetest.Open(t, store.Options{NoSync: true})
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, errs := sitePoll(t, st, site.URL("/"), now, 0); len(errs) != 0 {
		t.Fatal(errs)
	}
	feed := site.URL("/feeds/news.xml")
	site.Set("/feeds/news.xml", testsite.Page{ContentType: "text/plain", Body: "down", Status: 503})
	n := len(site.Requests())
	log, errs := sitePoll(t, st, site.URL("/"), now.Add(time.Hour), 0)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "503") {
		t.Errorf("errors %v: want the feed's 503", errs)
	}
	if got := site.Requests()[n:]; !slices.Equal(got, []string{"/feeds/news.xml"}) || strings.Contains(log, "→") {
		t.Errorf("requests %v, log:\n%s\nwant the feed alone, no discovery", got, log)
	}
	site.Set("/feeds/news.xml", testsite.Page{ContentType: "text/html", Body: "gone", Status: 404})
	log, _ = sitePoll(t, st, site.URL("/"), now.Add(2*time.Hour), 0)
	if want := "site s: method feed " + feed + " → html"; !strings.Contains(log, want) {
		t.Errorf("log lacks %q:\n%s", want, log)
	}
}
