package discover

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/sources"
)

// sitemapBudget is how many sitemaps Site fetches at most.
const sitemapBudget = 3

// RobotsTap is a fetch.RobotsCache that keeps a copy of each robots.txt
// the fetcher reads through it, so that Site finds its Sitemap: lines
// without fetching it again. It passes reads through to Inner when set
// (a shared cache), else reads each host's robots.txt once for its life.
type RobotsTap struct {
	// Inner is the cache the fetcher would use without the tap; nil: none.
	Inner fetch.RobotsCache

	mu    sync.Mutex
	files map[string]fetch.RobotsFile
	n     int
}

// NewRobotsTap returns a tap in front of inner (nil: none).
func NewRobotsTap(inner fetch.RobotsCache) *RobotsTap {
	return &RobotsTap{Inner: inner, files: map[string]fetch.RobotsFile{}}
}

// Robots implements fetch.RobotsCache.
func (t *RobotsTap) Robots(ctx context.Context, host string, read func(context.Context) (fetch.RobotsFile, error)) (fetch.RobotsFile, error) {
	counted := func(ctx context.Context) (fetch.RobotsFile, error) {
		t.mu.Lock()
		t.n++
		t.mu.Unlock()
		return read(ctx)
	}
	var (
		file fetch.RobotsFile
		err  error
	)
	if t.Inner != nil {
		file, err = t.Inner.Robots(ctx, host, counted)
	} else {
		t.mu.Lock()
		f, ok := t.files[host]
		t.mu.Unlock()
		if ok {
			return f, nil
		}
		file, err = counted(ctx)
	}
	if err == nil {
		t.mu.Lock()
		t.files[host] = file
		t.mu.Unlock()
	}
	return file, err
}

// file returns host's robots.txt as read through the tap.
func (t *RobotsTap) file(host string) (fetch.RobotsFile, bool) {
	if t == nil {
		return fetch.RobotsFile{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.files[strings.ToLower(host)]
	return f, ok
}

// reads returns how many robots.txt the tap has had read.
func (t *RobotsTap) reads() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// SitemapLines returns the Sitemap: URLs of a robots.txt, in order.
func SitemapLines(body []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		key, val, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(key), "sitemap") {
			if v := strings.TrimSpace(val); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// robotsSitemaps returns the Sitemap: lines of the site's robots.txt:
// from the tap, else fetched as one of the session's Gets.
func (s *session) robotsSitemaps() []string {
	if f, ok := s.opts.Robots.file(s.page.Host); ok {
		if f.Status >= 200 && f.Status < 300 {
			return SitemapLines(f.Body)
		}
		return nil
	}
	u := s.siteRoot("/robots.txt")
	resp, err := s.get(u, "robots.txt")
	if err != nil {
		return nil
	}
	s.note(u, "robots.txt", nil)
	return SitemapLines(resp.Body)
}

// newsFirst orders sitemap URLs with those naming news first.
func newsFirst(urls []string) []string {
	var news, other []string
	for _, u := range urls {
		if strings.Contains(strings.ToLower(u), "news") {
			news = append(news, u)
		} else {
			other = append(other, u)
		}
	}
	return append(news, other...)
}

// sitemaps tries robots.txt's sitemaps, then the usual paths, following
// a sitemap index to its news child (else its newest), until a news sitemap is found or
// sitemapBudget Gets are spent.
func (s *session) sitemaps() {
	cands := newsFirst(s.robotsSitemaps())
	from := map[string]string{}
	for _, c := range cands {
		from[c] = "named by robots.txt"
	}
	cands = append(cands, s.siteRoot("/sitemap.xml"), s.siteRoot("/sitemap_index.xml"))
	seen := map[string]bool{}
	var plain *Method
	for spent := 0; len(cands) > 0 && spent < sitemapBudget; {
		c := cands[0]
		cands = cands[1:]
		if seen[c] {
			continue
		}
		seen[c] = true
		if plain != nil && !strings.Contains(strings.ToLower(c), "news") {
			continue // a plain sitemap is found: only a news one is worth more
		}
		spent++
		m, children := s.sitemap(c, cmp.Or(from[c], "at a well-known path"))
		switch {
		case children != nil:
			child := newsFirst(children)[0]
			from[child] = "named by a sitemap index"
			cands = append([]string{child}, cands...)
		case m != nil && m.News:
			s.found = append(s.found, m)
			return
		case m != nil && plain == nil:
			plain = m
		}
	}
	if plain != nil {
		s.found = append(s.found, plain)
	}
}

// sitemap fetches and reads one sitemap: a method when it lists
// articles, or the child sitemaps of an index.
func (s *session) sitemap(u, how string) (*Method, []string) {
	resp, err := s.get(u, "sitemap")
	if err != nil {
		return nil, nil
	}
	m := &Method{Kind: config.KindSitemap, URL: resp.URL}
	arts, l, err := links(m, resp.Body, resp.URL, resp.ContentType, s.opts.Profile, nil)
	if err != nil {
		s.note(resp.URL, "sitemap", fmt.Errorf("not a sitemap: %w", err))
		return nil, nil
	}
	if len(l.Sitemaps) > 0 {
		s.note(resp.URL, "sitemap", fmt.Errorf("a sitemap index of %d sitemaps: reading one", len(l.Sitemaps)))
		// The newest first (by lastmod, when the index gives it), then
		// newsFirst puts the news ones before them.
		kids := slices.Clone(l.Sitemaps)
		slices.SortStableFunc(kids, func(a, b sources.Link) int { return b.Updated.Compare(a.Updated) })
		var children []string
		for _, c := range kids {
			children = append(children, c.URL)
		}
		return nil, children
	}
	if len(arts) == 0 {
		s.note(resp.URL, "sitemap", fmt.Errorf("sitemap lists no URLs"))
		return nil, nil
	}
	m.News = isNews(l)
	m.Articles = arts
	kind := "sitemap"
	if m.News {
		kind = "news sitemap"
	}
	m.Found = fmt.Sprintf("a %s %s, %d URLs", kind, how, len(arts))
	s.note(resp.URL, "sitemap", nil)
	return m, nil
}

// isNews says a sitemap is a news sitemap: its URLs carry a news
// publication date.
func isNews(l *sources.List) bool {
	for _, lk := range l.Links {
		if !lk.Published.IsZero() {
			return true
		}
	}
	return false
}
