package discover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/sources"
)

// DefaultMaxRequests is how many Gets Site sends at most when
// Options.MaxRequests is zero: with the robots.txt the fetcher reads,
// eight requests a site.
const DefaultMaxRequests = 7

// ErrNothing: the page gave no feed, no sitemap and no group of article
// links.
var ErrNothing = errors.New("found no feed, no sitemap and no article links")

// errBudget: the Gets allowed are spent.
var errBudget = errors.New("request budget spent")

// Getter fetches a URL: a *fetch.Fetcher.
type Getter interface {
	Get(ctx context.Context, rawURL string, old fetch.Validators) (*fetch.Response, error)
}

// Options tune Site. The zero value is ready to use.
type Options struct {
	// MaxRequests caps the Gets Site sends; zero means
	// DefaultMaxRequests.
	MaxRequests int
	// Robots, when the fetcher reads robots.txt through it, gives the
	// robots.txt's Sitemap: lines without a request of Site's own.
	Robots *RobotsTap
	// Profile gives each host's site profile (its tracking parameters),
	// as for sources.Discover; nil means none.
	Profile sources.ProfileFunc
	// Logger gets a Debug line for each candidate tried; nil discards.
	Logger *slog.Logger
}

// Kind is how a method finds the article links: a source kind.
type Kind = config.Kind

// Method is one way to follow the site: a list page of a source kind.
// Its JSON (Articles left out) is what a poller stores to poll with it.
type Method struct {
	Kind Kind `json:"kind"`
	// URL is the list page: the feed, the sitemap or the HTML page.
	URL string `json:"url"`
	// Links and Pattern are an html method's CSS selector and URL
	// pattern ("" when not needed).
	Links   string `json:"links,omitempty"`
	Pattern string `json:"pattern,omitempty"`
	// News says a sitemap is a Google News sitemap.
	News bool `json:"news,omitempty"`
	// Found says where the method came from and what it yields ("a feed
	// link on the page, 20 items", "news sitemap, 10 URLs"…).
	Found string `json:"found,omitempty"`
	// Score is an html method's article-likeness (0 for the others).
	Score float64 `json:"score,omitempty"`
	// Articles are the article links the method yields now, in list
	// order, with their text when the list gives one.
	Articles []Link `json:"-"`
}

// Link is an article link a method yields, with the list's text for it
// (a feed item's title, an anchor's text; "" for a sitemap).
type Link struct {
	URL, Text string
}

// Attempt is one candidate Site fetched, and what came of it.
type Attempt struct {
	URL string
	// What the candidate was: "page", "feed", "robots.txt", "sitemap".
	What string
	// Err is why it was not used; nil when it was confirmed.
	Err error
}

// Result is what Site found.
type Result struct {
	// URL is the page as fetched (after redirects).
	URL string
	// Best is the method to poll with; Alternatives are the others
	// found, best first.
	Best         *Method
	Alternatives []*Method
	// Requests is how many requests Site made: its Gets, and the
	// robots.txt read through Options.Robots.
	Requests int
	// Tried are the candidates fetched, in order.
	Tried []Attempt
}

// Source returns the best method as a source of the sources file.
func (r *Result) Source(name string) (*config.Source, error) {
	if r.Best == nil {
		return nil, ErrNothing
	}
	return r.Best.Source(name)
}

// session is one Site call: its Getter, budget and findings.
type session struct {
	ctx    context.Context
	g      Getter
	opts   Options
	max    int
	gets   int
	tried  []Attempt
	page   *url.URL
	found  []*Method
	logger *slog.Logger
}

// get fetches u as one of the session's Gets, or fails once the budget
// is spent.
func (s *session) get(u, what string) (*fetch.Response, error) {
	if s.gets >= s.max {
		return nil, errBudget
	}
	s.gets++
	resp, err := s.g.Get(s.ctx, u, fetch.Validators{})
	if errors.Is(err, fetch.ErrRobots) || errors.Is(err, fetch.ErrPrivateAddress) || errors.Is(err, fetch.ErrScheme) {
		s.gets-- // refused before anything was sent
	}
	if err == nil && (resp.NotModified || len(resp.Body) == 0) {
		err = fmt.Errorf("fetch %s: empty answer (status %d)", u, resp.Status)
	}
	if err != nil {
		s.note(u, what, err)
		return nil, err
	}
	return resp, nil
}

// note records an attempt.
func (s *session) note(u, what string, err error) {
	s.tried = append(s.tried, Attempt{URL: u, What: what, Err: err})
	if err != nil {
		s.logger.Debug("discover: candidate refused", slog.String("url", u), slog.String("what", what), slog.String("error", err.Error()))
	}
}

// Site finds how to follow the site of pageURL (a home or section page)
// through g: see the package documentation. It fails when the page
// itself cannot be fetched (robots.txt refusing it, a private address, a
// 404…), or with ErrNothing when nothing was found; a candidate that
// fails is noted in Result.Tried and passed over.
func Site(ctx context.Context, g Getter, pageURL string, opts Options) (*Result, error) {
	if _, err := config.ParseURL(pageURL); err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	s := &session{ctx: ctx, g: g, opts: opts, max: opts.MaxRequests, logger: opts.Logger}
	if s.max <= 0 {
		s.max = DefaultMaxRequests
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	robotsBefore := opts.Robots.reads()
	resp, err := s.get(pageURL, "page")
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", pageURL, err)
	}
	s.note(resp.URL, "page", nil)
	if s.page, err = url.Parse(resp.URL); err != nil {
		return nil, fmt.Errorf("discover %s: %w", pageURL, err)
	}
	res := &Result{URL: resp.URL}
	if m := s.asFeed(resp, "the page itself"); m != nil {
		s.found = append(s.found, m) // the URL given is a feed
	} else {
		pg, err := readPage(resp, s.opts.Profile)
		if err != nil {
			return nil, fmt.Errorf("discover %s: %w", pageURL, err)
		}
		s.feeds(pg)
		s.sitemaps()
		if m := articleMethod(pg, s.opts.Profile); m != nil {
			s.found = append(s.found, m)
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("discover %s: %w", pageURL, ctx.Err())
	}
	res.Requests = s.gets + opts.Robots.reads() - robotsBefore
	res.Tried = s.tried
	if len(s.found) == 0 {
		return res, fmt.Errorf("discover %s: %w", pageURL, ErrNothing)
	}
	ranked := rank(s.found)
	res.Best, res.Alternatives = ranked[0], ranked[1:]
	return res, nil
}

// rank orders the methods found: feeds, then news sitemaps, plain
// sitemaps and the page's article links; in found order within each.
func rank(ms []*Method) []*Method {
	order := func(m *Method) int {
		switch {
		case m.Kind == config.KindFeed:
			return 0
		case m.Kind == config.KindSitemap && m.News:
			return 1
		case m.Kind == config.KindSitemap:
			return 2
		}
		return 3
	}
	var out []*Method
	for o := range 4 {
		for _, m := range ms {
			if order(m) == o {
				out = append(out, m)
			}
		}
	}
	return out
}

// siteRoot returns the page's site root with path p.
func (s *session) siteRoot(p string) string {
	return (&url.URL{Scheme: s.page.Scheme, Host: s.page.Host, Path: p}).String()
}

// links runs sources.Discover on a list page with the method's source,
// giving each link the text in texts.
func links(m *Method, data []byte, pageURL, contentType string, profile sources.ProfileFunc, texts map[string]string) ([]Link, *sources.List, error) {
	src, err := m.Source("discover")
	if err != nil {
		return nil, nil, err
	}
	l, err := sources.Discover(src, data, pageURL, contentType, profile)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Link, 0, len(l.Links))
	for _, lk := range l.Links {
		out = append(out, Link{URL: lk.URL, Text: strings.TrimSpace(texts[lk.URL])})
	}
	return out, l, nil
}
