package feed

import (
	"context"
	"path/filepath"
	"testing"

	"newsfeed/internal/feedcheck"
	"newsfeed/store"
)

// TestPublish_FeedparserAcceptsEveryFeed publishes the seed, a mixed and
// a hostile database, and runs Debian's feedparser over every feed file
// (feedcheck.Feedparser): no bozo error, and every entry with the id
// (the Atom id in Atom) and title the store holds, an absolute link and
// a zoned date, exactly the item's authors (none inherited from the
// feed), its lead picture and its categories.
func TestPublish_FeedparserAcceptsEveryFeed(t *testing.T) {
	feedcheck.NeedFeedparser(t)
	ctx := context.Background()
	manifest := map[string][]feedcheck.Entry{}
	for name, s := range map[string]*store.Store{
		"seed":    func() *store.Store { s, _ := mustSeedStore(t); return s }(),
		"mixed":   mustMixedStore(t),
		"hostile": mustHostileStore(t),
	} {
		out := filepath.Join(t.TempDir(), name)
		res, err := Publish(ctx, s, out, Options{BaseURL: testBase, Limit: 20}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Feeds {
			for _, format := range Formats {
				var entries []feedcheck.Entry
				for _, it := range f.Items {
					id := it.ID
					if format == Atom {
						id = f.AtomID(it)
					}
					entries = append(entries, feedcheck.Entry{ID: id, Title: it.Title, Check: true,
						Authors: it.Authors, Image: it.Image, Tags: it.Tags})
				}
				path := filepath.Join(out, filepath.FromSlash(f.Spec.Path()+"."+string(format)))
				manifest[path] = entries
			}
		}
	}
	t.Log(feedcheck.Feedparser(t, manifest))
}
