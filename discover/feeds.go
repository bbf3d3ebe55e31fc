package discover

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/sources"
)

// feedBudget is how many Gets Site spends on feeds before it turns to
// sitemaps.
const feedBudget = 3

// wellKnownFeeds are the feed paths tried when the page names none, most
// common first.
var wellKnownFeeds = []string{"/feed", "/rss.xml", "/atom.xml", "/index.xml", "/rss", "/feed.xml"}

// feedTypes are the <link rel="alternate"> types of feeds. Plain
// application/json is left out: it is mostly an API's (oEmbed, a CMS's
// JSON of the page).
var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/rdf+xml": true, "text/xml": true, "application/xml": true,
}

// commentFeed is a feed of comments, not of articles: tried last.
var commentFeed = regexp.MustCompile(`(?i)comment`)

// feedWords find a feed in a link's URL or text.
var (
	feedHref = regexp.MustCompile(`(?i)(?:^|[/._-])(?:feeds?|rss2?|atom)(?:$|[/._?-])`)
	feedText = regexp.MustCompile(`(?i)\b(?:rss|atom|feeds?)\b|订阅`)
)

// feedCandidates returns the page's feed links: <link rel=alternate>
// first, then <a> links whose URL or text says feed; each once, feeds of
// comments last.
func feedCandidates(pg *page) []string {
	var out []string
	seen := map[string]bool{}
	add := func(u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	pg.doc.Find("link[href]").Each(func(_ int, l *selection) {
		rel := strings.ToLower(l.AttrOr("rel", ""))
		typ := strings.ToLower(strings.TrimSpace(strings.Split(l.AttrOr("type", ""), ";")[0]))
		if strings.Contains(" "+rel+" ", " alternate ") && feedTypes[typ] {
			add(resolve(pg.base, l.AttrOr("href", "")))
		}
	})
	for _, a := range pg.anchors {
		u, err := url.Parse(a.url)
		if err != nil {
			continue
		}
		if feedHref.MatchString(u.Path) || feedText.MatchString(a.text) && len([]rune(a.text)) <= 40 {
			add(a.url)
		}
	}
	var articles, comments []string
	for _, u := range out {
		if commentFeed.MatchString(u) {
			comments = append(comments, u)
		} else {
			articles = append(articles, u)
		}
	}
	return append(articles, comments...)
}

// resolve returns href made absolute against base, or "".
func resolve(base *url.URL, href string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || href == "" {
		return ""
	}
	u = base.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// feeds tries the page's feed links, then the well-known paths, until one
// is confirmed or feedBudget Gets are spent.
func (s *session) feeds(pg *page) {
	cands := feedCandidates(pg)
	for _, p := range wellKnownFeeds {
		cands = append(cands, s.siteRoot(p))
	}
	declared := len(cands) - len(wellKnownFeeds)
	seen := map[string]bool{s.page.String(): true}
	spent := 0
	for i, c := range cands {
		if seen[c] || spent >= feedBudget {
			continue
		}
		seen[c] = true
		spent++
		resp, err := s.get(c, "feed")
		if err != nil {
			continue
		}
		how := "a feed link on the page"
		if i >= declared {
			how = "a well-known path"
		}
		if m := s.asFeed(resp, how); m != nil {
			s.found = append(s.found, m)
			return
		}
	}
}

// asFeed returns resp as a feed method when it parses as a feed with at
// least one item, noting the attempt either way; nil when it does not.
func (s *session) asFeed(resp *fetch.Response, how string) *Method {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(resp.Body))
	if err == nil && len(f.Items) == 0 {
		err = fmt.Errorf("feed %s has no items", resp.URL)
	}
	if err != nil {
		if how != "the page itself" {
			s.note(resp.URL, "feed", fmt.Errorf("not a feed: %w", err))
		}
		return nil
	}
	texts := map[string]string{}
	m := &Method{Kind: config.KindFeed, URL: resp.URL, Found: how}
	arts, _, err := links(m, resp.Body, resp.URL, resp.ContentType, s.opts.Profile, texts)
	if err != nil || len(arts) == 0 {
		s.note(resp.URL, "feed", fmt.Errorf("feed gives no article links: %v", err))
		return nil
	}
	// The items' titles, by their links as Discover canonicalizes them.
	base, _ := url.Parse(resp.URL)
	if f.Link != "" {
		if u, err := url.Parse(f.Link); err == nil {
			base = base.ResolveReference(u)
		}
	}
	for _, it := range f.Items {
		texts[sources.CanonicalURL(base, it.Link, s.opts.Profile)] = it.Title
	}
	for i := range arts {
		arts[i].Text = strings.TrimSpace(texts[arts[i].URL])
	}
	m.Articles = arts
	m.Found = fmt.Sprintf("%s, %d items", how, len(f.Items))
	s.note(resp.URL, "feed", nil)
	return m
}
