package feed

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// Defaults for Options.
const (
	// DefaultBaseURL is where feeds are assumed to be served when
	// Options.BaseURL is empty: what `newsfeed serve` listens on.
	DefaultBaseURL = "http://localhost:8080/"
	// DefaultLimit is the number of items a feed holds.
	DefaultLimit = 50
	// MaxLimit bounds Options.Limit: a feed is read in one transaction.
	MaxLimit = 10000
	// DefaultTitle starts every feed's title.
	DefaultTitle = "newsfeed"
	// Generator is the RSS generator and Atom generator name.
	Generator = "newsfeed"
)

// Reader is the part of the store a Builder uses; *store.Store is one.
// It reads the newest records through the store's item cache and keeps
// the items it had to render there (see cache.go).
type Reader interface {
	LatestItems(ctx context.Context, q store.Query, key uint64) ([]store.CachedItem, error)
	PutItems(ctx context.Context, key uint64, entries []store.ItemEntry) (int, error)
}

var _ Reader = (*store.Store)(nil)

// Options configure a Builder.
type Options struct {
	// BaseURL is the absolute http(s) URL the feed files are served
	// under; it is also the site page that items without a URL link to.
	// Empty means DefaultBaseURL.
	BaseURL string
	// Limit is the number of newest records a feed holds; zero means
	// DefaultLimit. More than MaxLimit is an error.
	Limit int
	// Site narrows every feed to one site when set.
	Site string
	// Title starts every feed's title; empty means DefaultTitle.
	Title string
}

// ErrOptions is returned, wrapped, for options that cannot work.
var ErrOptions = errors.New("feed: bad options")

// Builder builds feeds from a store.
type Builder struct {
	src   Reader
	opts  Options
	base  *url.URL
	limit int
	// key is the item cache fingerprint of these options (cacheKey).
	key uint64
	// batch, when set, holds the items rendered for the cache until
	// keep is called, instead of each Build writing its own (Publish
	// builds many feeds and commits their items once).
	batch *[]store.ItemEntry
	// memoMu guards memo: every article item this Builder has made,
	// by id, which a source's feed takes rather than rendering again.
	memoMu sync.Mutex
	memo   map[string]*Item
}

// NewBuilder returns a Builder reading from src. It checks opts: a base
// URL that is not absolute http(s), or a limit out of range, is an error
// wrapping ErrOptions.
func NewBuilder(src Reader, opts Options) (*Builder, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	opts.BaseURL = base.String()
	if opts.Limit < 0 || opts.Limit > MaxLimit {
		return nil, fmt.Errorf("%w: limit %d is not between 1 and %d", ErrOptions, opts.Limit, MaxLimit)
	}
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if opts.Title == "" {
		opts.Title = DefaultTitle
	}
	return &Builder{src: src, opts: opts, base: base, limit: limit, key: cacheKey(base.String())}, nil
}

// parseBaseURL checks that raw is an absolute http(s) URL and gives its
// path a trailing slash, so that feed paths resolve under it.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: base URL %q: %v", ErrOptions, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q is not an absolute http or https URL", ErrOptions, raw)
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}

// BaseURL returns the base URL feeds are served under, with its trailing
// slash.
func (b *Builder) BaseURL() string { return b.base.String() }

// Build reads the newest records that spec selects and returns them as a
// feed. Its cost grows with the limit, not with the database. Items come
// from the store's item cache when fresh; the others are rendered and
// kept there, unless the store is read-only.
func (b *Builder) Build(ctx context.Context, spec Spec) (*Feed, error) {
	var items []*Item
	var err error
	switch {
	case spec.Source != "":
		items, err = b.sourceItems(ctx, spec.Source)
	case spec.PerSite:
		if spec.Site == "" {
			return nil, fmt.Errorf("feed: build: a site's feed without a site")
		}
		items, err = b.siteItems(ctx, spec.Site)
	default:
		if _, ok := kindNames[spec.Kind]; !ok {
			return nil, fmt.Errorf("feed: build: unknown kind %q", spec.Kind)
		}
		if spec.Site == "" {
			spec.Site = b.opts.Site
		}
		items, err = b.latest(ctx, store.Query{Kind: spec.Kind, Site: spec.Site, Column: spec.Column, Limit: b.limit})
	}
	if err != nil {
		return nil, fmt.Errorf("feed: build %s: %w", spec.Path(), err)
	}
	f := &Feed{
		Spec:        spec,
		Title:       b.title(spec),
		Description: b.description(spec),
		Link:        b.base.String(),
		Generator:   Generator,
		Items:       items,
		Updated:     time.Unix(0, 0).UTC(),
		base:        b.base,
	}
	langs := map[string]int{}
	best := 0
	for i, it := range items {
		if i == 0 || it.Date.After(f.Updated) {
			f.Updated = it.Date
		}
		if it.Language != "" {
			langs[it.Language]++
			if n := langs[it.Language]; n > best {
				best, f.Language = n, it.Language
			}
		}
	}
	return f, nil
}

// latest reads the newest records q selects as items.
func (b *Builder) latest(ctx context.Context, q store.Query) ([]*Item, error) {
	cached, err := b.src.LatestItems(ctx, q, b.key)
	if err != nil {
		return nil, err
	}
	return b.items(ctx, cached)
}

// siteItems returns the newest articles and interviews of site, newest
// first.
func (b *Builder) siteItems(ctx context.Context, site string) ([]*Item, error) {
	articles, err := b.latest(ctx, store.Query{Kind: record.KindArticle, Site: site, Limit: b.limit})
	if err != nil {
		return nil, err
	}
	interviews, err := b.latest(ctx, store.Query{Kind: record.KindInterview, Site: site, Limit: b.limit})
	if err != nil {
		return nil, err
	}
	return newest(append(articles, interviews...), b.limit), nil
}

// newest sorts items newest first (stably: of equal dates, the order
// given) and keeps the first n.
func newest(items []*Item, n int) []*Item {
	slices.SortStableFunc(items, func(x, y *Item) int { return y.Date.Compare(x.Date) })
	return items[:min(n, len(items))]
}

// title is "newsfeed · headlines · site · column", without the parts
// the spec leaves out; a site's own feed is "newsfeed · site", a
// source's "newsfeed · source · name".
func (b *Builder) title(spec Spec) string {
	switch {
	case spec.Source != "":
		return oneLine(b.opts.Title) + " · source · " + oneLine(spec.Source)
	case spec.PerSite:
		return oneLine(b.opts.Title) + " · " + oneLine(spec.Site)
	}
	parts := []string{oneLine(b.opts.Title), kindNames[spec.Kind]}
	if spec.Site != "" {
		parts = append(parts, oneLine(spec.Site))
	}
	if spec.Column != "" {
		parts = append(parts, oneLine(spec.Column))
	}
	return strings.Join(parts, " · ")
}

func (b *Builder) description(spec Spec) string {
	switch {
	case spec.Source != "":
		return fmt.Sprintf("The newest %d articles found by the source %s, newest first.", b.limit, oneLine(spec.Source))
	case spec.PerSite:
		return fmt.Sprintf("The newest %d articles and interviews from %s, newest first.", b.limit, oneLine(spec.Site))
	}
	d := fmt.Sprintf("The newest %d %s", b.limit, kindNames[spec.Kind])
	if spec.Site != "" {
		d += " from " + oneLine(spec.Site)
	}
	if spec.Column != "" {
		d += " in " + oneLine(spec.Column)
	}
	return d + ", newest first."
}
