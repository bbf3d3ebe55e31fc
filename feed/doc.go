// Package feed publishes the store's records as RSS 2.0, Atom 1.0 and
// JSON Feed 1.1, as files with an index page.
//
// Usage:
//
//	b, err := feed.NewBuilder(st, feed.Options{BaseURL: "https://example.org/feeds/"})
//	f, err := b.Build(ctx, feed.Spec{Kind: record.KindHeadline, Column: "航空航天"})
//	err = f.Render(w, feed.Atom)                    // or feed.RSS, feed.JSON
//	res, err := feed.Publish(ctx, st, "data/feeds", opts) // every feed + index.html
//
// A feed holds the newest Options.Limit records of one kind, optionally of
// one site or column; or a site's articles and interviews (Spec.PerSite,
// sites/<site>); or the articles a source of the sources file found
// (Spec.Source, sources/<name>: see sources.go for how the fetch state
// ties them). Kinds' feeds are read through the store's time indexes (Latest), so
// building one costs the same in a database of a thousand records or of a
// million. The generic feed is built once with github.com/gorilla/feeds
// and rendered in each format through its RssFeed, AtomFeed and JSONFeed
// structs, extended with encoding/xml and encoding/json where readers need
// more than gorilla/feeds writes: content:encoded, atom:link rel="self",
// guid isPermaLink="false", dc:creator, xml:lang, an always-present JSON
// Feed items array.
//
// What readers get, whatever the records hold:
//
//   - An item's RSS guid and JSON Feed id are the record's id, and its
//     Atom id an IRI made from it (AtomID: the canonical URL, else a tag
//     URI): a record keeps its id forever, so no reader shows it twice.
//   - Entries' Atom updated times are distinct (atomUpdated), and RSS
//     and Atom feeds name the XSLT stylesheet (StylesheetFile) that
//     shows them as a page in a browser.
//   - Every item has a date with an explicit zone: the record's published
//     time, else the time the store first saw it (UTC). Atom updated is
//     always set; a feed's updated time is its newest item's, so a feed
//     whose items did not change renders to the same bytes.
//   - Links are absolute: a record with no absolute http(s) URL links to
//     its own page, items/<id>.html under Options.BaseURL, which Publish
//     writes (WriteItemPage) and serve serves.
//   - Content is HTML built from the article's body blocks (headings,
//     figures with no-referrer pictures, quotes, lists, tables, pre),
//     from escaped text, and then sanitised with bluemonday; characters
//     XML 1.0 forbids are removed and invalid UTF-8 is replaced, so every
//     feed is well-formed. The lead picture is the RSS enclosure, the
//     Atom enclosure link and the JSON Feed image; the outlet and column
//     are categories (tags); an item names exactly its record's authors,
//     and no feed names one for its items to inherit (Atom's required
//     author goes in an entry's source).
//
// Items are rendered once. Decoding a record and sanitising its HTML cost
// far more than the rest of a build, so a Builder keeps every item it
// renders in the store's item cache (store.LatestItems, store.PutItems)
// and reads it back, without decoding or sanitising anything, until the
// record (or an interview's article) changes. Cached items are keyed by
// the base URL and itemFormat, which must be bumped whenever rendering
// changes what an item holds (TestItemFormat watches the golden feeds
// for that; Atom ids and updated times are made at rendering from the
// item and the record's seq, so they need no bump). A cached
// item and a freshly rendered one give the same bytes in every format. A
// read-only store serves the cache but keeps nothing new.
//
// Publish writes every feed, the items' pages, the stylesheet, the icons
// (favicon.ico, icon.png), feeds.opml (WriteOPML) and index.html
// (WriteIndex), which `newsfeed serve` serves too, with each feed's page
// for browsers (Feed.WritePage). It writes each file atomically
// (temp file, fsync, rename) and leaves a file whose content is
// unchanged alone, so its mtime and a web server's ETag stay valid.
package feed
