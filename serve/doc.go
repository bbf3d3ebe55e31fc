// Package serve is newsfeed's HTTP server: every feed that publish
// writes, at the same paths, an index page, a JSON API over the change
// log, health and Prometheus metrics.
//
// Usage:
//
//	srv, err := serve.New(serve.Config{DB: "data/newsfeed.db", BaseURL: "http://127.0.0.1:8080/"})
//	err = srv.ListenAndServe(ctx, "127.0.0.1:8080") // returns when ctx is done and requests have finished
//
// # Living beside cron
//
// bbolt lets one process write, and a writer waits while any reader
// holds the file open. So the server never keeps the database open
// between requests. A poller looks at the file's size, modification
// time and inode once a second (Config.Poll); when they changed it opens
// the database read-only, builds every feed in every format, the index
// page and the stats into memory (a snapshot), and closes it. Requests
// are served from the current snapshot, which is swapped atomically, so
// no request waits for the database and none sees half a build. When a
// writer holds the lock, the build is tried again at the next poll and
// the old snapshot stays. The JSON API's record reads open the database
// read-only for the one request, read into memory, close it, and only
// then write the response, so a slow client never holds it.
//
// A process that writes the database itself (serve --nats, which
// materialises the NATS records stream into it) cannot open it again
// read-only: bbolt's lock is per open file. It passes its open store in
// Config.Store; snapshots and API reads then use that, and the snapshot
// is built again when the store's records changed (store.Version): the
// process calls Refresh after each batch it commits, and the poll checks
// too.
//
// # Feeds
//
// Each feed, its page for browsers, the index page, the OPML list, the
// item pages, the icons and the XSLT stylesheet are kept as bytes
// with a strong ETag (a hash of the bytes), a Last-Modified (the newest
// item's date, moved forward when the bytes changed but it did not), and
// a gzip copy made once per build. GET and HEAD answer 304 to a matching
// If-None-Match, or, without one, to an If-Modified-Since not older
// than Last-Modified; responses carry Cache-Control: max-age and Vary:
// Accept-Encoding. Nothing is rendered per request.
//
// # Routes
//
//	/                      index page (also /index.html)
//	/articles.atom …       every feed publish writes, percent-encoded paths too:
//	                       per kind, column, site (sites/…) and source (sources/…);
//	                       a browser's navigation (Sec-Fetch-Dest: document)
//	                       gets the feed as an HTML page instead
//	/feeds.opml            every feed in Atom, grouped by site (OPML 2.0)
//	/items/{id}.html       the page of an item with no URL of its own
//	/favicon.ico, /icon.png the icons (favicon.ico at the root too)
//	/feed.xsl              the stylesheet RSS and Atom feeds point at
//	/img/{sig}/{url}       a picture, with --image-proxy (imageProxy)
//	/api/records           NDJSON, the lines and contract of `newsfeed export`
//	/api/records/{id}      one record's JSON
//	/api/stats             counts per kind, site and column
//	/healthz               liveness and the snapshot's age
//	/metrics               Prometheus metrics
//
// Feeds, the index, the stylesheet and the API are served under the base
// URL's path; /healthz and /metrics always at the root.
package serve
