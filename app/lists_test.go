package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/poll"
	"newsfeed/store"
)

// listRun runs the lists of sourcesTOML (SITE stands for site's address)
// against s, with a fetcher allowed to reach site alone.
func listRun(t *testing.T, s *store.Store, site *testsite.Site, sourcesTOML string) (Report, []error) {
	t.Helper()
	c := strings.ReplaceAll(sourcesTOML, "SITE", site.URL(""))
	cfg, err := parseSources(c)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(site.URL(""))
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowAddrs: []netip.AddrPort{ap}, IgnoreRobots: true})
	defer f.Close()
	var lists []poll.ListSource
	for _, s := range cfg {
		lists = append(lists, poll.ListSource{Source: s})
	}
	var errs []error
	sum, err := Ingest(context.Background(), s, nil, Options{
		Fetcher: f, State: s, Lists: lists, Profiles: siteProfiles(t),
		OnError: func(err error) { errs = append(errs, err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, errs
}

// A list page may link anywhere; its links to loopback or private
// addresses other than the ones allowed are refused, and nothing reaches
// them.
func TestRun_ListLinksToPrivateAddressesRefused(t *testing.T) {
	list, victim := testsite.New(t, 1), testsite.New(t, 2)
	list.Handle("/hostile", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<html><body><a href="%s">a</a> <a href="%s">b</a> <a href="%s">ours</a></body></html>`,
			victim.ArticleURL(0), victim.ArticleURL(1), list.ArticleURL(0))
	})
	s := storetest.Open(t, store.Options{NoSync: true})
	sum, errs := listRun(t, s, list, "[[source]]\nname = \"hostile\"\nhtml = \"SITE/hostile\"\npattern = \"shtml$\"\n")
	if sum.New != 1 || sum.Failed != 2 || len(errs) != 2 {
		t.Errorf("%s; errors %v", sum, errs)
	}
	for _, err := range errs {
		if !errors.Is(err, fetch.ErrPrivateAddress) || !strings.Contains(err.Error(), "source hostile: ") {
			t.Errorf("error %v: want ErrPrivateAddress naming the source", err)
		}
	}
	if n := len(victim.Requests()); n != 0 {
		t.Errorf("%d requests reached the private address", n)
	}
}

// A sitemap index's sitemaps are read, and their articles fetched.
func TestRun_SitemapIndex(t *testing.T) {
	site := testsite.New(t, 3)
	site.Handle("/sitemap_index.xml", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%s</loc><lastmod>2025-12-09</lastmod></sitemap><sitemap><loc>/missing.xml</loc></sitemap></sitemapindex>`,
			site.URL(testsite.SitemapPath))
	})
	s := storetest.Open(t, store.Options{NoSync: true})
	sum, errs := listRun(t, s, site, "[[source]]\nname = \"idx\"\nsitemap = \"SITE/sitemap_index.xml\"\n")
	if sum.New != 3 || sum.Lists.Failed != 1 || sum.OK() || len(errs) != 1 || !strings.Contains(errs[0].Error(), "missing.xml") {
		t.Errorf("%s; errors %v", sum, errs)
	}
}

// max_articles caps the articles of a run; the list is then read whole
// again (not answered 304), and the next run fetches the rest.
func TestRun_MaxArticles(t *testing.T) {
	site := testsite.New(t, 5)
	s := storetest.Open(t, store.Options{NoSync: true})
	const src = "[[source]]\nname = \"section\"\nhtml = \"SITE/internation\"\nmax_articles = 3\nevery = \"1ns\"\n"
	sum, errs := listRun(t, s, site, src)
	if sum.New != 3 || len(errs) != 0 {
		t.Fatalf("first run: %s %v", sum, errs)
	}
	sum, _ = listRun(t, s, site, src)
	if sum.New != 2 || sum.Fetch.NotModified != 0 {
		t.Errorf("second run: %s", sum)
	}
	sum, _ = listRun(t, s, site, src)
	if sum.Read != 0 || sum.Fetch.NotModified != 1 {
		t.Errorf("third run: %s", sum)
	}
}

// A feed item updated after the article was fetched is fetched again.
func TestRun_FeedUpdated(t *testing.T) {
	site := testsite.New(t, 2)
	updated := time.Now().Add(-time.Hour)
	site.Handle("/atom.xml", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>tag:t</id><updated>%[3]s</updated>
<entry><title>a</title><id>tag:a</id><link href="%[1]s"/><updated>%[3]s</updated></entry>
<entry><title>b</title><id>tag:b</id><link href="%[2]s"/><updated>2020-01-01T00:00:00Z</updated></entry></feed>`,
			site.ArticleURL(0), site.ArticleURL(1), updated.UTC().Format(time.RFC3339))
	})
	s := storetest.Open(t, store.Options{NoSync: true})
	const src = "[[source]]\nfeed = \"SITE/atom.xml\"\nevery = \"1ns\"\n"
	if sum, errs := listRun(t, s, site, src); sum.New != 2 || len(errs) != 0 {
		t.Fatalf("first run: %s %v", sum, errs)
	}
	if sum, _ := listRun(t, s, site, src); sum.Read != 0 {
		t.Errorf("second run, nothing updated: %s", sum)
	}
	updated = time.Now().Add(time.Hour)
	site.Edit(0, "更新的一段。")
	sum, _ := listRun(t, s, site, src)
	if sum.Changed != 1 || sum.Read != 1 {
		t.Errorf("third run, one entry updated: %s", sum)
	}
}

// parseSources reads the sources of a sources-file text.
func parseSources(text string) ([]*config.Source, error) {
	c, err := config.Parse([]byte(text), "test.toml")
	if err != nil {
		return nil, err
	}
	return c.Sources, nil
}

// An article robots.txt disallows is not fetched and is no failure: the
// summary counts it among the robots refusals.
func TestRun_RobotsDisallowIsNoFailure(t *testing.T) {
	site := testsite.New(t, 3)
	disallowed := strings.TrimPrefix(site.ArticleURL(1), site.URL(""))
	site.Handle("/robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: %s\n", disallowed)
	})
	s := storetest.Open(t, store.Options{NoSync: true})
	u, _ := url.Parse(site.URL(""))
	ap, _ := netip.ParseAddrPort(u.Host)
	f := fetch.New(fetch.Config{Delay: -1, AllowAddrs: []netip.AddrPort{ap}})
	defer f.Close()
	cfg, _ := parseSources(strings.ReplaceAll("[[source]]\nhtml = \"SITE/internation\"\n", "SITE", site.URL("")))
	sum, err := Ingest(context.Background(), s, nil, Options{Fetcher: f, State: s, Lists: []poll.ListSource{{Source: cfg[0]}},
		Profiles: siteProfiles(t), OnError: func(err error) { t.Error(err) }})
	if err != nil || sum.New != 2 || sum.Failed != 0 || !sum.OK() || sum.Fetch.RobotsRefused != 1 {
		t.Errorf("%s, %v", sum, err)
	}
	for _, r := range site.Requests() {
		if r.Path == disallowed {
			t.Errorf("the disallowed article was fetched")
		}
	}
}

// A run interrupted part way keeps no list validators: the next run reads
// the list whole and fetches the articles the first did not reach.
func TestRun_InterruptedRunKeepsNoListValidators(t *testing.T) {
	site := testsite.New(t, 6)
	site.SetLatency(20 * time.Millisecond)
	s := storetest.Open(t, store.Options{NoSync: true})
	cfg, _ := parseSources(strings.ReplaceAll("[[source]]\nhtml = \"SITE/internation\"\n", "SITE", site.URL("")))
	run := func(ctx context.Context, cancel func()) Report {
		f := fetch.New(fetch.Config{PerHost: 1, Delay: -1, AllowPrivate: true, IgnoreRobots: true})
		defer f.Close()
		var fetched atomic.Int32
		sum, err := Ingest(ctx, s, nil, Options{Fetcher: f, State: s, Lists: []poll.ListSource{{Source: cfg[0]}},
			Profiles: siteProfiles(t), OnFetch: func() { // called from the fetchers
				if fetched.Add(1) == 2 && cancel != nil {
					cancel()
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	ctx, cancel := context.WithCancel(context.Background())
	first := run(ctx, cancel)
	if !first.Interrupted || first.New >= 6 {
		t.Fatalf("first run not interrupted: %s", first)
	}
	second := run(context.Background(), nil)
	if first.New+second.New != 6 || second.Fetch.NotModified != 0 {
		t.Errorf("first %s\nsecond %s", first, second)
	}
}
