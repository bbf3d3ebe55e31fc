package discover_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"newsfeed/config"
	"newsfeed/discover"
	"newsfeed/fetch"
	"newsfeed/internal/testsite"
	"newsfeed/sources"
)

// discoverOn runs Site on the site's path with a fetcher allowed to
// reach it alone, and checks the requests stay within eight.
func discoverOn(t *testing.T, site *testsite.Pages, path string) (*discover.Result, error) {
	t.Helper()
	tap := discover.NewRobotsTap(nil)
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, Robots: tap,
		AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort(site.Listener.Addr().String())}})
	defer f.Close()
	start := time.Now()
	res, err := discover.Site(context.Background(), f, site.URL(path), discover.Options{Robots: tap})
	t.Logf("discover %s: %v, %d requests: %v", path, time.Since(start).Round(time.Millisecond), len(site.Requests()), site.Requests())
	if n := len(site.Requests()); n > 8 {
		t.Errorf("%d requests, want at most 8: %v", n, site.Requests())
	}
	if res != nil && res.Requests != len(site.Requests()) {
		t.Errorf("Result.Requests = %d, the site saw %d", res.Requests, len(site.Requests()))
	}
	return res, err
}

// urls returns the articles' URLs.
func urls(ls []discover.Link) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.URL)
	}
	return out
}

// want returns the headlines' URLs on the site.
func want(site *testsite.Pages, hs []testsite.Headline) []string {
	var out []string
	for _, h := range hs {
		out = append(out, site.URL(h.Path))
	}
	return out
}

func TestDiscoverFeedLink(t *testing.T) {
	site, list := testsite.FeedSite(t)
	res, err := discoverOn(t, site, "/")
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Kind != config.KindFeed || res.Best.URL != site.URL("/feeds/news.xml") {
		t.Fatalf("best = %s %s, want the feed", res.Best.Kind, res.Best.URL)
	}
	if got := urls(res.Best.Articles); !slices.Equal(got, want(site, list)) {
		t.Errorf("articles = %v", got)
	}
	if res.Best.Articles[0].Text != list[0].Title {
		t.Errorf("text = %q, want the item's title", res.Best.Articles[0].Text)
	}
	if !slices.ContainsFunc(res.Alternatives, func(m *discover.Method) bool { return m.Kind == config.KindHTML }) {
		t.Errorf("no html alternative: %+v", res.Alternatives)
	}
}

func TestDiscoverRobotsSitemap(t *testing.T) {
	site, list := testsite.RobotsSitemapSite(t)
	res, err := discoverOn(t, site, "/")
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Kind != config.KindSitemap || res.Best.URL != site.URL("/maps/articles.xml") || res.Best.News {
		t.Fatalf("best = %+v, want the plain sitemap robots.txt names", res.Best)
	}
	if got := urls(res.Best.Articles); !slices.Equal(got, want(site, list)) {
		t.Errorf("articles = %v", got)
	}
	robots := 0
	for _, r := range site.Requests() {
		if r == "/robots.txt" {
			robots++
		}
	}
	if robots != 1 {
		t.Errorf("robots.txt read %d times: %v", robots, site.Requests())
	}
}

func TestDiscoverNewsSitemapPreferred(t *testing.T) {
	site, news := testsite.NewsSitemapSite(t)
	res, err := discoverOn(t, site, "/")
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Kind != config.KindSitemap || !res.Best.News || res.Best.URL != site.URL("/sitemap-news.xml") {
		t.Fatalf("best = %+v, want the news sitemap", res.Best)
	}
	if got := urls(res.Best.Articles); !slices.Equal(got, want(site, news)) {
		t.Errorf("articles = %v", got)
	}
	if slices.Contains(site.Requests(), "/sitemap-pages.xml") {
		t.Errorf("read the plain sitemap too: %v", site.Requests())
	}
}

func TestDiscoverHeadlineList(t *testing.T) {
	for _, gbk := range []bool{false, true} {
		name := "utf-8"
		if gbk {
			name = "gbk"
		}
		t.Run(name, func(t *testing.T) {
			site, list, _ := testsite.ListSite(t, gbk)
			res, err := discoverOn(t, site, "/")
			if err != nil {
				t.Fatal(err)
			}
			checkHeadlines(t, site, res, list)
		})
	}
}

// checkHeadlines checks the best method is the home page's headline list,
// and that sources.Discover with its source finds those links alone.
func checkHeadlines(t *testing.T, site *testsite.Pages, res *discover.Result, list []testsite.Headline) {
	t.Helper()
	m := res.Best
	if m.Kind != config.KindHTML || m.URL != site.URL("/") {
		t.Fatalf("best = %+v, want the home page's list", m)
	}
	if got := urls(m.Articles); !slices.Equal(got, want(site, list)) {
		t.Fatalf("articles = %v\nwant %v\n(links %q, pattern %q)", got, want(site, list), m.Links, m.Pattern)
	}
	if m.Articles[3].Text != list[3].Title {
		t.Errorf("text = %q, want %q", m.Articles[3].Text, list[3].Title)
	}
	if m.Links == "" || m.Pattern == "" {
		t.Errorf("links %q, pattern %q: want both (the hot box shares the URL shape)", m.Links, m.Pattern)
	}
	t.Logf("found %s:\n%s", m.Found, m.Block("home"))
	src, err := res.Source("home")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(site.URL("/"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	l, err := sources.Discover(src, body, site.URL("/"), resp.Header.Get("Content-Type"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, lk := range l.Links {
		got = append(got, lk.URL)
	}
	if !slices.Equal(got, want(site, list)) {
		t.Errorf("sources.Discover with\n%s\nfinds %v", m.Block("home"), got)
	}
}

func TestDiscoverBrokenFeed(t *testing.T) {
	site, list := testsite.BrokenFeedSite(t)
	res, err := discoverOn(t, site, "/")
	if err != nil {
		t.Fatal(err)
	}
	checkHeadlines(t, site, res, list)
	var refused []string
	for _, a := range res.Tried {
		if a.What == "feed" && a.Err != nil {
			refused = append(refused, a.URL)
		}
	}
	if !slices.Contains(refused, site.URL("/rss/latest.xml")) || !slices.Contains(refused, site.URL("/old/rss2.xml")) {
		t.Errorf("feeds refused: %v, want the broken link and the gone one", refused)
	}
}

func TestDiscoverBudget(t *testing.T) {
	site, _, _ := testsite.ListSite(t, false)
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1,
		AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort(site.Listener.Addr().String())}})
	defer f.Close()
	res, err := discover.Site(context.Background(), f, site.URL("/"), discover.Options{MaxRequests: 2})
	if err != nil {
		t.Fatal(err) // the page's own links need no request
	}
	if res.Requests != 2 || len(site.Requests()) != 3 { // robots.txt, read by the fetcher without a tap
		t.Errorf("requests: Site says %d, the site saw %v", res.Requests, site.Requests())
	}
	if res.Best.Kind != config.KindHTML {
		t.Errorf("best = %+v", res.Best)
	}
}

func TestDiscoverRobotsDisallowsPage(t *testing.T) {
	site, _, _ := testsite.ListSite(t, false)
	_, err := discoverOn(t, site, "/private/list.html")
	if !errors.Is(err, fetch.ErrRobots) {
		t.Fatalf("err = %v, want ErrRobots", err)
	}
	if slices.Contains(site.Requests(), "/private/list.html") {
		t.Errorf("fetched the disallowed page: %v", site.Requests())
	}
}

func TestDiscoverPrivateRefused(t *testing.T) {
	site, _, _ := testsite.ListSite(t, false)
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1})
	defer f.Close()
	_, err := discover.Site(context.Background(), f, site.URL("/"), discover.Options{})
	if !errors.Is(err, fetch.ErrPrivateAddress) {
		t.Fatalf("err = %v, want ErrPrivateAddress", err)
	}
	if n := len(site.Requests()); n != 0 {
		t.Errorf("the site saw %d requests", n)
	}
}

func TestDiscoverNothing(t *testing.T) {
	site := testsite.NewPages(t, map[string]testsite.Page{
		"/": {ContentType: "text/html", Body: `<html><body><a href="/about">关于</a></body></html>`},
	})
	res, err := discoverOn(t, site, "/")
	if !errors.Is(err, discover.ErrNothing) {
		t.Fatalf("err = %v, want ErrNothing", err)
	}
	if res == nil || len(res.Tried) == 0 {
		t.Errorf("result = %+v, want the candidates tried", res)
	}
}

func TestQuoteAndName(t *testing.T) {
	for in, want := range map[string]string{
		`^https?://x\.org/\d+$`: `'^https?://x\.org/\d+$'`,
		`a[href="x"]`:           `'a[href="x"]'`,
		`it's`:                  `"it's"`,
		"a\tb":                  `"a\u0009b"`,
	} {
		if got := discover.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := discover.Name("https://www.Example.org/world/europe/"); got != "example.org-world-europe" {
		t.Errorf("Name = %q", got)
	}
}

// TestDiscoverSectionPage: a section page whose items each hold a
// picture link and a title link to the article, and a link to the
// author; the articles' paths mix numeric ids and slugs; a sidebar lists
// related articles of the same shapes.
func TestDiscoverSectionPage(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html><head><title>World</title></head><body><div id="top"><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></div>
<div id="content"><div class="article-list">`)
	var want []string
	for i := range 12 {
		p := fmt.Sprintf("/world/%d", 7000000+i)
		if i%3 == 0 {
			p = fmt.Sprintf("/world/leaders-meet-to-discuss-the-future-of-trade-%d", i)
		}
		want = append(want, p)
		fmt.Fprintf(&b, `<div class="item"><a class="pic" href="%s"><img src="/i/%d.jpg" alt=""></a><h3><a href="%s">Leaders meet in the capital to discuss trade, part %d</a></h3><p class="meta"><a href="/author/jane-doe">Jane Doe</a> · <a href="%s#comments">12 comments</a></p></div>`+"\n", p, i, p, i, p)
	}
	b.WriteString(`</div><div class="pager"><a href="/world?page=2">2</a><a href="/world?page=3">3</a><a href="/world?page=4">Next</a></div></div>
<aside class="sidebar"><h3>Related</h3><ul>`)
	for i := range 5 {
		fmt.Fprintf(&b, `<li><a href="/world/%d">An older story about the economy, number %d</a></li>`, 6000000+i, i)
	}
	b.WriteString(`</ul></aside><footer><a href="/about">About us</a> <a href="/terms">Terms of use</a></footer></body></html>`)
	site := testsite.NewPages(t, map[string]testsite.Page{"/world": {ContentType: "text/html; charset=utf-8", Body: b.String()}})
	res, err := discoverOn(t, site, "/world")
	if err != nil {
		t.Fatal(err)
	}
	m := res.Best
	t.Logf("%s\n%s", m.Found, m.Block("world"))
	for i := range want {
		want[i] = site.URL(want[i])
	}
	if got := urls(m.Articles); m.Kind != config.KindHTML || !slices.Equal(got, want) {
		t.Errorf("found %v\nwant %v", got, want)
	}
}

func TestMethodJSON(t *testing.T) {
	m := &discover.Method{Kind: config.KindHTML, URL: "https://example.org/world", Links: "ul.list a", Pattern: `^https?://example\.org/\d+$`,
		Articles: []discover.Link{{URL: "https://example.org/1"}}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"kind":"html","url":"https://example.org/world","links":"ul.list a","pattern":"^https?://example\\.org/\\d+$"}` {
		t.Errorf("json: %s", b)
	}
	src, err := m.Source("world")
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind != config.KindHTML || src.Links.String() != m.Links || src.Pattern.String() != m.Pattern || src.Name != "world" {
		t.Errorf("source: %+v", src)
	}
}

// TestDiscoverFeedByLinkText: the page names its feed only in an <a>'s
// text, at a path that says nothing; the index's newest child sitemap
// is the one read.
func TestDiscoverFeedByLinkText(t *testing.T) {
	list := testsite.Headlines(5, 0)
	site := testsite.NewPages(t, map[string]testsite.Page{
		"/":            {ContentType: "text/html", Body: `<html><body><p><a href="/subscribe/x">RSS 订阅</a></p></body></html>`},
		"/subscribe/x": {ContentType: "application/xml", Body: testsite.RSS(list)},
		"/robots.txt":  {Body: "Sitemap: {{BASE}}/sitemaps.xml\n"},
		"/sitemaps.xml": {ContentType: "application/xml", Body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{{BASE}}/sm-2025-11.xml</loc><lastmod>2025-11-30</lastmod></sitemap>
<sitemap><loc>{{BASE}}/sm-2025-12.xml</loc><lastmod>2025-12-09</lastmod></sitemap></sitemapindex>`},
		"/sm-2025-12.xml": {ContentType: "application/xml", Body: testsite.Sitemap([]string{list[0].Path}, false)},
	})
	res, err := discoverOn(t, site, "/")
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Kind != config.KindFeed || res.Best.URL != site.URL("/subscribe/x") || len(res.Best.Articles) != 5 {
		t.Errorf("best = %+v", res.Best)
	}
	if len(res.Alternatives) != 1 || res.Alternatives[0].URL != site.URL("/sm-2025-12.xml") {
		t.Errorf("alternatives = %+v", res.Alternatives)
	}
}

// TestDiscoverTestsite: the guancha-like test site names no feed, but
// serves one at a well-known path, and a news sitemap; its section page
// is a list too.
func TestDiscoverTestsite(t *testing.T) {
	site := testsite.New(t, 12)
	tap := discover.NewRobotsTap(nil)
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, Robots: tap,
		AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort(site.Listener.Addr().String())}})
	defer f.Close()
	res, err := discover.Site(context.Background(), f, site.URL(testsite.SectionPath), discover.Options{Robots: tap})
	if err != nil {
		t.Fatal(err)
	}
	if n := site.Stats().Requests; n > 8 || n != res.Requests {
		t.Errorf("%d requests, Site counted %d", n, res.Requests)
	}
	if res.Best.Kind != config.KindFeed || res.Best.URL != site.URL(testsite.FeedPath) || len(res.Best.Articles) != 12 {
		t.Fatalf("best = %+v", res.Best)
	}
	var kinds []string
	for _, m := range res.Alternatives {
		kinds = append(kinds, string(m.Kind))
		if len(m.Articles) != 12 {
			t.Errorf("%s gives %d articles", m.Found, len(m.Articles))
		}
		if m.Kind == config.KindSitemap && !m.News {
			t.Errorf("the sitemap is a news sitemap")
		}
	}
	if !slices.Equal(kinds, []string{"sitemap", "html"}) {
		t.Errorf("alternatives %v", kinds)
	}
}

func TestMethodSame(t *testing.T) {
	a := &discover.Method{Kind: config.KindHTML, URL: "https://x.org/", Links: "ul a", Found: "x"}
	b := *a
	b.Found, b.Score = "y", 2
	if !a.Same(&b) {
		t.Error("not the same")
	}
	b.Links = "ol a"
	if a.Same(&b) || a.Same(nil) || !(*discover.Method)(nil).Same(nil) {
		t.Error("the same")
	}
}
