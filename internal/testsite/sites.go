package testsite

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Page is one fixed page of a Pages site. "{{BASE}}" in its body is
// replaced by the site's URL when served.
type Page struct {
	ContentType string
	Body        string
	// Status is the answer's status; zero is 200.
	Status int
	// GBK serves the body encoded in GBK.
	GBK bool
}

// Pages is a small hand-made site of fixed pages, for discovery tests: a
// path not among them is a 404. It records every request.
type Pages struct {
	*httptest.Server

	mu       sync.Mutex
	pages    map[string]Page
	requests []string
}

// NewPages starts a site serving pages; tb's cleanup closes it.
func NewPages(tb testing.TB, pages map[string]Page) *Pages {
	p := &Pages{pages: pages}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(p.Close)
	return p
}

// URL returns the absolute URL of path.
func (p *Pages) URL(path string) string { return p.Server.URL + path }

// Requests returns the paths requested so far (with their queries), in
// order.
func (p *Pages) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Set serves pg at path from now on.
func (p *Pages) Set(path string, pg Page) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[path] = pg
}

// Paths returns the site's paths, sorted.
func (p *Pages) Paths() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.pages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (p *Pages) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.requests = append(p.requests, r.URL.RequestURI())
	pg, ok := p.pages[r.URL.Path]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	body := []byte(strings.ReplaceAll(pg.Body, "{{BASE}}", p.Server.URL))
	if pg.GBK {
		var err error
		if body, err = simplifiedchinese.GBK.NewEncoder().Bytes(body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	if pg.ContentType != "" {
		w.Header().Set("Content-Type", pg.ContentType)
	}
	if pg.Status != 0 {
		w.WriteHeader(pg.Status)
	}
	w.Write(body)
}

// Headline is one article of a hand-made site: its path and title.
type Headline struct{ Path, Title string }

// Headlines returns n articles over several sections, newest first, with
// dated paths and long ids, as a news portal's home page lists them;
// start numbers the first, so that two lists can differ.
func Headlines(n, start int) []Headline {
	sections := []string{"world", "china", "finance", "tech"}
	var out []Headline
	for i := range n {
		k := start + i
		out = append(out, Headline{
			Path:  fmt.Sprintf("/%s/2025/12/%02d/%06d.html", sections[k%len(sections)], 1+k%28, 100000+k),
			Title: fmt.Sprintf("第%d条新闻：各方代表就合作前景交换意见并达成共识", k),
		})
	}
	return out
}

// ArticlePage is an article page of a hand-made site: a headline, the
// date of its path (/section/YYYY/MM/DD/id.html),
// a byline, an outlet, a picture and six paragraphs.
func ArticlePage(h Headline, charset string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="%s"><title>%s_测试日报</title>
<link rel="canonical" href="{{BASE}}%s"></head><body>
<div class="header"><a href="/">首页</a></div>
<div class="article"><h1>%s</h1>
<div class="info"><span class="time">%s 10:30:00</span> <span class="source">来源：测试日报</span> <span class="author">王记者</span></div>
<div class="text"><p><img src="/img/%s.jpg" alt="现场"></p>
`, charset, html.EscapeString(h.Title), h.Path, html.EscapeString(h.Title), strings.Join(strings.Split(h.Path, "/")[2:5], "-"), strings.ReplaceAll(strings.Trim(h.Path, "/"), "/", "-"))
	for i := range 6 {
		fmt.Fprintf(&b, "<p>这是报道的第%d段。记者在现场看到，各方代表就合作前景交换了意见，会议持续了三个小时，气氛友好。</p>\n", i+1)
	}
	b.WriteString("</div></div></body></html>\n")
	return b.String()
}

// addArticles adds an article page for each headline.
func addArticles(pages map[string]Page, hs []Headline, gbk bool) {
	cs := "utf-8"
	if gbk {
		cs = "gbk"
	}
	for _, h := range hs {
		pages[h.Path] = Page{ContentType: "text/html", Body: ArticlePage(h, cs), GBK: gbk}
	}
}

// ListHome is a portal's home page with no feed and no sitemap:
// navigation, a headline list (the articles, each with a tag link), a
// pagination bar, a "hot" box of other articles of the same URL shape, a
// tag cloud and a footer. charset goes into its <meta>.
func ListHome(list, hot []Headline, charset string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><meta charset="%s"><title>测试日报</title></head><body>
<div class="top-header"><a href="/">首页</a> <a href="/world/">国际</a> <a href="/china/">国内</a> <a href="/finance/">财经</a> <a href="/tech/">科技</a> <a href="/login">登录</a></div>
<nav class="menu"><ul><li><a href="/world/">国际新闻</a></li><li><a href="/china/">国内新闻</a></li><li><a href="/finance/">财经频道</a></li><li><a href="/tech/">科技频道</a></li><li><a href="/video/">视频</a></li></ul></nav>
<div class="wrap"><div class="main">
<h2>要闻</h2>
<ul class="news-list">
`, charset)
	for _, h := range list {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> <span class=\"time\">12-09 10:30</span> <a class=\"tag\" href=\"/tag/%s\">%s</a></li>\n",
			h.Path, html.EscapeString(h.Title), strings.Split(h.Path, "/")[1], strings.Split(h.Path, "/")[1])
	}
	b.WriteString(`</ul>
<div class="pages"><a href="/index_2.html">2</a> <a href="/index_3.html">3</a> <a href="/index_4.html">4</a> <a href="/index_2.html">下一页</a></div>
</div>
<div class="hot"><h3>热点排行</h3><ol>
`)
	for _, h := range hot {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", h.Path, html.EscapeString(h.Title))
	}
	b.WriteString(`</ol></div></div>
<div class="tag-cloud"><a href="/tag/economy">经济</a> <a href="/tag/diplomacy">外交</a> <a href="/tag/science">科学</a> <a href="/tag/sports">体育</a> <a href="/tag/culture">文化</a></div>
<div class="footer"><a href="/about">关于我们</a> <a href="/contact">联系我们</a> <a href="/privacy">隐私政策</a> <a href="/ads">广告服务</a> <a href="/jobs">招聘信息</a></div>
</body></html>
`)
	return b.String()
}

// Sites for discovery tests. Each answers robots.txt (or a 404 for it)
// and serves its articles.

// ListSite is a site with no feed and no sitemap whose home page is
// ListHome of 20 headlines and a hot box of 6 others; gbk serves every
// page in GBK, named only by the pages' <meta charset>.
func ListSite(tb testing.TB, gbk bool) (site *Pages, list, hot []Headline) {
	list, hot = Headlines(20, 0), Headlines(6, 50)
	cs := "utf-8"
	if gbk {
		cs = "gbk"
	}
	pages := map[string]Page{
		"/":           {ContentType: "text/html", Body: ListHome(list, hot, cs), GBK: gbk},
		"/robots.txt": {ContentType: "text/plain", Body: "User-agent: *\nDisallow: /private/\n"},
	}
	addArticles(pages, list, gbk)
	addArticles(pages, hot, gbk)
	return NewPages(tb, pages), list, hot
}

// FeedSite is ListSite with a feed of the headlines named by a <link
// rel="alternate"> in its home page's head.
func FeedSite(tb testing.TB) (site *Pages, list []Headline) {
	list, hot := Headlines(20, 0), Headlines(6, 50)
	home := strings.Replace(ListHome(list, hot, "utf-8"), "</head>",
		`<link rel="alternate" type="application/rss+xml" title="要闻" href="/feeds/news.xml"></head>`, 1)
	pages := map[string]Page{
		"/":               {ContentType: "text/html", Body: home},
		"/feeds/news.xml": {ContentType: "application/rss+xml", Body: RSS(list)},
	}
	addArticles(pages, list, false)
	return NewPages(tb, pages), list
}

// RSS is an RSS feed of the headlines, links absolute.
func RSS(hs []Headline) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试日报</title><link>{{BASE}}/</link><description>test</description>`)
	for _, h := range hs {
		fmt.Fprintf(&b, "\n<item><title>%s</title><link>{{BASE}}%s</link><pubDate>Tue, 09 Dec 2025 10:30:00 +0800</pubDate></item>", html.EscapeString(h.Title), h.Path)
	}
	b.WriteString("\n</channel></rss>\n")
	return b.String()
}

// Sitemap is a sitemap of the paths, a news sitemap when news.
func Sitemap(paths []string, news bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
	for _, p := range paths {
		if news {
			fmt.Fprintf(&b, "\n<url><loc>{{BASE}}%s</loc><news:news><news:publication>"+
				"<news:name>测试日报</news:name><news:language>zh</news:language></news:publication>"+
				"<news:publication_date>2025-12-09T10:30:00+08:00</news:publication_date><news:title>t</news:title></news:news></url>", p)
		} else {
			fmt.Fprintf(&b, "\n<url><loc>{{BASE}}%s</loc><lastmod>2025-12-09</lastmod></url>", p)
		}
	}
	b.WriteString("\n</urlset>\n")
	return b.String()
}

// navHome is a home page of navigation links only: no list to read.
const navHome = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试日报</title></head><body>
<nav><a href="/world/">国际</a> <a href="/china/">国内</a> <a href="/about">关于我们</a></nav></body></html>`

// paths returns the headlines' paths.
func paths(hs []Headline) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Path)
	}
	return out
}

// RobotsSitemapSite is a site whose only list is a sitemap at a path
// only its robots.txt names; its home page holds navigation alone.
func RobotsSitemapSite(tb testing.TB) (site *Pages, list []Headline) {
	list = Headlines(15, 0)
	pages := map[string]Page{
		"/":                  {ContentType: "text/html", Body: navHome},
		"/robots.txt":        {ContentType: "text/plain", Body: "User-agent: *\nDisallow: /private/\n\nSitemap: {{BASE}}/maps/articles.xml\n"},
		"/maps/articles.xml": {ContentType: "application/xml", Body: Sitemap(paths(list), false)},
	}
	addArticles(pages, list, false)
	return NewPages(tb, pages), list
}

// NewsSitemapSite is a site whose robots.txt names a sitemap index of a
// plain sitemap (listed first: pages and old articles) and a news
// sitemap of the recent articles.
func NewsSitemapSite(tb testing.TB) (site *Pages, news []Headline) {
	news, old := Headlines(10, 0), Headlines(30, 100)
	plain := append([]string{"/about", "/contact"}, paths(old)...)
	pages := map[string]Page{
		"/":           {ContentType: "text/html", Body: navHome},
		"/robots.txt": {ContentType: "text/plain", Body: "User-agent: *\nAllow: /\nSitemap: {{BASE}}/sitemap_index.xml\n"},
		"/sitemap_index.xml": {ContentType: "application/xml", Body: `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{{BASE}}/sitemap-pages.xml</loc></sitemap>
<sitemap><loc>{{BASE}}/sitemap-news.xml</loc></sitemap>
</sitemapindex>`},
		"/sitemap-pages.xml": {ContentType: "application/xml", Body: Sitemap(plain, false)},
		"/sitemap-news.xml":  {ContentType: "application/xml", Body: Sitemap(paths(news), true)},
	}
	addArticles(pages, news, false)
	addArticles(pages, old, false)
	return NewPages(tb, pages), news
}

// BrokenFeedSite is ListSite whose home page names a feed that answers
// an HTML error page, and links "RSS" to a feed that is gone (404).
func BrokenFeedSite(tb testing.TB) (site *Pages, list []Headline) {
	list, hot := Headlines(20, 0), Headlines(6, 50)
	home := strings.Replace(ListHome(list, hot, "utf-8"), "</head>",
		`<link rel="alternate" type="application/rss+xml" href="/rss/latest.xml"></head>`, 1)
	home = strings.Replace(home, `<a href="/jobs">招聘信息</a>`, `<a href="/jobs">招聘信息</a> <a href="/old/rss2.xml">RSS订阅</a>`, 1)
	pages := map[string]Page{
		"/":               {ContentType: "text/html", Body: home},
		"/rss/latest.xml": {ContentType: "text/html", Body: "<html><body><h1>服务暂时不可用</h1></body></html>"},
	}
	addArticles(pages, list, false)
	addArticles(pages, hot, false)
	return NewPages(tb, pages), list
}
