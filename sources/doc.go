// Package sources finds the article links on a list page: feeds (RSS,
// Atom, JSON Feed), sitemaps (plain, index and news), HTML section pages
// and fixed URL lists, each link made absolute and canonical. It does no
// I/O: the caller fetches the list page named by a config.Source and
// hands its bytes to Discover, which returns the links (and a sitemap
// index's child sitemaps) for the caller to fetch.
//
// Hand-offs: config.Source and the page's bytes in, a List of canonical
// Links out (record.ResolveURL makes them canonical).
package sources
