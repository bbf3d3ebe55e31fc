package feed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// A source's feed holds the articles fetched from the URLs the source
// found. The store ties them together in two steps, both kept by every
// run: the fetch state (fetch/urls) names, for each article URL fetched,
// the source that found it, and the pages bucket names, for each URL
// read, the article its page gave. The record's own source field is
// that URL too, but finding records by it would mean reading them all.
// The sources are the names whose lists the store has polled
// (fetch/lists): the sources file's feed, sitemap and html sources.

// SourceReader is what a source's feed reads besides the item cache;
// *store.Store is one.
type SourceReader interface {
	// SourceURLs returns the URLs source found, newest first.
	SourceURLs(ctx context.Context, source string, since time.Time) ([]record.URLState, error)
	// Source returns what the store keeps of the page read from source.
	Source(ctx context.Context, source string) (store.SourceInfo, bool, error)
	// Get returns one record.
	Get(ctx context.Context, id string) (record.Record, error)
}

var _ SourceReader = (*store.Store)(nil)

// sourceScan bounds how many of a source's newest URLs its feed looks
// at, per item it holds: URLs that gave no article (an error page, a
// list) are skipped.
const sourceScan = 3

// remember keeps the article items made by a build for sources' feeds.
func (b *Builder) remember(items []*Item) {
	b.memoMu.Lock()
	defer b.memoMu.Unlock()
	if b.memo == nil {
		b.memo = make(map[string]*Item)
	}
	for _, it := range items {
		if strings.HasPrefix(it.ID, "a_") {
			b.memo[it.ID] = it
		}
	}
}

// remembered returns the article item of id a build made, if any.
func (b *Builder) remembered(id string) *Item {
	b.memoMu.Lock()
	defer b.memoMu.Unlock()
	return b.memo[id]
}

// sourceItems returns the newest articles of the source named name. An
// article some other feed of this Builder holds is taken from it; any
// other is read and rendered (not kept in the item cache, which only
// LatestItems fills).
func (b *Builder) sourceItems(ctx context.Context, name string) ([]*Item, error) {
	sr, ok := b.src.(SourceReader)
	if !ok {
		return nil, fmt.Errorf("source %s: the store cannot list a source's URLs", name)
	}
	states, err := sr.SourceURLs(ctx, name, time.Time{})
	if err != nil {
		return nil, err
	}
	var items []*Item
	seen := map[string]bool{}
	for i, st := range states {
		if i >= sourceScan*b.limit {
			break
		}
		info, ok, err := sr.Source(ctx, st.URL)
		if err != nil {
			return nil, err
		}
		if !ok || info.ArticleID == "" || seen[info.ArticleID] {
			continue
		}
		seen[info.ArticleID] = true
		if it := b.remembered(info.ArticleID); it != nil {
			items = append(items, it)
			continue
		}
		rec, err := sr.Get(ctx, info.ArticleID)
		if errors.Is(err, store.ErrNotFound) {
			// Deleted (pruned) since: the page entry goes with it,
			// but a fetch state may outlive both.
			continue
		}
		if err != nil {
			return nil, err
		}
		a, ok := rec.(*record.Article)
		if !ok {
			continue
		}
		it := b.articleItem(a, info.FirstSeen.UTC())
		if it.Date.IsZero() {
			it.Date = time.Unix(0, 0).UTC()
		}
		it.valid = it.Content
		items = append(items, it)
	}
	return newest(items, b.limit), nil
}

// sourceNames returns the names of the sources whose lists the store has
// polled, sorted; nil when src cannot tell.
func sourceNames(ctx context.Context, src Lister) ([]string, error) {
	lp, ok := src.(interface {
		ListPolls(ctx context.Context) (map[string]time.Time, error)
	})
	if !ok {
		return nil, nil
	}
	polls, err := lp.ListPolls(ctx)
	if err != nil {
		return nil, fmt.Errorf("feed: list sources: %w", err)
	}
	names := make([]string, 0, len(polls))
	for n := range polls {
		if strings.TrimSpace(n) != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}
