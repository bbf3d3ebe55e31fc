// Package discover finds how to follow a news site from its address
// alone: its feed, its sitemap, or else the article links of the page
// itself, as a [[source]] of the sources file.
//
//	tap := discover.NewRobotsTap(nil)
//	f := fetch.New(fetch.Config{UserAgent: ua, Robots: tap})
//	res, err := discover.Site(ctx, f, "https://example.org/", discover.Options{Robots: tap})
//	// res.Best is the method to poll with, res.Alternatives the others;
//	// res.Best.Block("example.org") is its [[source]] block.
//
// Site fetches the page through the caller's Getter (a *fetch.Fetcher:
// its politeness, robots.txt, address guard and caps hold), then looks,
// in this order, for
//
//   - feeds: <link rel="alternate"> of RSS, Atom and JSON Feed types, <a>
//     links whose URL or text says feed, RSS or 订阅, then the well-known
//     paths (/feed, /rss.xml, /atom.xml, /index.xml, /rss, /feed.xml);
//     each is fetched and confirmed by parsing it (gofeed) and counting
//     its items;
//   - sitemaps: the Sitemap: lines of robots.txt (those naming news
//     first), then /sitemap.xml and /sitemap_index.xml; of a sitemap index
//     the news child (or else the first) is read. A Google News sitemap
//     lists only recent articles and wins over a plain one;
//   - the page's own article links (no request): its links are grouped by
//     URL shape (digits, dates and ids abstracted) and by the list that
//     holds them, each group is scored by how article-like it is (several
//     links, anchor text of headline length, a date, a long id, an
//     .html/.shtml/.htm leaf or a long slug in the path, the same
//     registrable domain; not navigation, tags, authors, pagination or
//     comments), and the best group becomes an html source: a URL pattern
//     and, when one kind of container holds the links, a CSS selector,
//     checked by running sources.Discover with it on the page, which must
//     yield the group's links exactly.
//
// The best method is the first confirmed feed, else a news sitemap, else a
// plain sitemap, else the page's article links; the rest are kept as
// alternatives.
//
//	Site(URL) ──Get──► the page ──► feed candidates ──Get, gofeed──► feed methods ─────┐
//	          ──robots.txt Sitemap:, /sitemap.xml ──Get──► sitemap methods ──────────────┼──► ranked: Result.Best, Alternatives
//	          the page's links ──group, score──► html method (sources.Discover checks it) ┘
//	Result.Best ──► Method.Block: newsfeed discover, add   Method.Source: poll (type = "site")
//
// # Requests
//
// Site sends at most Options.MaxRequests Gets (default 7) and counts
// them; with Options.Robots (a RobotsTap set as the fetcher's
// Config.Robots) it reads the Sitemap: lines from the robots.txt the
// fetcher reads anyway, so a site costs at most 8 requests, robots.txt
// included (redirects and retries, which the fetcher follows inside a
// Get, aside). Without a tap it fetches robots.txt itself, as one of its
// Gets. Result.Requests is the count, robots.txt included when read
// through the tap.
package discover
