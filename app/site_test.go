package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"log/slog"

	"newsfeed/config"
	"newsfeed/discover"
	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/poll"
	"newsfeed/store"
)

// changingSite is a hand-made site whose pages a test changes between
// runs (a redesign, an outage); "{{BASE}}" in a body is the site's URL.
// It records the paths requested.
type changingSite struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]testsite.Page
	reqs  []string
}

func newChangingSite(t *testing.T, pages map[string]testsite.Page) *changingSite {
	s := &changingSite{pages: pages}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.URL.Path)
		pg, ok := s.pages[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", pg.ContentType)
		if pg.Status != 0 {
			w.WriteHeader(pg.Status)
		}
		w.Write([]byte(strings.ReplaceAll(pg.Body, "{{BASE}}", s.URL)))
	}))
	t.Cleanup(s.Close)
	return s
}

// set changes pages: a zero Page removes its path.
func (s *changingSite) set(pages map[string]testsite.Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for path, pg := range pages {
		if pg.Body == "" && pg.Status == 0 {
			delete(s.pages, path)
			continue
		}
		s.pages[path] = pg
	}
}

// requests returns the paths requested since the last call.
func (s *changingSite) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reqs
	s.reqs = nil
	return r
}

// feedSitePages are a home page naming a feed of list, the feed, and
// the articles.
func feedSitePages(list []testsite.Headline) map[string]testsite.Page {
	home := strings.Replace(testsite.ListHome(list, nil, "utf-8"), "</head>",
		`<link rel="alternate" type="application/rss+xml" title="要闻" href="/feeds/news.xml"></head>`, 1)
	pages := map[string]testsite.Page{
		"/":               {ContentType: "text/html", Body: home},
		"/feeds/news.xml": {ContentType: "application/rss+xml", Body: testsite.RSS(list)},
	}
	addArticlePages(pages, list)
	return pages
}

func addArticlePages(pages map[string]testsite.Page, list []testsite.Headline) {
	for _, h := range list {
		pages[h.Path] = testsite.Page{ContentType: "text/html", Body: testsite.ArticlePage(h, "utf-8")}
	}
}

// siteRunner runs a sources file of one site source, "daily", against a
// store, an hour later each run, logging into log.
type siteRunner struct {
	t    *testing.T
	s    *store.Store
	site *changingSite
	now  time.Time
	log  bytes.Buffer
}

func (r *siteRunner) run() (Report, []error) {
	r.t.Helper()
	r.now = r.now.Add(time.Hour)
	cfg, err := config.Parse([]byte("[[source]]\nname = \"daily\"\ntype = \"site\"\nurl = \""+r.site.URL+"/\"\nevery = \"10m\"\n"), "f.toml")
	if err != nil {
		r.t.Fatal(err)
	}
	u, _ := url.Parse(r.site.URL)
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		r.t.Fatal(err)
	}
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowAddrs: []netip.AddrPort{ap}, IgnoreRobots: true})
	defer f.Close()
	var errs errorLog
	sum, err := Ingest(context.Background(), r.s, nil, Options{
		Fetcher: f, State: r.s, Lists: []poll.ListSource{{Source: cfg.Sources[0]}},
		Now: func() time.Time { return r.now }, Log: slog.New(slog.NewTextHandler(&r.log, nil)), OnError: errs.add,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return sum, errs.errs
}

// method returns the method stored for "daily".
func (r *siteRunner) method() *discover.Method {
	r.t.Helper()
	states, err := r.s.SiteStates(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	st, ok := states["daily"]
	if !ok || len(st.Method) == 0 {
		return nil
	}
	var m discover.Method
	if err := json.Unmarshal(st.Method, &m); err != nil {
		r.t.Fatal(err)
	}
	return &m
}

// fetched reports whether every headline's article was fetched.
func (r *siteRunner) fetched(list []testsite.Headline) bool {
	r.t.Helper()
	var urls []string
	for _, h := range list {
		urls = append(urls, r.site.URL+h.Path)
	}
	states, err := r.s.URLStates(context.Background(), urls)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, u := range urls {
		if st, ok := states[u]; !ok || st.LastFetched.IsZero() || st.Source != "daily" {
			return false
		}
	}
	return true
}

// A site source with nothing but its address: the first run discovers
// its feed, stores the method and the feed's articles; the second polls
// the feed alone. When the site is redesigned (the feed gone, a new
// list container on the home page), the failing feed makes the next run
// discover the site again, log the change, and fetch the articles of
// the new design; and so again when the list's container is renamed.
func TestRun_SiteSource(t *testing.T) {
	list := testsite.Headlines(10, 0)
	r := &siteRunner{t: t, s: storetest.Open(t, store.Options{NoSync: true}),
		site: newChangingSite(t, feedSitePages(list)), now: time.Now()}

	sum, errs := r.run()
	if sum.New != len(list) || len(errs) != 0 || !r.fetched(list) {
		t.Fatalf("first run: %s; errors %v", sum, errs)
	}
	if m := r.method(); m == nil || m.Kind != config.KindFeed || m.URL != r.site.URL+"/feeds/news.xml" {
		t.Fatalf("method stored: %+v", m)
	}
	first := r.site.requests()
	t.Logf("first run: %d requests, %d of them articles", len(first), len(list))
	if len(first) > len(list)+discover.DefaultMaxRequests+1 {
		t.Errorf("first run: %d requests: %v", len(first), first)
	}
	if !strings.Contains(r.log.String(), "site daily: method feed "+r.site.URL+"/feeds/news.xml") {
		t.Errorf("log lacks the method found:\n%s", r.log.String())
	}

	sum, errs = r.run()
	if got := r.site.requests(); sum.New != 0 || len(errs) != 0 || len(got) != 1 || got[0] != "/feeds/news.xml" {
		t.Fatalf("second run: %s; errors %v; requests %v, want the feed alone", sum, errs, got)
	}

	redesign := testsite.Headlines(8, 300)
	home := strings.ReplaceAll(testsite.ListHome(redesign, nil, "utf-8"), `class="news-list"`, `class="top-stories"`)
	pages := map[string]testsite.Page{"/feeds/news.xml": {}, "/": {ContentType: "text/html", Body: home}}
	addArticlePages(pages, redesign)
	r.site.set(pages)
	r.log.Reset()
	sum, errs = r.run()
	if sum.New != len(redesign) || len(errs) != 0 || !r.fetched(redesign) {
		t.Fatalf("run after the redesign: %s; errors %v", sum, errs)
	}
	m := r.method()
	if m == nil || m.Kind != config.KindHTML || m.URL != r.site.URL+"/" {
		t.Fatalf("method after the redesign: %+v", m)
	}
	if log := r.log.String(); !strings.Contains(log, "site daily: method feed "+r.site.URL+"/feeds/news.xml → html "+r.site.URL+"/") {
		t.Errorf("log lacks the change of method:\n%s", log)
	}
	if n := countArticles(t, r.s); n != len(list)+len(redesign) {
		t.Errorf("%d articles stored, want %d", n, len(list)+len(redesign))
	}

	// The list's container is renamed: the html method finds no link.
	again := testsite.Headlines(6, 400)
	home = strings.ReplaceAll(testsite.ListHome(again, nil, "utf-8"), `class="news-list"`, `class="lead-news"`)
	pages = map[string]testsite.Page{"/": {ContentType: "text/html", Body: home}}
	addArticlePages(pages, again)
	r.site.set(pages)
	r.log.Reset()
	sum, errs = r.run()
	if sum.New != len(again) || len(errs) != 0 || !r.fetched(again) {
		t.Fatalf("run after the second redesign: %s; errors %v", sum, errs)
	}
	if m := r.method(); m == nil || m.Links != "ul.lead-news a" {
		t.Errorf("method after the second redesign: %+v", m)
	}
	if log := r.log.String(); !strings.Contains(log, `links \"ul.top-stories a\"`) || !strings.Contains(log, `→ html `+r.site.URL+`/ links \"ul.lead-news a\"`) ||
		!strings.Contains(log, "no article links") {
		t.Errorf("log lacks the change of container:\n%s", log)
	}
}

// When the method breaks (the feed is gone) and discovery finds nothing
// (the home page is down), the run reports an error naming the source
// and the site, keeps the old method and every article; once the site is
// back, the old method polls it again.
func TestRun_SiteDiscoveryFails(t *testing.T) {
	list := testsite.Headlines(5, 0)
	r := &siteRunner{t: t, s: storetest.Open(t, store.Options{NoSync: true}),
		site: newChangingSite(t, feedSitePages(list)), now: time.Now()}
	if sum, errs := r.run(); sum.New != len(list) || len(errs) != 0 {
		t.Fatalf("first run: %s; errors %v", sum, errs)
	}
	feed := r.method()
	r.site.requests()

	down := testsite.Page{ContentType: "text/html", Body: "<html><body>维护中</body></html>", Status: http.StatusServiceUnavailable}
	saved := feedSitePages(list)
	gone := testsite.Page{ContentType: "text/html", Body: "<html><body>not found</body></html>", Status: http.StatusNotFound}
	r.site.set(map[string]testsite.Page{"/": down, "/feeds/news.xml": gone})
	sum, errs := r.run()
	if len(errs) != 1 || sum.Lists.Failed != 1 {
		t.Fatalf("run while down: %s; errors %v", sum, errs)
	}
	if msg := errs[0].Error(); !strings.Contains(msg, "source daily: ") || !strings.Contains(msg, r.site.URL+"/") ||
		!strings.Contains(msg, "method feed "+r.site.URL+"/feeds/news.xml failed") {
		t.Errorf("error %q: want it to name the source, the site and the method that failed", msg)
	}
	if m := r.method(); !m.Same(feed) {
		t.Errorf("method after a failed discovery: %+v, want the old %+v", m, feed)
	}
	if n := countArticles(t, r.s); n != len(list) {
		t.Errorf("%d articles after the failed run, want %d", n, len(list))
	}

	r.site.set(saved)
	r.site.requests()
	sum, errs = r.run()
	if got := r.site.requests(); len(errs) != 0 || sum.Lists.Polled != 1 || len(got) != 1 || got[0] != "/feeds/news.xml" {
		t.Errorf("run once the site is back: %s; errors %v; requests %v", sum, errs, got)
	}
}

// A site whose first discovery finds nothing is a list error naming the
// source and the address; nothing is stored.
func TestRun_SiteNothingFound(t *testing.T) {
	r := &siteRunner{t: t, s: storetest.Open(t, store.Options{NoSync: true}), now: time.Now(),
		site: newChangingSite(t, map[string]testsite.Page{"/": {ContentType: "text/html", Body: "<html><body><p>hello</p></body></html>"}})}
	sum, errs := r.run()
	if len(errs) != 1 || sum.Lists.Failed != 1 || !strings.Contains(errs[0].Error(), "source daily: discover "+r.site.URL+"/") {
		t.Fatalf("%s; errors %v", sum, errs)
	}
	if m := r.method(); m != nil {
		t.Errorf("a method stored: %+v", m)
	}
}
