package sources

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"newsfeed/config"
	"newsfeed/parse"
	"newsfeed/record"
)

// MaxSitemapBytes caps a gzip-compressed sitemap once uncompressed: the
// sitemap protocol's own limit. Beyond it Discover fails rather than
// reading part of it.
const MaxSitemapBytes = 50 << 20

// Errors Discover returns; test with errors.Is.
var (
	// ErrNoLinkRule: an html source with no links selector or pattern,
	// whose site profile has no links key either.
	ErrNoLinkRule = errors.New("sources: html source has no links selector, no pattern, and its site profile no links key")
	// ErrNotList: the page is not the kind of list its source says.
	ErrNotList = errors.New("sources: not a list page of this kind")
)

// Link is an article link a list page gives.
type Link struct {
	// URL is absolute and canonical (see record.CanonicalizeURL), with
	// the site profile's tracking parameters removed too.
	URL string
	// Published is when the list says the article appeared, and Updated
	// when it last changed; zero when the list does not say.
	Published, Updated time.Time
}

// List is what a list page yields.
type List struct {
	// Links are the article links in page order, each once.
	Links []Link
	// Sitemaps are the child sitemaps of a sitemap index (Updated is
	// their lastmod), for the caller to fetch and Discover in turn.
	Sitemaps []Link
}

// ProfileFunc returns the site profile for a host, or nil.
type ProfileFunc func(host string) *parse.Profile

// Discover finds the article links on a list page of source s: data is
// the page's body, pageURL its URL (relative links resolve against it)
// and contentType its Content-Type (one witness of an HTML page's
// encoding). profile gives each host's site profile, for the links key
// and tracking parameters; nil means none. A urls source needs no page:
// data is ignored.
func Discover(s *config.Source, data []byte, pageURL, contentType string, profile ProfileFunc) (*List, error) {
	if profile == nil {
		profile = func(string) *parse.Profile { return nil }
	}
	base, err := url.Parse(pageURL)
	if err != nil && s.Kind != config.KindURLs {
		return nil, fmt.Errorf("list %s: %w", pageURL, err)
	}
	l := &linker{profile: profile, seen: map[string]bool{}}
	switch s.Kind {
	case config.KindURLs:
		for _, u := range s.URLs {
			l.add(nil, u.String(), Link{})
		}
	case config.KindFeed:
		err = l.feed(data, base)
	case config.KindSitemap:
		err = l.sitemap(data, base)
	case config.KindHTML:
		err = l.html(s, data, base, contentType)
	default:
		err = fmt.Errorf("sources: unknown kind %q", s.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", pageURL, err)
	}
	return &l.list, nil
}

// linker collects a list's links, each once.
type linker struct {
	profile ProfileFunc
	seen    map[string]bool
	list    List
}

// canonical resolves href against base and returns its canonical form.
func (l *linker) canonical(base *url.URL, href string) string {
	return CanonicalURL(base, href, l.profile)
}

// CanonicalURL resolves href against base (nil: href must be absolute)
// and returns it canonical, as record.ResolveURL does, with the tracking
// parameters of its host's site profile dropped too; "" when it is no
// http(s) URL.
func CanonicalURL(base *url.URL, href string, profile ProfileFunc) string {
	if profile == nil {
		return record.ResolveURL(base, href, nil)
	}
	return record.ResolveURL(base, href, profile.trackingParams)
}

// trackingParams returns the tracking parameters of host's site profile.
func (f ProfileFunc) trackingParams(host string) []string {
	if p := f(host); p != nil {
		return p.TrackingParams
	}
	return nil
}

// add adds the link href with the dates of lk, unless it was added before
// or is no http(s) URL. It reports whether it added it.
func (l *linker) add(base *url.URL, href string, lk Link) bool {
	lk.URL = l.canonical(base, href)
	if lk.URL == "" || l.seen[lk.URL] {
		return false
	}
	l.seen[lk.URL] = true
	l.list.Links = append(l.list.Links, lk)
	return true
}

// feed reads an RSS, Atom or JSON feed with gofeed: each item's link.
func (l *linker) feed(data []byte, base *url.URL) error {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w: feed: %w", ErrNotList, err)
	}
	if f.Link != "" { // relative item links resolve against the site
		if u, err := url.Parse(f.Link); err == nil && base != nil {
			base = base.ResolveReference(u)
		}
	}
	for _, it := range f.Items {
		href := it.Link
		if href == "" && (strings.HasPrefix(it.GUID, "http://") || strings.HasPrefix(it.GUID, "https://")) {
			href = it.GUID
		}
		var lk Link
		if it.PublishedParsed != nil {
			lk.Published = *it.PublishedParsed
		}
		if it.UpdatedParsed != nil {
			lk.Updated = *it.UpdatedParsed
		}
		l.add(base, href, lk)
	}
	return nil
}

// sitemapDoc is a sitemap (<urlset>) or a sitemap index (<sitemapindex>);
// a news sitemap's <news:news> gives each URL's publication date.
type sitemapDoc struct {
	XMLName xml.Name
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    struct {
			PublicationDate string `xml:"publication_date"`
		} `xml:"news"`
	} `xml:"url"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

// sitemap reads a sitemap, a news sitemap or a sitemap index, plain or
// gzip-compressed.
func (l *linker) sitemap(data []byte, base *url.URL) error {
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("sitemap: %w", err)
		}
		if data, err = io.ReadAll(io.LimitReader(zr, MaxSitemapBytes+1)); err != nil {
			return fmt.Errorf("sitemap: gunzip: %w", err)
		}
		if len(data) > MaxSitemapBytes {
			return fmt.Errorf("sitemap: over %d bytes uncompressed", MaxSitemapBytes)
		}
	}
	var doc sitemapDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%w: sitemap: %w", ErrNotList, err)
	}
	switch doc.XMLName.Local {
	case "urlset":
		for _, u := range doc.URLs {
			l.add(base, u.Loc, Link{Published: W3CTime(u.News.PublicationDate), Updated: W3CTime(u.LastMod)})
		}
	case "sitemapindex":
		seen := map[string]bool{}
		for _, sm := range doc.Sitemaps {
			if u := l.canonical(base, sm.Loc); u != "" && !seen[u] {
				seen[u] = true
				l.list.Sitemaps = append(l.list.Sitemaps, Link{URL: u, Updated: W3CTime(sm.LastMod)})
			}
		}
	default:
		return fmt.Errorf("%w: sitemap: root element <%s>, want <urlset> or <sitemapindex>", ErrNotList, doc.XMLName.Local)
	}
	return nil
}

// w3cLayouts are the W3C Datetime forms sitemaps use.
var w3cLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"}

// W3CTime parses a sitemap date (W3C Datetime: "2025-12-09",
// "2025-12-09T10:00:00+08:00"…), or returns the zero time.
func W3CTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range w3cLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// html finds the article links of a section page: by the source's
// selectors, else by its pattern, else by the site profile's links key.
func (l *linker) html(s *config.Source, data []byte, base *url.URL, contentType string) error {
	r, err := charset.NewReader(bytes.NewReader(data), contentType)
	if err != nil {
		return fmt.Errorf("html: %w", err)
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return fmt.Errorf("html: %w", err)
	}
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := url.Parse(href); err == nil && base != nil {
			base = base.ResolveReference(u)
		}
	}
	var sels []cascadia.Selector
	if s.Links != nil {
		sels = append(sels, s.Links.Selector)
	}
	if len(sels) == 0 && s.Pattern == nil && base != nil {
		if p := l.profile(strings.ToLower(base.Hostname())); p != nil {
			sels = p.Links
		}
	}
	if len(sels) == 0 && s.Pattern == nil {
		return ErrNoLinkRule
	}
	var anchors []*html.Node
	if len(sels) == 0 {
		anchors = doc.Find("a[href]").Nodes
	}
	for _, sel := range sels {
		for _, n := range doc.FindMatcher(sel).Nodes {
			if n.Data == "a" {
				anchors = append(anchors, n)
				continue
			}
			anchors = append(anchors, goquery.NewDocumentFromNode(n).Find("a[href]").Nodes...)
		}
	}
	for _, a := range anchors {
		href, _ := goquery.NewDocumentFromNode(a).Attr("href")
		u := l.canonical(base, href)
		if u == "" || s.Pattern != nil && !s.Pattern.MatchString(u) {
			continue
		}
		l.add(nil, u, Link{Published: DateInURL(u)})
	}
	return nil
}

// urlDate finds a date in a URL's path: /2025/12/09/, /2025-12-09/,
// /2025_12_09_123.shtml, /20251209/.
var urlDate = regexp.MustCompile(`/((?:19|20)\d\d)([-_/]?)(0[1-9]|1[0-2])([-_/]?)(0[1-9]|[12]\d|3[01])(?:[-_/.]|$)`)

// DateInURL returns the day a URL's path names (midnight, Beijing time
// for .cn hosts and UTC for others), or the zero time. Section pages seldom
// show dates; news sites' article paths often do.
func DateInURL(rawURL string) time.Time {
	u, err := url.Parse(rawURL)
	if err != nil {
		return time.Time{}
	}
	m := urlDate.FindStringSubmatch(u.Path)
	if m == nil || m[2] != m[4] {
		return time.Time{}
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[3])
	d, _ := strconv.Atoi(m[5])
	loc := time.UTC
	if strings.HasSuffix(strings.ToLower(u.Hostname()), ".cn") {
		loc = parse.Beijing
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
	if t.Day() != d { // 2025-02-31
		return time.Time{}
	}
	return t
}
