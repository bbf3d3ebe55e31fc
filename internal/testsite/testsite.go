// Package testsite is a news site for tests and benchmarks: an
// httptest.Server on 127.0.0.1 with a section page, an RSS feed, a news
// sitemap and articles in guancha.cn's markup, which counts every request
// it receives and can be changed while it runs (edit or add an article,
// change how it answers conditional requests, add latency, serve GBK).
//
//	site := testsite.New(t, 20)
//	site.URL("/internation")      // the section page
//	site.Edit(3, "a new paragraph") // article 3 changes: new body, new validators
//	site.Stats().NotModified
//
// Its profile (ProfileText) is the built-in guancha.cn profile under the
// host 127.0.0.1, with a links key for the section page.
package testsite

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Validators says how the site answers conditional requests.
type Validators int

// The site's behaviours towards validators.
const (
	// Both: ETag and Last-Modified on every answer; a request whose
	// If-None-Match is the current ETag (or, without If-None-Match, whose
	// If-Modified-Since is the Last-Modified) gets a 304.
	Both Validators = iota
	// ChangingETag: a new ETag on every answer (304s included), the same
	// Last-Modified; only the ETag sent last is accepted, so a client
	// that kept an older one gets the whole page again.
	ChangingETag
	// LastModifiedOnly: no ETag; If-Modified-Since as for Both.
	LastModifiedOnly
	// NoValidators: neither header; always 200.
	NoValidators
	// IgnoreValidators: both headers, but always 200 with the whole page.
	IgnoreValidators
)

// Paths of the site's list pages.
const (
	SectionPath = "/internation"
	FeedPath    = "/rss.xml"
	SitemapPath = "/sitemap.xml"
)

// Request is what the site recorded of one request.
type Request struct {
	Path                         string
	IfNoneMatch, IfModifiedSince string
	UserAgent                    string
}

// Stats counts what the site answered.
type Stats struct {
	Requests, Articles, Conditional, NotModified int
	// MaxInFlight is the most requests the site was answering at once.
	MaxInFlight int
}

// Site is a running test site. Its methods are safe for concurrent use.
type Site struct {
	*httptest.Server

	mu          sync.Mutex
	articles    []*article
	mode        Validators
	latency     time.Duration
	gbk         bool
	handlers    map[string]http.HandlerFunc
	requests    []Request
	stats       Stats
	inFlight    int
	etagCounter int
	lastETag    map[string]string
	start       time.Time
	// gen counts the changes to the site; cache holds pages rendered at
	// a generation.
	gen   int
	cache map[string]rendered
	// Base is the first article's publication time: the hour n hours
	// before New was called. Article i is published i hours later.
	Base time.Time
}

type article struct {
	path    string
	title   string
	date    time.Time
	extra   []string
	version int
	changed time.Time
	// gone: removed from the site; its page answers 404.
	gone bool
}

// beijing is the zone of the site's times.
var beijing = time.FixedZone("CST", 8*3600)

// New starts a site with n articles; tb's cleanup closes it.
func New(tb testing.TB, n int) *Site {
	now := time.Now().In(beijing).Truncate(time.Hour)
	s := &Site{handlers: map[string]http.HandlerFunc{}, lastETag: map[string]string{}, cache: map[string]rendered{},
		start: now.UTC(), Base: now.Add(-time.Duration(n) * time.Hour)}
	for range n {
		s.addLocked()
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *Site) addLocked() *article {
	s.gen++
	i := len(s.articles)
	d := s.Base.Add(time.Duration(i) * time.Hour)
	a := &article{
		path:    fmt.Sprintf("/internation/%s_%06d.shtml", d.Format("2006_01_02"), i),
		title:   fmt.Sprintf("测试新闻第%d篇:观察者网的一篇报道", i),
		date:    d,
		changed: s.start,
	}
	s.articles = append(s.articles, a)
	return a
}

// Add adds an article, the newest, and returns its index.
func (s *Site) Add() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked().changed = s.start.Add(time.Duration(len(s.articles)) * time.Minute)
	return len(s.articles) - 1
}

// Edit appends a paragraph to article i: its body, ETag and Last-Modified
// change.
func (s *Site) Edit(i int, paragraph string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	a := s.articles[i]
	a.extra = append(a.extra, paragraph)
	a.version++
	a.changed = a.changed.Add(time.Hour)
}

// SetDate moves article i's publication date (its path changes with it,
// as guancha.cn's paths hold the date).
func (s *Site) SetDate(i int, d time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	a := s.articles[i]
	a.date = d.In(beijing)
	a.path = fmt.Sprintf("/internation/%s_%06d.shtml", a.date.Format("2006_01_02"), i)
}

// Remove takes article i off the site: the lists no longer show it and
// its page answers 404. Its index is not reused.
func (s *Site) Remove(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	a := s.articles[i]
	a.gone = true
	delete(s.cache, a.path)
}

// SetValidators sets how the site answers conditional requests.
func (s *Site) SetValidators(v Validators) { s.mu.Lock(); s.mode = v; s.mu.Unlock() }

// SetLatency delays every answer by d.
func (s *Site) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetGBK serves articles in GBK, with the charset only in the
// Content-Type header (no <meta>).
func (s *Site) SetGBK(on bool) { s.mu.Lock(); s.gbk = on; s.gen++; s.mu.Unlock() }

// Handle answers path with h instead of the site's own page (robots.txt,
// errors, redirects).
func (s *Site) Handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[path] = h
}

// URL returns the absolute URL of path on the site.
func (s *Site) URL(path string) string { return s.Server.URL + path }

// ArticleURL returns article i's URL.
func (s *Site) ArticleURL(i int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Server.URL + s.articles[i].path
}

// Len returns the number of articles.
func (s *Site) Len() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.articles) }

// Stats returns the counts so far.
func (s *Site) Stats() Stats { s.mu.Lock(); defer s.mu.Unlock(); return s.stats }

// Requests returns every request received so far, in order.
func (s *Site) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the requests and counts so far.
func (s *Site) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.stats = nil, Stats{}
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	req := Request{Path: r.URL.Path, IfNoneMatch: r.Header.Get("If-None-Match"),
		IfModifiedSince: r.Header.Get("If-Modified-Since"), UserAgent: r.UserAgent()}
	s.requests = append(s.requests, req)
	s.stats.Requests++
	if req.IfNoneMatch != "" || req.IfModifiedSince != "" {
		s.stats.Conditional++
	}
	s.inFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
	latency, h := s.latency, s.handlers[r.URL.Path]
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if h != nil {
		h(w, r)
		return
	}
	s.mu.Lock()
	body, ctype, changed, found := s.render(r.URL.Path)
	if !found {
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	notModified := s.validate(w, r, req, changed, body)
	if notModified {
		s.stats.NotModified++
	}
	s.mu.Unlock()
	// Written without the lock, so that answers go out in parallel.
	if notModified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// rendered is a page as last rendered, valid while the site's generation
// is gen.
type rendered struct {
	gen   int
	body  []byte
	ctype string
}

// render returns the page at path and when it last changed, rendering it
// only when the site changed since it was last rendered, as a real site
// serves from its cache: the site's own work stays small beside its
// client's. s.mu is held.
func (s *Site) render(path string) (body []byte, ctype string, changed time.Time, found bool) {
	var a *article
	changed = s.start
	switch path {
	case SectionPath, FeedPath, SitemapPath:
		// A list changes with the site: a second a generation, so that
		// its validators change even when its length does not.
		changed = s.start.Add(time.Duration(s.gen) * time.Second)
	default:
		if a = s.find(path); a == nil {
			return nil, "", changed, false
		}
		s.stats.Articles++
		changed = a.changed
	}
	if c, ok := s.cache[path]; ok && c.gen == s.gen {
		return c.body, c.ctype, changed, true
	}
	switch path {
	case SectionPath:
		body, ctype = []byte(s.section()), "text/html; charset=utf-8"
	case FeedPath:
		body, ctype = []byte(s.feed()), "application/rss+xml; charset=utf-8"
	case SitemapPath:
		body, ctype = []byte(s.sitemap()), "application/xml; charset=utf-8"
	default:
		body, ctype = []byte(s.page(a)), "text/html; charset=utf-8"
		if s.gbk {
			// Characters GBK lacks become character references.
			body, _ = encoding.HTMLEscapeUnsupported(simplifiedchinese.GBK.NewEncoder()).Bytes(body)
			ctype = "text/html; charset=gbk"
		}
	}
	s.cache[path] = rendered{gen: s.gen, body: body, ctype: ctype}
	return body, ctype, changed, true
}

// validate sets the validator headers of the mode and reports whether the
// request's validators match, for a 304.
func (s *Site) validate(w http.ResponseWriter, r *http.Request, req Request, changed time.Time, body []byte) bool {
	lm := changed.UTC().Format(http.TimeFormat)
	etag := fmt.Sprintf(`"%x-%d"`, changed.Unix(), len(body))
	switch s.mode {
	case NoValidators:
		return false
	case LastModifiedOnly:
		w.Header().Set("Last-Modified", lm)
		return req.IfModifiedSince == lm
	case ChangingETag:
		s.etagCounter++
		prev, fresh := s.lastETag[r.URL.Path], fmt.Sprintf(`"%x-%d-%d"`, changed.Unix(), len(body), s.etagCounter)
		s.lastETag[r.URL.Path] = fresh
		w.Header().Set("ETag", fresh)
		w.Header().Set("Last-Modified", lm)
		return req.IfNoneMatch != "" && req.IfNoneMatch == prev && strings.HasPrefix(prev, fmt.Sprintf(`"%x-%d-`, changed.Unix(), len(body)))
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", lm)
	if s.mode == IgnoreValidators {
		return false
	}
	if req.IfNoneMatch != "" {
		return req.IfNoneMatch == etag
	}
	return req.IfModifiedSince == lm
}

func (s *Site) find(path string) *article {
	for _, a := range s.articles {
		if a.path == path && !a.gone {
			return a
		}
	}
	return nil
}

// newest returns the articles still on the site, newest first.
func (s *Site) newest() []*article {
	out := make([]*article, 0, len(s.articles))
	for i := len(s.articles) - 1; i >= 0; i-- {
		if a := s.articles[i]; !a.gone {
			out = append(out, a)
		}
	}
	return out
}

// section is the section page: a guancha-style list of every article,
// newest first, each link with the site's ?s= tracking tail.
func (s *Site) section() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>国际_观察者网</title></head><body>
<div class="header"><a href="/">首页</a> <a href="/internation">国际</a></div>
<ul class="column-list">`)
	for _, a := range s.newest() {
		fmt.Fprintf(&b, "\n<li><h4 class=\"module-title\"><a href=\"%s?s=lmxw\">%s</a></h4><div class=\"module-interact\"><span>%s</span></div></li>",
			a.path, html.EscapeString(a.title), a.date.Format("2006-01-02 15:04"))
	}
	b.WriteString("\n</ul></body></html>\n")
	return b.String()
}

func (s *Site) feed() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>观察者网 国际</title><link>%s/</link><description>test</description>`, s.Server.URL)
	for _, a := range s.newest() {
		fmt.Fprintf(&b, "\n<item><title>%s</title><link>%s%s</link><pubDate>%s</pubDate></item>",
			html.EscapeString(a.title), s.Server.URL, a.path, a.date.Format(time.RFC1123Z))
	}
	b.WriteString("\n</channel></rss>\n")
	return b.String()
}

func (s *Site) sitemap() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
	for _, a := range s.newest() {
		fmt.Fprintf(&b, "\n<url><loc>%s%s</loc><news:news><news:publication_date>%s</news:publication_date></news:news></url>",
			s.Server.URL, a.path, a.date.Format(time.RFC3339))
	}
	b.WriteString("\n</urlset>\n")
	return b.String()
}

// page is an article page in guancha.cn's markup.
func (s *Site) page(a *article) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head>`)
	if !s.gbk {
		b.WriteString(`<meta charset="utf-8">`)
	}
	fmt.Fprintf(&b, `<title>%s_观察者网</title><link rel="canonical" href="%s%s"></head><body>
<div class="content"><ul><li class="left left-main">
<h3>%s</h3>
<div class="time fix"><span>%s</span><span>来源：观察者网</span></div>
<div class="author-intro"><p><a href="/author">王记者</a></p></div>
<div class="content all-txt">
`, html.EscapeString(a.title), s.Server.URL, a.path, html.EscapeString(a.title), a.date.Format("2006-01-02 15:04:05"))
	for p := range 6 {
		fmt.Fprintf(&b, "<p>这是第%d篇报道的第%d段。记者在现场看到，各方代表就合作前景交换了意见，会议持续了三个小时。</p>\n", indexOf(a.path), p+1)
	}
	for _, x := range a.extra {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(x))
	}
	b.WriteString(`</div>
<ul class="article-other"><li>责任编辑：李编辑</li></ul>
</li></ul></div>
<ul class="module-news-main">
`)
	newest := s.newest()
	for _, o := range newest[:min(3, len(newest))] {
		if o != a {
			fmt.Fprintf(&b, "<li><h4 class=\"module-title\"><a href=\"%s?s=zwyxgtjbt\">%s</a></h4><div class=\"module-interact\"><span>%s</span></div></li>\n",
				o.path, html.EscapeString(o.title), o.date.Format("2006-01-02 15:04"))
		}
	}
	b.WriteString("</ul></body></html>\n")
	return b.String()
}

// indexOf returns the article number at the end of an article path.
func indexOf(path string) int {
	path = strings.TrimSuffix(path, ".shtml")
	n, _ := strconv.Atoi(path[strings.LastIndexByte(path, '_')+1:])
	return n
}

// ProfileText returns the built-in guancha.cn profile under the host
// 127.0.0.1 (where the site runs), with a links key for its section
// page: a --profiles file for the site.
func ProfileText() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "parse", "profiles.txt"))
	if err != nil {
		return "", err
	}
	text := strings.Replace(string(b), "[guancha.cn]", "[127.0.0.1]", 1)
	if text == string(b) {
		return "", fmt.Errorf("testsite: no [guancha.cn] section in the built-in profiles")
	}
	return text + "links: ul.column-list h4.module-title a\n", nil
}

// WriteProfile writes ProfileText into dir and returns its path.
func WriteProfile(tb testing.TB, dir string) string {
	tb.Helper()
	text, err := ProfileText()
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, "site-profiles.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}
